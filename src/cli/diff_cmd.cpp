// gpuenv diff A B: compare two locks or saved snapshots in the terms of verify.
#include "app/stack.hpp"
#include "cli/cli.hpp"

namespace gpuenv {

void add_diff_command(Cli& cli) {
  static std::string a, b;
  static FormatArgs format;
  static bool allow_compatible = false;
  auto* cmd = cli.add("diff", "Compare two locks or snapshots (two machines, or before and after an update)", [] {
    Format f = format.resolve();
    return print_changes(diff_stacks(a, b), f, allow_compatible);
  });
  cmd->description(
      "Compare A with B, each a gpuenv.lock or a saved snapshot (gpuenv doctor --json), and judge each\n"
      "change as verify does. Snapshots carry no file hashes: libraries are compared by path, version\n"
      "and size.\n\n"
      "Examples:\n"
      "  gpuenv diff node1.json node2.json\n"
      "  gpuenv diff old/gpuenv.lock gpuenv.lock\n\n"
      "Exit status: 0 no differences, 1 differences, 2 an unreadable or bad input.");
  cmd->add_option("A", a, "The earlier lock or snapshot")->required();
  cmd->add_option("B", b, "The later lock or snapshot")->required();
  add_format_options(cmd, format, ReportKind::Diff, "Print the changes as JSON");
  cmd->add_flag("--allow-compatible", allow_compatible, "Exit 0 when every change is judged fine");
}

}  // namespace gpuenv
