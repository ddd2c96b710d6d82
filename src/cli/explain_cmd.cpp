// gpuenv explain: known error messages in a log -> the check, root cause and fix.
#include <unistd.h>

#include <cstdio>

#include "checks/check.hpp"
#include "checks/explain.hpp"
#include "cli/cli.hpp"
#include "model/json.hpp"
#include "report/explain_report.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

struct ExplainArgs {
  std::vector<std::string> message;
  std::string file;
  std::string from;
  bool here = false;
  FormatArgs format;
  bool strict = false;
  bool list = false;
  double timeout = 5.0;
  std::string output;
};

int count_lines(const std::string& s) {
  if (s.empty()) return 0;
  int n = 0;
  for (char c : s) n += c == '\n';
  return s.back() == '\n' ? n : n + 1;
}

int run_explain(const ExplainArgs& a) {
  const Knowledge& know = Knowledge::get();
  if (a.list) {
    write_output(a.output, render_message_list(know, a.format.resolve(ReportKind::ExplainList)));
    return kExitOk;
  }
  if (!a.message.empty() && !a.file.empty()) throw UsageError("give the message as arguments or --file LOG, not both");
  if (a.here && !a.from.empty()) throw UsageError("--here probes this machine and --from reads a snapshot: choose one");

  Format format = a.format.resolve();
  ExplainReport r;
  std::string text;
  if (!a.message.empty()) {
    text = join(a.message, " ");
    r.input = "arguments";
  } else {
    std::string path = a.file.empty() ? "-" : a.file;
    if (path == "-" && ::isatty(0))
      std::fprintf(stderr, "gpuenv: paste the error message or log, then press Ctrl-D\n");
    text = read_input_file(path);
    r.input = path == "-" ? "stdin" : "file " + path;
  }
  r.input_lines = count_lines(text);
  r.known_messages = int(know.messages().size());

  DoctorReport run;
  ExplainContext ctx;
  if (a.here || !a.from.empty()) {
    DoctorInputs in;
    in.from = a.from;
    in.driver.timeout = a.timeout;
    if (a.from == "-" && a.file.empty() && a.message.empty())
      throw UsageError("--from - and the log cannot both come from stdin; use --file LOG");
    run = run_doctor_pipeline_here(in);
    ctx.snap = &run.snap;
    ctx.findings = &run.findings;
    r.snapshot = a.here ? "this machine (live probe)" : "snapshot " + a.from;
    if (!run.snap.host.hostname.empty()) r.snapshot += " of " + run.snap.host.hostname;
  }
  r.explanations = explain_log(text, know, ctx);

  RenderOptions o;
  o.style.color = a.output.empty() && should_color(1);
  std::string out = render(r, format, o);
  write_output(a.output, out);

  std::vector<Finding> fs;
  for (auto& e : r.explanations) fs.push_back(e.finding);
  auto sum = summarize(fs);
  return (sum.errors > 0 || (a.strict && sum.warnings > 0)) ? kExitProblems : kExitOk;
}

}  // namespace

void add_explain_command(Cli& cli) {
  static ExplainArgs a;
  auto* cmd = cli.add("explain", "Explain a GPU error message or a whole log: the check, root cause and fix", [] { return run_explain(a); });
  cmd->description(
      "Explain a GPU error message or a whole log: for every known message of the CUDA runtime,\n"
      "the driver, NVML, NCCL, the container runtime, PyTorch, TensorFlow, JAX, CuPy and Nix it\n"
      "names the doctor check that detects the same problem, the root cause and the fix, with the\n"
      "line it was found on. Each message is listed once, in order of first appearance. The log\n"
      "is text only: nothing is run.\n\n"
      "The message comes from the arguments, or the whole log from --file LOG or stdin.\n"
      "By default the answer is general (the log may come from another machine); --here probes\n"
      "this machine like 'gpuenv doctor' (driver, GPUs, frameworks) and --from SNAPSHOT uses a\n"
      "saved 'gpuenv doctor --json' of the machine the log came from, to name the exact cause\n"
      "(\"driver 535 supports CUDA 12.2; torch 2.9.0+cu130 is built for CUDA 13.0: needs >= 580\").\n\n"
      "Exit codes: 0 no known problem (nothing matched, or only warnings, harmless messages, out of\n"
      "memory or bugs in the program), 1 a known setup error found (warnings too with --strict),\n"
      "2 usage error or unreadable input.\n\n"
      "Examples:\n"
      "  gpuenv explain 'CUDA driver version is insufficient for CUDA runtime version'\n"
      "  python train.py 2>&1 | gpuenv explain --here\n"
      "  gpuenv explain --file slurm-1234.out --from node17.json\n"
      "  gpuenv explain --file job.log --markdown     a bug-report body\n"
      "  gpuenv explain --list                       every known message and its check");
  cmd->add_option("message", a.message, "The error message (several words are joined with spaces)");
  cmd->add_option("-f,--file", a.file, "Read the log from FILE (- for stdin)");
  cmd->add_option("--from", a.from, "Narrow the causes with a saved snapshot (gpuenv doctor --json of the machine the log came from)");
  cmd->add_flag("--here", a.here, "Narrow the causes with a live probe of this machine (like gpuenv doctor)");
  cmd->add_option("--timeout", a.timeout, "Seconds to wait for the driver probe with --here (default 5)");
  add_format_options(cmd, a.format, ReportKind::Explain, "Same as --format json", "Same as --format markdown (a bug-report body)");
  cmd->add_flag("--strict", a.strict, "Exit 1 on warnings too");
  cmd->add_flag("--list", a.list, "List every known message with its check ID and where it comes from");
  cmd->add_option("-o,--output", a.output, "Write the answer to FILE atomically instead of stdout");
}

}  // namespace gpuenv
