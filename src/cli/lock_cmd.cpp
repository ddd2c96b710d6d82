// gpuenv lock: fingerprint the working stack into gpuenv.lock (atomically).
#include <cstdio>

#include "app/stack.hpp"
#include "cli/cli.hpp"

namespace gpuenv {

void add_stack_options(CLI::App* cmd, StackInputs& a) {
  cmd->add_option("--spec", a.spec, "Use this spec instead of looking for gpuenv.toml");
  cmd->add_option("--from", a.from, "Use a saved snapshot (gpuenv doctor --json) instead of probing this machine");
  cmd->add_option("--timeout", a.timeout, "Seconds to wait for the driver probe (default 5)");
  cmd->add_flag("--no-driver", a.no_driver, "Do not load the user-space driver (no GPU models or CUDA version)");
  cmd->add_option("--root", a.root, "Read files under DIR instead of / (fixture trees)")->group("");
}

void add_lock_command(Cli& cli) {
  static StackInputs a;
  static std::string output;
  auto* cmd = cli.add("lock", "Write gpuenv.lock: the fingerprint of the working GPU stack", [] {
    ProgressLine progress;
    a.progress = &progress;
    auto r = write_stack_lock(a, output);
    auto& lock = r.lock;
    switch (r.result) {
      case LockOutcome::Result::Stdout: write_output("", r.text); break;
      case LockOutcome::Result::UpToDate: std::fprintf(stderr, "gpuenv: %s is up to date\n", r.path.c_str()); break;
      case LockOutcome::Result::Written:
        std::fprintf(stderr, "gpuenv: wrote %s (%zu GPU%s, driver %s, %s, %zu framework%s, %zu librar%s)\n",
                     r.path.c_str(), lock.gpus.size(), lock.gpus.size() == 1 ? "" : "s",
                     lock.kernel_module.empty() ? "none" : lock.kernel_module.c_str(),
                     lock.python ? ("python " + lock.python->version).c_str() : "no python", lock.frameworks.size(),
                     lock.frameworks.size() == 1 ? "" : "s", lock.libraries.size(),
                     lock.libraries.size() == 1 ? "y" : "ies");
        break;
    }
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
