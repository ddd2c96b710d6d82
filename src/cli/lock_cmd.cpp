// gpuenv lock: fingerprint the working stack into gpuenv.lock (atomically).
#include <fmt/format.h>

#include <cstdio>

#include "cli/cli.hpp"
#include "cli/stack_cli.hpp"
#include "util/atomic_file.hpp"

namespace gpuenv {

void add_lock_command(Cli& cli) {
  static StackArgs a;
  static std::string output;
  auto* cmd = cli.add("lock", "Write gpuenv.lock: the fingerprint of the working GPU stack", [] {
    auto st = probe_stack(a);
    auto lock = lock_of(st, a);
    auto text = render_lock(lock);
    std::string path = output.empty() ? default_lock_path(st.spec) : output;
    if (path == "-") {
      write_output("", text);
      return kExitOk;
    }
    Fs fs;
    if (auto old = fs.read_opt(path, 64u << 20); old && *old == text) {
      std::fprintf(stderr, "gpuenv: %s is up to date\n", path.c_str());
      return kExitOk;
    }
    auto r = write_file_atomic(path, text);
    if (!r) throw UsageError(r.error() + " (the previous lock, if any, is unchanged)");
    std::fprintf(stderr, "gpuenv: wrote %s (%zu GPU%s, driver %s, %s, %zu framework%s, %zu librar%s)\n", path.c_str(),
                 lock.gpus.size(), lock.gpus.size() == 1 ? "" : "s",
                 lock.kernel_module.empty() ? "none" : lock.kernel_module.c_str(),
                 lock.python ? ("python " + lock.python->version).c_str() : "no python",
                 lock.frameworks.size(), lock.frameworks.size() == 1 ? "" : "s", lock.libraries.size(),
                 lock.libraries.size() == 1 ? "y" : "ies");
    return kExitOk;
  });
  cmd->description(
      "Fingerprint the stack that works now: GPU models and compute capabilities, kernel module and\n"
      "libcuda versions, each CUDA library the frameworks load (path, version, size, SHA-256), the\n"
      "interpreter, the frameworks and the nvidia-* wheels. Written atomically (a temporary file\n"
      "renamed over the old lock) and stable: locking an unchanged machine again changes nothing.\n"
      "With a gpuenv.toml the stack is probed in the environment `gpuenv run` gives.\n\n"
      "Examples:\n"
      "  gpuenv lock && git add gpuenv.lock\n"
      "  gpuenv verify                    later: has anything changed?\n"
      "  gpuenv lock -o - | less          print instead of writing");
  add_stack_options(cmd, a);
  cmd->add_option("-o,--output", output, "Write to FILE (- for stdout) instead of gpuenv.lock beside the spec");
}

}  // namespace gpuenv
