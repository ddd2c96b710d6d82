// gpuenv run -- CMD ARGS: computes the project's environment and replaces
// itself with CMD (execve), so exit status, signals, stdio, the terminal and
// open descriptors reach CMD untouched.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "app/activation.hpp"
#include "cli/cli.hpp"
#include "util/term.hpp"

namespace gpuenv {

int start_plan(const LaunchPlan& p, const ActivationArgs& a, const std::string& refusal, const std::string& entering) {
  if (a.verbose > 0) std::fputs(describe_changes(p.spec.path, p.activation, a.verbose).c_str(), stderr);
  if (p.refused) {
    TextOptions t;
    t.style.color = should_color(2);
    auto text = render_text(p.refused->snap, p.refused->findings, t);
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fputs(refusal.c_str(), stderr);
    return kExitProblems;
  }
  std::fputs(entering.c_str(), stderr);
  return exec_plan(p);
}

int exec_plan(const LaunchPlan& p) {
  if (p.program.empty()) {
    std::fprintf(stderr, "gpuenv: %s: command not found\n", p.argv[0].c_str());
    return 127;
  }
  std::vector<std::string> envs;
  envs.reserve(p.activation.env.size());
  for (auto& [k, v] : p.activation.env) envs.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (auto& x : p.argv) cargv.push_back(const_cast<char*>(x.c_str()));
  cargv.push_back(nullptr);
  for (auto& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  ::execve(p.program.c_str(), cargv.data(), cenv.data());
  int e = errno;
  if (e == ENOEXEC) {
    // A script without #!: run it with /bin/sh, as execvp does.
    std::vector<char*> sh{const_cast<char*>("/bin/sh"), const_cast<char*>(p.program.c_str())};
    for (size_t i = 1; i < p.argv.size(); ++i) sh.push_back(cargv[i]);
    sh.push_back(nullptr);
    ::execve("/bin/sh", sh.data(), cenv.data());
  }
  std::fprintf(stderr, "gpuenv: cannot run %s: %s\n", p.program.c_str(), std::strerror(e));
  return e == ENOENT ? 127 : 126;
}

void add_run_command(Cli& cli) {
  static ActivationArgs a;
  static CLI::App* self = nullptr;
  static Cli* owner = nullptr;
  owner = &cli;
  self = cli.add("run", "Run a command in the project's environment (gpuenv.toml)", [] {
    auto p = plan_run(a, owner->has_passthrough ? owner->passthrough : self->remaining());
    return start_plan(p, a, "gpuenv: not starting " + p.argv[0] + ": the environment cannot work (findings above); "
                            "run without --check to start it anyway\n");
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
