// gpuenv verify: compare this machine with gpuenv.lock and judge each change.
#include "app/stack.hpp"
#include "cli/cli.hpp"
#include "util/term.hpp"

namespace gpuenv {

template <class Report>
int print_changes_of(const Report& r, Format f, bool allow_compatible) {
  RenderOptions o;
  o.style.color = should_color(1);
  write_output("", render(r, f, o));
  return changes_are_problems(r.changes, allow_compatible) ? kExitProblems : kExitOk;
}
int print_changes(const VerifyReport& r, Format f, bool allow_compatible) { return print_changes_of(r, f, allow_compatible); }
int print_changes(const DiffReport& r, Format f, bool allow_compatible) { return print_changes_of(r, f, allow_compatible); }

void add_verify_command(Cli& cli) {
  static StackInputs a;
  static std::string lock_path;
  static FormatArgs format;
  static bool allow_compatible = false;
  auto* cmd = cli.add("verify", "Compare this machine with gpuenv.lock and judge each change", [] {
    Format f = format.resolve();
    ProgressLine progress;
    a.progress = &progress;
    return print_changes(verify_stack(a, lock_path), f, allow_compatible);
  });
  cmd->description(
      "Probe this machine and compare it with gpuenv.lock. Each change is judged: 'fine' (the stack\n"
      "still works, e.g. a driver that still runs the frameworks' CUDA), 'risky' (it may work), or\n"
      "'breaks' (e.g. cuDNN 9 -> 8 where torch needs libcudnn.so.9). A lock written by a newer gpuenv,\n"
      "truncated or edited is an error, never a verdict.\n\n"
      "Examples:\n"
      "  gpuenv verify\n"
      "  gpuenv verify --allow-compatible     exit 0 when every change is judged fine\n"
      "  gpuenv verify --json\n\n"
      "Exit status: 0 nothing changed, 1 changes (each with its impact), 2 no lock, a bad lock or usage.");
  add_stack_options(cmd, a);
  cmd->add_option("--lock", lock_path, "The lock to compare with (default: gpuenv.lock beside the spec)");
  add_format_options(cmd, format, ReportKind::Verify, "Print the changes as JSON");
  cmd->add_flag("--allow-compatible", allow_compatible, "Exit 0 when every change is judged fine");
}

}  // namespace gpuenv
