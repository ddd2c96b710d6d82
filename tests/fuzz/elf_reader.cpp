// ELF reader (elf/elf_file): headers, dynamic section, RUNPATH/RPATH/NEEDED, .nv_fatbin location, the data
// sections where other fatbin containers can lie.
#include "elf/elf_file.hpp"
#include "elf/fatbin.hpp"
#include "fuzz_support.hpp"
#include "util/fs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpuenv;
  auto text = fuzz::as_text(data, size);
  (void)elf::looks_like_elf(text);
  auto path = fuzz::scratch_dir() / "lib.so";
  fuzz::write_file(path, text);
  Fs fs(fuzz::scratch_dir().string());
  auto file = elf::MappedFile::open(fs, "/lib.so");
  if (!file) return 0;
  auto info = elf::read_elf(**file);
  if (info && info->fatbin_size > 0 && info->fatbin_offset <= (*file)->size() &&
      info->fatbin_size <= (*file)->size() - info->fatbin_offset)
    (void)elf::parse_fatbin({reinterpret_cast<const char*>((*file)->data()) + info->fatbin_offset,
                             std::size_t(info->fatbin_size)});
  // The other data sections, searched for containers by their magic (what read_fatbin does): read_elf keeps
  // only sections inside the file; a section past the end here is a bug.
  if (info) {
    elf::FatbinSummary found;
    for (auto& sec : info->data_sections) {
      if (sec.offset > (*file)->size() || sec.size > (*file)->size() - sec.offset) __builtin_trap();
      (void)elf::scan_fatbins({reinterpret_cast<const char*>((*file)->data()) + sec.offset, std::size_t(sec.size)}, found);
    }
  }
  return 0;
}
