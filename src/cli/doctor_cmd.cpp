// gpuenv doctor: probes -> Snapshot -> checks -> Findings -> a renderer.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "app/doctor.hpp"
#include "checks/check.hpp"
#include "fleet/fingerprint.hpp"
#include "cli/cli.hpp"
#include "util/progress.hpp"
#include "model/json.hpp"
#include "report/report.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

struct DoctorArgs {
  DoctorInputs in;
  FormatArgs format;
  bool redact = false;
  int verbose = 0;
  bool strict = false;
  std::string output;
};

}  // namespace

DoctorReport run_doctor_pipeline_here(DoctorInputs in) {
  ProgressLine progress;
  in.on_progress = progress.sayer();
  return run_doctor_pipeline(in);
}

void add_doctor_inputs(CLI::App* cmd, DoctorInputs& a) {
  cmd->add_option("--from", a.from, "Replay the checks on a saved snapshot (doctor --json output; - for stdin)");
  cmd->add_option("--root", a.root, "Read every file under DIR instead of / (fixture trees)");
  cmd->add_option("--only", a.only, "Run only these check IDs (comma-separated; 'driver.*' selects a family)");
  cmd->add_option("--skip", a.skip, "Skip these check IDs");
  cmd->add_option("--timeout", a.driver.timeout, "Seconds to wait for the driver probe (default 5)");
  cmd->add_option("--libcuda", a.driver.libcuda, "Probe this libcuda instead of libcuda.so.1 (env GPUENV_LIBCUDA)");
  cmd->add_option("--libnvml", a.driver.libnvml, "Probe this NVML instead of libnvidia-ml.so.1 (env GPUENV_LIBNVML)");
  cmd->add_flag("--no-driver", a.driver.no_driver, "Do not load the user-space driver (files only)");
}

namespace {

int run_doctor(const DoctorArgs& a) {
  Format format = a.format.resolve();
  auto run = run_doctor_pipeline_here(a.in);
  const Snapshot& snap = run.snap;
  const auto& findings = run.findings;

  RenderOptions o;
  o.style.color = a.output.empty() && should_color(1);
  o.verbosity = a.verbose;
  if (format == Format::Prometheus || format == Format::Nfd) o.stack_fingerprint = stack_fingerprint(snap).digest;
  std::string text = render(run, format, o);
  if (a.redact) text = Redactor::from(snap).apply(std::move(text));
  write_output(a.output, text);

  auto sum = summarize(findings);
  return (sum.errors > 0 || (a.strict && sum.warnings > 0)) ? kExitProblems : kExitOk;
}

}  // namespace

void add_doctor_command(Cli& cli) {
  static DoctorArgs a;
  auto* cmd = cli.add("doctor", "Inspect the GPU stack and name each problem's root cause and fix", [] { return run_doctor(a); });
  cmd->description(
      "Inspect this machine's GPU stack (hardware, kernel driver, user-space driver) and name each\n"
      "problem's root cause with the exact fix. Reads files only; the driver is probed in a child\n"
      "process with a timeout, so a crashing or hanging driver cannot take gpuenv down.\n\n"
      "Examples:\n"
      "  gpuenv doctor                       verdict and findings\n"
      "  gpuenv doctor --markdown --redact   a bug-report body to paste into an issue\n"
      "  gpuenv doctor --json > node.json    the whole snapshot, schema 1 (docs/schema.md)\n"
      "  gpuenv doctor --from node.json      re-run the checks on a saved snapshot\n"
      "  gpuenv doctor --only 'driver.*'     only the driver checks\n"
      "  gpuenv doctor --deep                also import each framework and run a tiny GPU op\n"
      "  gpuenv doctor --format prometheus -o /var/lib/node_exporter/textfile_collector/gpuenv.prom\n"
      "  gpuenv doctor --format nfd -o /etc/kubernetes/node-feature-discovery/features.d/gpuenv\n"
      "                                      node exporters, written atomically (docs/fleet.md)");
  add_format_options(cmd, a.format, ReportKind::Doctor, "Same as --format json", "Same as --format markdown (a bug-report body)");
  add_doctor_inputs(cmd, a.in);
  cmd->add_flag("--deep", a.in.deep,
                "Also import each framework found (torch, TensorFlow, JAX, CuPy) with its interpreter in a child process and "
                "run one tiny GPU operation; compares the result with the static verdict");
  cmd->add_option("--deep-timeout", a.in.deep_timeout, "Seconds per framework for --deep (default 20; the process group is killed after)");
  cmd->add_flag("--redact", a.redact, "Replace the user name, home directory and host name in the output");
  cmd->add_flag("-v,--verbose", a.verbose, "More detail: -v machine details, -vv every library copy and variable");
  cmd->add_flag("--strict", a.strict, "Exit 1 on warnings too");
  cmd->add_option("-o,--output", a.output, "Write the report to FILE atomically instead of stdout");
}

}  // namespace gpuenv
