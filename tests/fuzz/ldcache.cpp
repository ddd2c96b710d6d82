// /etc/ld.so.cache parser (elf/ldcache): old, new and old+new formats, glibc-hwcaps extension.
#include "elf/ldcache.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpuenv;
  auto r = elf::parse_ld_cache(fuzz::as_text(data, size));
  if (r && !r->entries.empty()) {
    const std::vector<std::string> active = {"x86-64-v4", "x86-64-v3", "x86-64-v2"};
    (void)r->lookup(r->entries.front().soname, r->entries.front().flags, active);
    (void)r->lookup("libcuda.so.1", elf::cache_flags_for(62, 64), active);
  }
  return 0;
}
