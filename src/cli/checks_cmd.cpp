// gpuenv checks: the registry of every check ID.
#include <fmt/format.h>

#include "checks/check.hpp"
#include "cli/cli.hpp"
#include "model/json.hpp"
#include "model/json_fields.hpp"

namespace gpuenv {

void add_checks_command(Cli& cli) {
  static bool json = false;
  auto* cmd = cli.add("checks", "List every check ID with a one-line description", [] {
    std::string out;
    if (json) {
      Json arr = Json::array();
      for (auto& c : all_checks())
        arr.push_back(Json{{"id", c.id}, {"severity", severity_name(c.severity)}, {"summary", c.summary}});
      out = json_text(arr) + "\n";
    } else {
      size_t w = 0;
      for (auto& c : all_checks()) w = std::max(w, std::string(c.id).size());
      for (auto& c : all_checks()) out += fmt::format("{:<{}}  {:<7}  {}\n", c.id, w, severity_name(c.severity), c.summary);
    }
    write_output("", out);
    return kExitOk;
  });
  cmd->add_flag("--json", json, "Print the list as JSON");
}

}  // namespace gpuenv
