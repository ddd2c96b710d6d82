// gpuenv fleet report: one view of many nodes' doctor --json documents.
#include "cli/cli.hpp"
#include "fleet/fleet.hpp"

namespace gpuenv {

namespace {

struct FleetArgs {
  std::vector<std::string> inputs;
  FormatArgs format;
  std::string output;
  bool strict = false;
  int verbose = 0;
  unsigned threads = 0;
};

int run_fleet_report(const FleetArgs& a) {
  Format format = a.format.resolve();
  std::vector<SkippedFile> skipped;
  auto files = expand_fleet_inputs(a.inputs, skipped);
  if (files.empty() && skipped.empty()) throw UsageError("no *.json files in " + a.inputs.front());
  auto report = read_fleet(files, std::move(skipped), a.threads);
  RenderOptions o;
  o.style.color = a.output.empty() && should_color(1);
  o.verbosity = a.verbose;
  std::string text = render(report, format, o);
  write_output(a.output, text);
  if (report.nodes.empty()) return kExitUsage;
  return report.problems(a.strict) ? kExitProblems : kExitOk;
}

}  // namespace

void add_fleet_command(Cli& cli) {
  static FleetArgs a;
  auto* fleet = cli.app.add_subcommand("fleet", "Compare many nodes: stacks, outliers and failing checks");
  fleet->require_subcommand(1);
  auto* cmd = fleet->add_subcommand("report", "Group node snapshots by stack, name the outliers and failing checks");
  cli.actions[cmd] = [] { return run_fleet_report(a); };
  cmd->description(
      "Read many 'gpuenv doctor --json' documents (one per node) and print: nodes grouped by stack\n"
      "fingerprint (driver, CUDA driver API, libraries, frameworks), the majority stack, every outlier\n"
      "stack with what differs from the majority, and each failing check with its nodes. A file that\n"
      "is not a valid doctor document is named and skipped.\n\n"
      "Examples:\n"
      "  srun -N64 --ntasks-per-node=1 -o 'fleet/%N.json' -e 'fleet/%N.err' gpuenv doctor --json\n"
      "  gpuenv fleet report fleet/                 text report of every fleet/*.json\n"
      "  gpuenv fleet report --markdown fleet/ > fleet.md\n"
      "  gpuenv fleet report --json fleet/*.json    for tools (docs/fleet.md)\n\n"
      "Exit codes: 0 one stack and no errors, 1 outliers, errors or skipped files, 2 nothing readable.");
  cmd->add_option("inputs", a.inputs, "doctor --json files, or directories of *.json files")->required();
  add_format_options(cmd, a.format, ReportKind::Fleet);
  cmd->add_option("-o,--output", a.output, "Write the report to FILE atomically instead of stdout");
  cmd->add_flag("--strict", a.strict, "Exit 1 on warnings too");
  cmd->add_flag("-v,--verbose", a.verbose, "List every node of every stack; do not shorten node lists");
  cmd->add_option("--threads", a.threads, "Parse on N threads (default: one per core)");
}

}  // namespace gpuenv
