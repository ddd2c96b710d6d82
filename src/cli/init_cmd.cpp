// gpuenv init: write gpuenv.toml from the current environment when doctor finds it healthy.
#include <unistd.h>

#include <cstdio>

#include "checks/check.hpp"
#include "cli/cli.hpp"
#include "cli/stack_cli.hpp"
#include "env/init.hpp"
#include "env/locate.hpp"
#include "report/report.hpp"
#include "util/atomic_file.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

namespace gpuenv {

void add_init_command(Cli& cli) {
  static StackArgs a;
  static bool force = false;
  static std::string python;
  auto* cmd = cli.add("init", "Write gpuenv.toml from the current environment (when doctor finds it healthy)", [] {
    char buf[4096];
    if (!::getcwd(buf, sizeof buf)) throw UsageError("cannot read the current directory");
    std::string dir = buf;
    std::string path = dir + "/" + kSpecFileName;
    Fs fs;
    if (fs.exists(path) && !force) throw UsageError(path + " exists; remove it or pass --force to replace it");
    a.no_spec = true;  // the environment as it is: an older spec is not applied
    Stack st = probe_stack(a);
    // The interpreter to declare: --python, else the active one, else $VIRTUAL_ENV or python3 on PATH.
    Environment env = current_environment();
    ProbeContext ctx{Fs(a.act.root), env};
    Spec probe_spec;
    probe_spec.dir = dir;
    if (!python.empty()) probe_spec.interpreter = python;
    int idx = -1;
    if (!python.empty()) {
      auto d = locate_declared_interpreter(ctx, probe_spec, st.snap.python);
      if (d.index < 0) throw UsageError(d.error);
      idx = d.index;
    } else if (st.snap.python.active >= 0) {
      idx = st.snap.python.active;
    } else {
      std::string p;
      if (auto* ve = ctx.getenv("VIRTUAL_ENV"); ve && !ve->empty() && ctx.fs.exists(*ve + "/bin/python")) p = *ve + "/bin/python";
      if (p.empty()) p = find_on_path(ctx.fs, "python3", ctx.getenv("PATH") ? *ctx.getenv("PATH") : "");
      if (!p.empty()) {
        probe_spec.interpreter = p;
        auto d = locate_declared_interpreter(ctx, probe_spec, st.snap.python);
        idx = d.index;
      }
    }
    const Interpreter* py = idx >= 0 ? &st.snap.python.interpreters[size_t(idx)] : nullptr;

    auto findings = run_checks(st.snap, Knowledge::get());
    auto sum = summarize(findings);
    if (sum.errors > 0 && !force) {
      TextOptions t;
      t.style.color = should_color(2);
      auto text = render_text(st.snap, findings, t);
      std::fwrite(text.data(), 1, text.size(), stderr);
      std::fprintf(stderr, "gpuenv: not writing %s: doctor found problems (above). Fix them, or pass --force to "
                           "write it anyway with the findings as comments.\n", path.c_str());
      return kExitProblems;
    }
    std::vector<Finding> open;
    if (force)
      for (auto& f : findings)
        if (f.severity != Severity::Info) open.push_back(f);
    auto text = render_initial_spec(st.snap, py, dir, open);
    auto r = write_file_atomic(path, text);
    if (!r) throw UsageError(r.error());
    std::fprintf(stderr, "gpuenv: wrote %s%s; next: gpuenv run -- python ..., gpuenv lock\n", path.c_str(),
                 open.empty() ? "" : " (with the open findings as comments)");
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
  cmd->add_flag("--force", force, "Write even when doctor finds problems, or when gpuenv.toml exists");
  cmd->add_option("--python", python, "The interpreter to declare (path or command name)");
  cmd->add_option("--timeout", a.timeout, "Seconds to wait for the driver probe (default 5)");
  cmd->add_flag("--no-driver", a.no_driver, "Do not load the user-space driver");
  cmd->add_option("--root", a.act.root, "Read files under DIR instead of / (fixture trees)")->group("");
}

}  // namespace gpuenv
