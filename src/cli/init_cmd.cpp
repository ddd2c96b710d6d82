// gpuenv init: write gpuenv.toml from the current environment when doctor finds it healthy.
#include <cstdio>

#include "app/stack.hpp"
#include "cli/cli.hpp"
#include "util/term.hpp"

namespace gpuenv {

void add_init_command(Cli& cli) {
  static InitInputs in;
  auto* cmd = cli.add("init", "Write gpuenv.toml from the current environment (when doctor finds it healthy)", [] {
    auto r = init_project(in);
    if (!r.written) {
      TextOptions t;
      t.style.color = should_color(2);
      auto text = render_text(r.snap, r.findings, t);
      std::fwrite(text.data(), 1, text.size(), stderr);
      std::fprintf(stderr, "gpuenv: not writing %s: doctor found problems (above). Fix them, or pass --force to "
                           "write it anyway with the findings as comments.\n", r.path.c_str());
      return kExitProblems;
    }
    std::fprintf(stderr, "gpuenv: wrote %s%s; next: gpuenv run -- python ..., gpuenv lock\n", r.path.c_str(),
                 r.with_findings ? " (with the open findings as comments)" : "");
    return kExitOk;
  });
  cmd->description(
      "Write gpuenv.toml in the current directory from the environment as it is: the interpreter\n"
      "(the active one, $VIRTUAL_ENV, or python3 on PATH), its version and frameworks, with comments\n"
      "for every other setting. Only when `gpuenv doctor` finds no error, unless --force: then the\n"
      "open findings are listed as comments at the top.\n\n"
      "Examples:\n"
      "  gpuenv init\n"
      "  gpuenv init --python .venv/bin/python\n"
      "  gpuenv init --force                 write it anyway (also replaces an existing gpuenv.toml)");
  cmd->add_flag("--force", in.force, "Write even when doctor finds problems, or when gpuenv.toml exists");
  cmd->add_option("--python", in.python, "The interpreter to declare (path or command name)");
  cmd->add_option("--timeout", in.stack.timeout, "Seconds to wait for the driver probe (default 5)");
  cmd->add_flag("--no-driver", in.stack.no_driver, "Do not load the user-space driver");
  cmd->add_option("--root", in.stack.root, "Read files under DIR instead of / (fixture trees)")->group("");
}

}  // namespace gpuenv
