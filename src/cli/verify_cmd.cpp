// gpuenv verify: compare this machine with gpuenv.lock and judge each change.
#include <fmt/format.h>

#include "cli/cli.hpp"
#include "cli/stack_cli.hpp"
#include "lock/diff.hpp"
#include "model/json.hpp"
#include "model/json_fields.hpp"
#include "util/term.hpp"

namespace gpuenv {

std::string changes_json(const std::vector<LockChange>& changes) {
  Json arr = Json::array();
  for (auto& c : changes)
    arr.push_back(Json{{"subject", c.subject}, {"before", c.before}, {"after", c.after},
                       {"impact", impact_name(c.impact)}, {"reason", c.reason}});
  return json_text(arr) + "\n";
}

std::string changes_summary(const std::vector<LockChange>& changes) {
  int n[3] = {0, 0, 0};
  for (auto& c : changes) ++n[int(c.impact)];
  std::vector<std::string> parts;
  if (n[2]) parts.push_back(fmt::format("{} breaks", n[2]));
  if (n[1]) parts.push_back(fmt::format("{} risky", n[1]));
  if (n[0]) parts.push_back(fmt::format("{} fine", n[0]));
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? ", " : "") + parts[i];
  return fmt::format("{} change{} ({})", changes.size(), changes.size() == 1 ? "" : "s", s);
}

int exit_for(const std::vector<LockChange>& changes, bool allow_compatible) {
  if (changes.empty()) return kExitOk;
  if (allow_compatible)
    for (auto& c : changes)
      if (c.impact != Impact::Fine) return kExitProblems;
  return allow_compatible ? kExitOk : kExitProblems;
}

void add_verify_command(Cli& cli) {
  static StackArgs a;
  static std::string lock_path;
  static bool json = false, allow_compatible = false;
  auto* cmd = cli.add("verify", "Compare this machine with gpuenv.lock and judge each change", [] {
    auto st = probe_stack(a);
    std::string path = lock_path.empty() ? default_lock_path(st.spec) : lock_path;
    Fs fs;
    if (!fs.exists(path)) throw UsageError("no lock at " + path + ": run `gpuenv lock` first");
    auto locked = read_lock_or_snapshot(path);
    auto now = lock_of(st, a);
    auto changes = diff_locks(locked, now);
    std::string out;
    if (json) {
      out = changes_json(changes);
    } else if (changes.empty()) {
      out = "gpuenv verify: nothing changed since " + path + "\n";
    } else {
      out = "gpuenv verify: " + changes_summary(changes) + " since " + path + "\n" +
            render_changes(changes, should_color(1));
    }
    write_output("", out);
    return exit_for(changes, allow_compatible);
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
  cmd->add_flag("--json", json, "Print the changes as JSON");
  cmd->add_flag("--allow-compatible", allow_compatible, "Exit 0 when every change is judged fine");
}

}  // namespace gpuenv
