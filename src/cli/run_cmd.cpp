// gpuenv run -- CMD ARGS: computes the project's environment and replaces
// itself with CMD (execve), so exit status, signals, stdio, the terminal and
// open descriptors reach CMD untouched.
#include <cstdio>

#include "cli/activation_cli.hpp"
#include "cli/cli.hpp"

namespace gpuenv {

void add_run_command(Cli& cli) {
  static ActivationArgs a;
  static CLI::App* self = nullptr;
  static Cli* owner = nullptr;
  owner = &cli;
  self = cli.add("run", "Run a command in the project's environment (gpuenv.toml)", [] {
    auto rest = owner->has_passthrough ? owner->passthrough : self->remaining();
    if (rest.empty()) throw UsageError("run needs a command: gpuenv run -- python train.py");
    auto spec = spec_for_command(a);
    auto p = activate_for_command(spec, a);
    if (a.verbose > 0) std::fputs(describe_changes(spec, p.result, a.verbose).c_str(), stderr);
    add_host_driver_for_nix(rest[0], p, a);  // a Nix-built program on another distribution
    if (a.check && !check_environment(spec, p.result, a)) {
      std::fprintf(stderr, "gpuenv: not starting %s: the environment cannot work (findings above); "
                           "run without --check to start it anyway\n", rest[0].c_str());
      return kExitProblems;
    }
    return exec_with_environment(rest, p.result.env);
  });
  self->prefix_command();
  self->allow_extras();
  self->description(
      "Compute the project's environment from gpuenv.toml (found in this directory or a parent) and run\n"
      "COMMAND in it. gpuenv replaces itself with COMMAND: its exit status, signals, terminal and open\n"
      "files are COMMAND's own. Without a gpuenv.toml only the driver library fixes apply.\n\n"
      "What changes: PATH (so `python` is the declared interpreter), PYTHONPATH (entries of other\n"
      "interpreters and Python versions removed), PYTHONHOME, VIRTUAL_ENV, PYTHONNOUSERSITE,\n"
      "LD_LIBRARY_PATH (driver directory reachable, toolkit stubs removed; for a Nix-built COMMAND on\n"
      "another distribution, a directory of links to the host driver's libraries), CUDA_VISIBLE_DEVICES\n"
      "and the spec's [env]. 'gpuenv env -v' shows each change and why.\n\n"
      "Examples:\n"
      "  gpuenv run -- python train.py\n"
      "  gpuenv run -v -- python -c 'import torch; print(torch.cuda.is_available())'\n"
      "  gpuenv run --check -- torchrun --nproc-per-node 8 train.py   refuse to start a broken stack\n\n"
      "Exit status: COMMAND's own; 127 when COMMAND is not found, 126 when it cannot run, 2 for a bad\n"
      "spec or a missing interpreter, 1 when --check refuses.");
  self->add_option("--spec", a.spec, "Use this spec instead of looking for gpuenv.toml");
  self->add_flag("-v,--verbose", a.verbose, "Tell each change on stderr (-vv: the new values too)");
  self->add_flag("--check", a.check, "Run the fast doctor checks first; refuse to start when the environment cannot work");
  self->add_option("--root", a.root, "Read files under DIR instead of / (tests)")->group("");
}

}  // namespace gpuenv
