// gpuenv explain: known error messages in a log -> the check, root cause and fix.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "checks/check.hpp"
#include "checks/explain.hpp"
#include "cli/cli.hpp"
#include "report/explain_report.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

struct ExplainArgs {
  std::vector<std::string> message;
  std::string file;
  std::string from;
  bool here = false;
  std::string format = "text";
  bool json = false, markdown = false;
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

std::string list_messages(const Knowledge& k, bool json) {
  if (json) {
    Json arr = Json::array();
    for (auto& m : k.messages())
      arr.push_back(Json{{"id", m.check.empty() ? m.id : m.check}, {"entry", m.id}, {"severity", m.severity},
                         {"emitter", m.emitter}, {"pattern", m.pattern}, {"source", m.source}});
    return arr.dump(2) + "\n";
  }
  std::string out;
  size_t w = 0;
  for (auto& m : k.messages()) w = std::max(w, m.id.size());
  for (auto& m : k.messages())
    out += fmt::format("{:<{}}  {:<32}  {:<7}  {}\n", m.id, w, m.check.empty() ? "-" : m.check, m.severity, m.emitter);
  return out;
}

int run_explain(const ExplainArgs& a) {
  const Knowledge& know = Knowledge::get();
  std::string format = a.json ? "json" : a.markdown ? "markdown" : a.format;
  if (a.list) {
    write_output(a.output, list_messages(know, format == "json"));
    return kExitOk;
  }
  if (!a.message.empty() && !a.file.empty()) throw UsageError("give the message as arguments or --file LOG, not both");
  if (a.here && !a.from.empty()) throw UsageError("--here probes this machine and --from reads a snapshot: choose one");

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

  DoctorRun run;
  ExplainContext ctx;
  if (a.here || !a.from.empty()) {
    DoctorInputs in;
    in.from = a.from;
    in.timeout = a.timeout;
    if (a.from == "-" && a.file.empty() && a.message.empty())
      throw UsageError("--from - and the log cannot both come from stdin; use --file LOG");
    run = run_doctor_pipeline(in);
    ctx.snap = &run.snap;
    ctx.findings = &run.findings;
    r.snapshot = a.here ? "this machine (live probe)" : "snapshot " + a.from;
    if (!run.snap.host.hostname.empty()) r.snapshot += " of " + run.snap.host.hostname;
  }
  r.explanations = explain_log(text, know, ctx);

  std::string out;
  if (format == "json") out = explain_to_json(r).dump(2) + "\n";
  else if (format == "markdown" || format == "md") out = render_explain_markdown(r);
  else if (format == "text") {
    Style st;
    st.color = a.output.empty() && should_color(1);
    out = render_explain_text(r, st);
  } else {
    throw UsageError("unknown --format '" + format + "' (text, json, markdown)");
  }
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
  cmd->add_option("--format", a.format, "Output format: text, json, markdown")->check(CLI::IsMember({"text", "json", "markdown", "md"}));
  cmd->add_flag("--json", a.json, "Same as --format json");
  cmd->add_flag("--markdown", a.markdown, "Same as --format markdown (a bug-report body)");
  cmd->add_flag("--strict", a.strict, "Exit 1 on warnings too");
  cmd->add_flag("--list", a.list, "List every known message with its check ID and where it comes from");
  cmd->add_option("-o,--output", a.output, "Write the answer to FILE atomically instead of stdout");
}

}  // namespace gpuenv
