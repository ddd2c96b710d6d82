// .nv_fatbin section parser (elf/fatbin) and the target names it yields.
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
  (void)GpuTarget::parse(fuzz::as_text(data, size < 64 ? size : 64));
  return 0;
}
