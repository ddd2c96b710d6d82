// gpuenv checks: the registry of every check ID.
#include "checks/check.hpp"
#include "cli/cli.hpp"

namespace gpuenv {

void add_checks_command(Cli& cli) {
  static FormatArgs format;
  auto* cmd = cli.add("checks", "List every check ID with a one-line description", [] {
    Format f = format.resolve();
    CheckListReport r;
    for (auto& c : all_checks()) r.checks.push_back({c.id, c.severity, c.summary});
    write_output("", render(r, f, {}));
    return kExitOk;
  });
  add_format_options(cmd, format, ReportKind::Checks, "Print the list as JSON");
}

}  // namespace gpuenv
