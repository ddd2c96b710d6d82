// A Python installation as files (fuzz_support.hpp write_tree; ".fuzz-env" sets PATH, VIRTUAL_ENV...):
// the Python probe as doctor runs it (pyvenv.cfg, .pth files, hidden ones too, *.dist-info/METADATA and
// RECORD, framework version files), then the checks on what it found (arch lists reach the GPU-target
// parser).
#include "checks/check.hpp"
#include "fuzz_support.hpp"
#include "knowledge/knowledge.hpp"
#include "probe/probes.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpuenv;
  auto root = fuzz::write_tree(fuzz::as_text(data, size));
  ProbeContext ctx{Fs(root), fuzz::tree_env(root, {{"PATH", "/venv/bin:/usr/bin"}, {"PWD", "/work"}})};
  Snapshot s;
  probe_python(ctx, s);
  (void)run_checks(s, Knowledge::get());
  return 0;
}
