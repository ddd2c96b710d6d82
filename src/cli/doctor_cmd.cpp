// gpuenv doctor: probes -> Snapshot -> checks -> Findings -> a renderer.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "checks/check.hpp"
#include "fleet/fingerprint.hpp"
#include "cli/cli.hpp"
#include "model/json.hpp"
#include "probe/deep.hpp"
#include "probe/snapshot.hpp"
#include "report/report.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

struct DoctorArgs {
  DoctorInputs in;
  std::string format = "text";
  bool json = false, markdown = false;
  bool redact = false;
  int verbose = 0;
  bool strict = false;
  std::string output;
};

std::vector<std::string> split_ids(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (auto& s : in)
    for (auto& p : split(s, ',', false)) out.push_back(std::string(trim(p)));
  return out;
}

}  // namespace

DoctorRun run_doctor_pipeline(const DoctorInputs& a) {
  CheckFilter filter{split_ids(a.only), split_ids(a.skip)};
  auto unknown = unknown_check_ids(filter);
  if (!unknown.empty()) {
    auto hint = suggest_check_id(unknown[0]);
    throw UsageError("unknown check ID '" + unknown[0] + "'" + (hint.empty() ? "" : " (did you mean " + hint + "?)") +
                     "; 'gpuenv checks' lists them");
  }
  if (a.timeout <= 0) throw UsageError("--timeout must be a positive number of seconds");
  if (a.deep && a.deep_timeout <= 0) throw UsageError("--deep-timeout must be a positive number of seconds");
  if (a.deep && !a.from.empty())
    throw UsageError("--deep imports the frameworks on this machine; --from replays a snapshot, with the deep results it holds");
  if (a.deep && a.root != "/") throw UsageError("--deep runs the interpreters of this machine and cannot be combined with --root");

  DoctorRun run;
  Snapshot& snap = run.snap;
  if (!a.from.empty()) {
    auto doc = parse_doctor_json(read_input_file(a.from));
    if (!doc) throw UsageError((a.from == "-" ? std::string("stdin") : a.from) + ": " + doc.error());
    snap = std::move(doc->snapshot);
  } else {
    Fs probe_root(a.root);
    if (!probe_root.is_dir("/")) throw UsageError("--root " + a.root + " is not a directory");
    SnapshotOptions o;
    o.root = a.root;
    o.env = current_environment();
    o.driver.timeout_s = a.timeout;
    auto env_or = [&](const std::string& flag, const char* var, const char* def) {
      if (!flag.empty()) return flag;
      auto it = o.env.find(var);
      return it != o.env.end() && !it->second.empty() ? it->second : std::string(def);
    };
    o.driver.libcuda = env_or(a.libcuda, "GPUENV_LIBCUDA", "libcuda.so.1");
    o.driver.libnvml = env_or(a.libnvml, "GPUENV_LIBNVML", "libnvidia-ml.so.1");
    // Under --root the live driver means nothing unless a library was named explicitly.
    bool named = !a.libcuda.empty() || o.env.count("GPUENV_LIBCUDA");
    o.driver.enabled = !a.no_driver && (a.root == "/" || named);
    o.driver.trusted_only = env_or("", "GPUENV_TRUSTED_DRIVER", "") == "1";
    if (::isatty(2)) o.on_slow = [](const std::string& msg) { std::fprintf(stderr, "gpuenv: %s\n", msg.c_str()); };
    snap = take_snapshot(o);
    if (a.deep) {
      DeepOptions d;
      d.timeout_s = a.deep_timeout;
      if (::isatty(2)) d.on_progress = [](const std::string& msg) { std::fprintf(stderr, "gpuenv: %s\n", msg.c_str()); };
      snap.deep = probe_deep(snap, d);
    }
  }
  run.findings = run_checks(snap, Knowledge::get(), filter);
  for (auto& c : all_checks())
    if (filter.selects(c.id)) run.checks.push_back({c.id, c.severity});
  return run;
}

void add_doctor_inputs(CLI::App* cmd, DoctorInputs& a) {
  cmd->add_option("--from", a.from, "Replay the checks on a saved snapshot (doctor --json output; - for stdin)");
  cmd->add_option("--root", a.root, "Read every file under DIR instead of / (fixture trees)");
  cmd->add_option("--only", a.only, "Run only these check IDs (comma-separated; 'driver.*' selects a family)");
  cmd->add_option("--skip", a.skip, "Skip these check IDs");
  cmd->add_option("--timeout", a.timeout, "Seconds to wait for the driver probe (default 5)");
  cmd->add_option("--libcuda", a.libcuda, "Probe this libcuda instead of libcuda.so.1 (env GPUENV_LIBCUDA)");
  cmd->add_option("--libnvml", a.libnvml, "Probe this NVML instead of libnvidia-ml.so.1 (env GPUENV_LIBNVML)");
  cmd->add_flag("--no-driver", a.no_driver, "Do not load the user-space driver (files only)");
}

namespace {

int run_doctor(const DoctorArgs& a) {
  std::string format = a.json ? "json" : a.markdown ? "markdown" : a.format;
  auto run = run_doctor_pipeline(a.in);
  const Snapshot& snap = run.snap;
  const auto& findings = run.findings;

  std::string text;
  if (format == "json") text = render_json(snap, findings);
  else if (format == "markdown" || format == "md") text = render_markdown(snap, findings);
  else if (format == "text") {
    TextOptions t;
    t.style.color = a.output.empty() && should_color(1);
    t.verbosity = a.verbose;
    text = render_text(snap, findings, t);
  } else if (format == "prometheus" || format == "nfd") {
    ExporterOptions e;
    e.checks = run.checks;
    e.stack_fingerprint = stack_fingerprint(snap).digest;
    text = format == "nfd" ? render_nfd(snap, findings, e) : render_prometheus(snap, findings, e);
  } else {
    throw UsageError("unknown --format '" + format + "' (text, json, markdown, prometheus, nfd)");
  }
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
  cmd->add_option("--format", a.format, "Output format: text, json, markdown, prometheus (node_exporter textfile), nfd (Node Feature Discovery features.d)")
      ->check(CLI::IsMember({"text", "json", "markdown", "md", "prometheus", "nfd"}));
  cmd->add_flag("--json", a.json, "Same as --format json");
  cmd->add_flag("--markdown", a.markdown, "Same as --format markdown (a bug-report body)");
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
