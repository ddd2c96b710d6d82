// .nv_fatbin section parser (elf/fatbin), the search for containers by their magic in any other section
// (scan_fatbins), and the target names they yield.
#include "elf/fatbin.hpp"
#include "fuzz_support.hpp"
#include "model/gpu_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpuenv;
  auto r = elf::parse_fatbin(fuzz::as_text(data, size));
  if (r) {
    for (auto& t : r->sass) (void)GpuTarget::parse(t);
    for (auto& t : r->ptx) (void)GpuTarget::parse(t);
  }
  elf::FatbinSummary found;
  (void)elf::scan_fatbins(fuzz::as_text(data, size), found);
  for (auto& t : found.sass) (void)GpuTarget::parse(t);
  for (auto& t : found.ptx) (void)GpuTarget::parse(t);
  (void)GpuTarget::parse(fuzz::as_text(data, size < 64 ? size : 64));
  return 0;
}
