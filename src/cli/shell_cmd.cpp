// gpuenv shell: the user's $SHELL inside the project's environment.
#include <cstdio>

#include "app/activation.hpp"
#include "cli/cli.hpp"

namespace gpuenv {

void add_shell_command(Cli& cli) {
  static ActivationArgs a;
  static bool quiet = false;
  auto* cmd = cli.add("shell", "Start your shell ($SHELL) in the project's environment", [] {
    auto p = plan_shell(a);
    std::string entering;
    if (!quiet)
      entering = "gpuenv: " + p.argv[0] + " in " +
                 (p.spec.path.empty() ? std::string("the driver-fixed environment") : p.spec.path) + " ('exit' to leave)\n";
    return start_plan(p, a, "gpuenv: not starting the shell: the environment cannot work (findings above)\n", entering);
  });
  cmd->description(
      "Start $SHELL (or /bin/sh) with the environment `gpuenv run` would give, and leave it with 'exit'.\n"
      "Start-up files (.bashrc, config.fish) run as usual and may change PATH again: for a shell you\n"
      "keep, prefer `eval \"$(gpuenv env)\"` at the end of them, or direnv's `use gpuenv`.\n\n"
      "Examples:\n"
      "  gpuenv shell\n"
      "  gpuenv shell -v --check");
  cmd->add_option("--spec", a.spec, "Use this spec instead of looking for gpuenv.toml");
  cmd->add_flag("-v,--verbose", a.verbose, "Tell each change on stderr");
  cmd->add_flag("--check", a.check, "Run the fast doctor checks first; refuse when the environment cannot work");
  cmd->add_flag("-q,--quiet", quiet, "Do not print the entering line");
  cmd->add_option("--root", a.root, "Read files under DIR instead of / (tests)")->group("");
}

}  // namespace gpuenv
