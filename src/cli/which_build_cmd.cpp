// gpuenv which-build: "which build of torch / TensorFlow / JAX / CuPy runs here?", answered offline from the
// knowledge files for this machine's driver, GPUs and Python (or a saved snapshot, or values given).
#include <algorithm>
#include "checks/recommend.hpp"
#include "cli/cli.hpp"
#include "util/version.hpp"

namespace gpuenv {

namespace {

struct WhichArgs {
  DoctorInputs in;
  std::vector<std::string> frameworks;
  std::string python, env_kind, driver;
  std::vector<std::string> ccs;
  FormatArgs format;
};

int run_which_build(const WhichArgs& a) {
  Format format = a.format.resolve();
  static const std::vector<std::string> known = {"torch", "tensorflow", "jax", "cupy"};
  auto fws = a.frameworks.empty() ? known : a.frameworks;
  for (auto& f : fws)
    if (std::find(known.begin(), known.end(), f) == known.end())
      throw UsageError("unknown framework '" + f + "' (torch, tensorflow, jax, cupy)");
  if (!a.env_kind.empty() && a.env_kind != "pip" && a.env_kind != "uv" && a.env_kind != "conda" &&
      a.env_kind != "nix" && a.env_kind != "system")
    throw UsageError("unknown --env '" + a.env_kind + "' (pip, uv, conda, nix, system)");
  for (auto& cc : a.ccs)
    if (!Version::parse(cc) || Version::parse(cc)->parts.size() != 2)
      throw UsageError("--cc takes compute capabilities like 8.9 (got '" + cc + "')");
  auto run = run_doctor_pipeline_here(a.in);
  const Snapshot& s = run.snap;
  const Interpreter* py = nullptr;
  if (s.python.active >= 0 && s.python.active < int(s.python.interpreters.size()))
    py = &s.python.interpreters[size_t(s.python.active)];
  auto& k = Knowledge::get();
  WhichBuildReport report;
  bool all_found = true;
  for (auto& fw : fws) {
    auto q = build_query(s, k, py, fw);
    if (!a.python.empty()) q.python = a.python;
    if (!a.env_kind.empty()) q.env_kind = a.env_kind;
    if (!a.driver.empty()) {
      q.driver = a.driver;
      q.driver_cuda = 0;
    }
    if (!a.ccs.empty()) q.ccs = a.ccs;
    auto adv = recommend_build(k, q);
    all_found &= adv.found;
    report.entries.push_back({fw, adv.found, adv.gpu, adv.release, adv.variant, adv.cuda, adv.minor_compat, adv.command,
                              adv.reason, q.driver, q.driver_cuda, q.ccs, q.python, q.env_kind});
  }
  write_output("", render(report, format, {}));
  return all_found ? kExitOk : kExitProblems;
}

}  // namespace

void add_which_build_command(Cli& cli) {
  static WhichArgs a;
  auto* cmd = cli.add("which-build", "Name the build of torch, TensorFlow, JAX or CuPy that runs here, with its install command",
                      [] { return run_which_build(a); });
  cmd->description(
      "Answer \"which build runs here?\" offline, from the knowledge files: for this machine's driver,\n"
      "GPUs, Python and kind of environment (venv/pip, uv, conda, Nix, system), the framework release\n"
      "and CUDA variant that runs, and the exact command that installs it.\n\n"
      "Examples:\n"
      "  gpuenv which-build torch\n"
      "  gpuenv which-build --driver 550.54.14 --cc 8.9 --python 3.11 torch jax\n"
      "  gpuenv which-build --from report.json --env conda --json");
  cmd->add_option("framework", a.frameworks, "torch, tensorflow, jax, cupy (default: all four)");
  cmd->add_option("--python", a.python, "Python version to answer for (default: the active interpreter's)");
  cmd->add_option("--env", a.env_kind, "pip, uv, conda, nix or system (default: from the active interpreter)");
  cmd->add_option("--driver", a.driver, "NVIDIA driver version to answer for (default: this machine's)");
  cmd->add_option("--cc", a.ccs, "GPU compute capabilities to answer for, e.g. 8.9 (default: this machine's GPUs)")
      ->delimiter(',');
  add_format_options(cmd, a.format, ReportKind::WhichBuild, "Print the answers as JSON");
  add_doctor_inputs(cmd, a.in);
}

}  // namespace gpuenv
