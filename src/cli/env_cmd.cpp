// gpuenv env: the project's environment as shell statements to eval
// (bash, zsh, POSIX sh, fish) or JSON; direnv's `use gpuenv` reads it.
#include "cli/activation_cli.hpp"
#include "cli/cli.hpp"
#include "model/json.hpp"
#include "model/json_fields.hpp"
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

}  // namespace

void add_env_command(Cli& cli) {
  static ActivationArgs a;
  static std::string shell;
  static FormatArgs format;
  auto* cmd = cli.add("env", "Print the project's environment as statements for eval (bash, zsh, fish)", [] {
    bool json = format.resolve() == Format::Json;
    auto spec = spec_for_command(a);
    auto p = activate_for_command(spec, a);
    std::string sh = shell;
    if (sh.empty()) {
      auto it = p.result.env.find("SHELL");
      sh = it != p.result.env.end() && base_name(it->second) == "fish" ? "fish" : "bash";
    }
    std::string out;
    if (json) {
      Json j = Json::object();
      j["spec"] = spec.path;
      j["interpreter"] = p.result.interpreter;
      Json changes = Json::array();
      for (auto& c : p.result.changes) {
        Json r = Json::array();
        for (auto& [e, why] : c.removed) r.push_back(Json{{"entry", e}, {"reason", why}});
        changes.push_back(Json{{"name", c.name},
                               {"before", c.before ? Json(*c.before) : Json(nullptr)},
                               {"after", c.after ? Json(*c.after) : Json(nullptr)},
                               {"why", c.why},
                               {"removed", r},
                               {"added", c.added}});
      }
      j["changes"] = changes;
      out = json_text(j) + "\n";
    } else {
      if (a.verbose > 0) out += describe_changes(spec, p.result, a.verbose, "# ");
      out += statements(p.result, sh);
    }
    write_output("", out);
    return kExitOk;
  });
  cmd->description(
      "Print what `gpuenv run` would change, as statements to eval in your shell: only the variables\n"
      "that change are printed, so evaluating it twice changes nothing more.\n\n"
      "Examples:\n"
      "  eval \"$(gpuenv env)\"                 bash, zsh, sh\n"
      "  gpuenv env --shell fish | source     fish\n"
      "  gpuenv env -v                        with each reason as a comment\n"
      "  use gpuenv                           in .envrc (direnv; share/direnv/gpuenv.sh)");
  cmd->add_option("--shell", shell, "bash, zsh, sh or fish (default: from $SHELL)")
      ->check(CLI::IsMember({"bash", "zsh", "sh", "fish"}));
  add_format_options(cmd, format, ReportKind::Env, "Print the changes and their reasons as JSON");
  cmd->add_option("--spec", a.spec, "Use this spec instead of looking for gpuenv.toml");
  cmd->add_flag("-v,--verbose", a.verbose, "Add each change's reason as a comment");
  cmd->add_option("--root", a.root, "Read files under DIR instead of / (tests)")->group("");
}

}  // namespace gpuenv
