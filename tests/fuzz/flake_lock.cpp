// flake.lock (nix nixpkgs_branch_of_lock): any text gives a branch or "", never an exception; a branch it gives
// then picks a release (target_release) without throwing either.
#include <cstdlib>

#include "fuzz_support.hpp"
#include "nix/generate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpuenv;
  auto branch = nix::nixpkgs_branch_of_lock(std::string(fuzz::as_text(data, size)));
  if (branch.empty()) return 0;
  nix::Options o{"fuzz"};
  o.lock_branch = branch;
  o.lock_file = "flake.lock";
  o.today = "2026-12-03";
  auto r = nix::target_release(nix::Target::Flake, nix::MachineFacts{}, Knowledge::get(), o);
  if (r && r->branch != branch) std::abort();  // a release taken from the lock keeps the lock's branch
  return 0;
}
