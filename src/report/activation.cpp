// The views of activation: `env`'s statements for a shell and its JSON, and the -v description of each change.
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "model/json.hpp"
#include "report/formats.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

std::string fish_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string statements(const Activation& act, const std::string& shell) {
  std::string out;
  for (auto& c : act.changes) {
    if (shell == "fish") {
      if (!c.after) {
        out += "set -e " + c.name + ";\n";
      } else if (c.name == "PATH") {
        std::string list;
        for (auto& e : split(*c.after, ':', false)) list += " " + fish_quote(e);
        out += "set -gx PATH" + list + ";\n";
      } else {
        out += "set -gx " + c.name + " " + fish_quote(*c.after) + ";\n";
      }
    } else {
      if (!c.after) out += "unset " + c.name + ";\n";
      else out += "export " + c.name + "=" + shell_quote(*c.after) + ";\n";
    }
  }
  return out;
}

std::string env_json(const EnvReport& r) {
  Json j = Json::object();
  j["spec"] = r.spec_path;
  j["interpreter"] = r.activation.interpreter;
  Json changes = Json::array();
  for (auto& c : r.activation.changes) {
    Json removed = Json::array();
    for (auto& [e, why] : c.removed) removed.push_back(Json{{"entry", e}, {"reason", why}});
    changes.push_back(Json{{"name", c.name},
                           {"before", c.before ? Json(*c.before) : Json(nullptr)},
                           {"after", c.after ? Json(*c.after) : Json(nullptr)},
                           {"why", c.why},
                           {"removed", removed},
                           {"added", c.added}});
  }
  j["changes"] = changes;
  return json_text(j) + "\n";
}

}  // namespace

std::string describe_changes(const std::string& spec_path, const Activation& act, int verbose, const std::string& pre) {
  std::string out;
  out += pre + "gpuenv: " + (spec_path.empty() ? std::string("no gpuenv.toml: driver library fixes only") : "activating " + spec_path) + "\n";
  if (!act.interpreter.empty()) out += pre + "  python: " + act.interpreter + "\n";
  if (act.changes.empty()) out += pre + "  nothing to change\n";
  size_t w = 0;
  for (auto& c : act.changes) w = std::max(w, c.name.size());
  for (auto& c : act.changes) {
    std::string what = c.after ? (c.before ? "" : "set ") : "unset ";
    std::string why = join(c.why, "; ");
    out += pre + fmt::format("  {:<{}}  {}{}\n", c.name, w, what, why);
    for (auto& [e, reason] : c.removed)
      out += pre + fmt::format("  {:<{}}    - {}{}\n", "", w, e.empty() ? "(empty entry)" : e, verbose > 0 ? "  (" + reason + ")" : "");
    for (auto& e : c.added) out += pre + fmt::format("  {:<{}}    + {}\n", "", w, e);
    if (verbose > 1 && c.after) out += pre + fmt::format("  {:<{}}    = {}\n", "", w, *c.after);
  }
  return out;
}

std::string render(const EnvReport& r, Format f, const RenderOptions&) {
  switch (f) {
    case Format::Json: return env_json(r);
    case Format::Text: {
      std::string out;
      if (r.verbose > 0) out += describe_changes(r.spec_path, r.activation, r.verbose, "# ");
      return out + statements(r.activation, r.shell);
    }
    default: throw std::logic_error(std::string("env has no ") + format_name(f) + " renderer");
  }
}

}  // namespace gpuenv
