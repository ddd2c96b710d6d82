#pragma once
// What the loader and gpuenv need from one ELF file: class, machine, SONAME,
// DT_NEEDED, DT_RPATH/DT_RUNPATH, DF_1_NODEFLIB and where the .nv_fatbin
// section lies. Read with libelf from a memory map; only the section headers,
// .dynamic and its string table are touched, so a 1 GB library costs a few
// pages. A truncated or corrupt file gives an error, never a crash.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/fs.hpp"
#include "util/result.hpp"

namespace gpuenv::elf {

struct ElfInfo {
  int elf_class = 0;        // 32 or 64
  int data = 0;             // 1 little endian, 2 big endian
  int machine = 0;          // EM_X86_64 (62), EM_AARCH64 (183), ...
  int osabi = 0;
  int type = 0;             // ET_DYN (3), ET_EXEC (2)
  std::string soname;
  std::vector<std::string> needed;
  std::string rpath;        // DT_RPATH ("" if absent); glibc ignores it when DT_RUNPATH is present
  std::string runpath;      // DT_RUNPATH
  bool has_rpath = false, has_runpath = false;
  bool nodeflib = false;    // DF_1_NODEFLIB: skip ld.so.cache and default directories
  std::uint64_t fatbin_offset = 0, fatbin_size = 0;  // .nv_fatbin in the file (size 0: none)
  // The CUDA runtime's fatbin wrappers (magic 0x466243B1) in .nvFatBinSegment, or an __nv_relfatbin section:
  // the file registers GPU code, which may lie outside .nv_fatbin (libcufft: .ldata).
  bool fatbin_wrappers = false;
  struct Section {
    std::string name;
    std::uint64_t offset = 0, size = 0;
  };
  // Allocated sections with file contents that hold no code (.rodata, .data, .ldata, .lrodata, ...), other than
  // .nv_fatbin, within the file: where else fatbin containers can lie (fatbin.hpp: scan_fatbins).
  std::vector<Section> data_sections;
  bool may_have_fatbin() const { return fatbin_size > 0 || fatbin_wrappers; }
  std::uint64_t file_size = 0;
  // The headers glibc checks before mapping (ELF header, program headers) are whole, but the section headers
  // or a loadable segment lie past the end of the file: the loader maps it and the process dies with SIGBUS
  // when it touches the missing part. "" for an intact file.
  std::string damage;
};

// "x86_64", "aarch64", "i386", "ppc64le", ... ("machine 123" for others).
std::string machine_name(int machine, int elf_class = 64);
// The machine this gpuenv was built for: EM_AARCH64 (183) or EM_X86_64 (62).
#if defined(__aarch64__)
inline constexpr int kOwnMachine = 183;
#else
inline constexpr int kOwnMachine = 62;
#endif

// A read-only memory map of a file (whole file, pages touched on demand).
class MappedFile {
 public:
  static Result<std::shared_ptr<MappedFile>> open(const Fs& fs, std::string_view path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const unsigned char* data() const { return data_; }
  std::uint64_t size() const { return size_; }
  int fd() const { return fd_; }

 private:
  MappedFile() = default;
  int fd_ = -1;
  const unsigned char* data_ = nullptr;
  std::uint64_t size_ = 0;
};

// Is this the start of an ELF file? (The first four bytes; text stand-ins and linker scripts are not.)
bool looks_like_elf(std::string_view head);

// Reads the dynamic-linking facts of an ELF file. Errors: not ELF, truncated, corrupt.
Result<ElfInfo> read_elf(const Fs& fs, std::string_view path);
Result<ElfInfo> read_elf(const MappedFile& file);

}  // namespace gpuenv::elf
