// /etc/ld.so.conf with its include lines and globs (elf/ldcache read_ld_so_conf). The input is a file
// tree (fuzz_support.hpp write_tree): "=== etc/ld.so.conf\n...\n=== etc/ld.so.conf.d/a.conf\n...".
#include "elf/ldcache.hpp"
#include "fuzz_support.hpp"
#include "util/fs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpuenv;
  auto in = fuzz::as_text(data, size);
  std::string tree = in.starts_with("=== ") ? std::string(in) : "=== etc/ld.so.conf\n" + std::string(in);
  Fs fs(fuzz::write_tree(tree));
  auto dirs = elf::read_ld_so_conf(fs, "/etc/ld.so.conf");
  (void)dirs;
  (void)elf::glob_match(in.substr(0, in.size() / 2), in.substr(in.size() / 2));
  return 0;
}
