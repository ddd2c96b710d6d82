// Every file probe at once: a machine as a file tree (fuzz_support.hpp write_tree; the layout of the
// fixtures in tests/fixtures, ".fuzz-env" their [env]) read with --root and the driver probe off, then the checks and the JSON
// report. Reaches os-release, /proc and /sys files, ld.so.conf and ld.so.cache, library ELF headers,
// Python installations, Nix and CUDA toolkit files.
#include "checks/check.hpp"
#include "fuzz_support.hpp"
#include "knowledge/knowledge.hpp"
#include "probe/snapshot.hpp"
#include "report/report.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpuenv;
  SnapshotOptions o;
  o.root = fuzz::write_tree(fuzz::as_text(data, size));
  o.env = fuzz::tree_env(o.root, {{"PATH", "/venv/bin:/usr/local/bin:/usr/bin:/bin"},
                                   {"LD_LIBRARY_PATH", "/usr/local/cuda/lib64"}, {"PWD", "/work"}});
  o.driver.enabled = false;
  auto s = take_snapshot(o);
  auto findings = run_checks(s, Knowledge::get());
  (void)render_json(DoctorReport{s, findings});
  return 0;
}
