#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "build_info.hpp"
#include "cli/cli.hpp"
#include "cli/cli_tree.hpp"
#include "util/atomic_file.hpp"
#include "util/fs.hpp"

namespace gpuenv {

void write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
      throw UsageError(std::string("cannot write to standard output: ") + std::strerror(errno));
    return;
  }
  auto r = write_file_atomic(path, text);
  if (!r) throw UsageError(r.error());
}

namespace {
// Command lists show the first sentence of each command's description; its own --help shows all of it.
class ShortListFormatter : public CLI::Formatter {
 public:
  ShortListFormatter() {
#if CLI11_VERSION_MAJOR > 2 || (CLI11_VERSION_MAJOR == 2 && CLI11_VERSION_MINOR >= 6)
    // CLI11 2.5 and newer reflow a command's description and footer as paragraphs; gpuenv's help texts are laid
    // out by hand (examples, aligned lists), so they are printed as written, as CLI11 2.1 to 2.4 do. 2.6 added
    // the switches; 2.5 reflows them whatever is asked.
    enable_description_formatting(false);
    enable_footer_formatting(false);
#endif
  }
  std::string make_subcommand(const CLI::App* sub) const override {
    // Written here, not with CLI::detail's helper: that one is internal and gone from CLI11 2.5 on (nixpkgs has
    // 2.5 and newer). The layout is CLI11's own: the name indented by two and padded to the column width, or
    // alone on its line when longer.
    std::string name = "  " + sub->get_display_name(true);
    std::string line = first_sentence(sub->get_description());
    size_t width = get_column_width();
    std::string out = name;
    if (name.size() >= width) out += "\n" + std::string(width, ' ');
    else out += std::string(width - name.size(), ' ');
    return out + line + "\n";
  }
};
}  // namespace

namespace {
// A command's exit code, or 2 when what it printed did not reach standard output (a full disk, a closed pipe
// that does not kill us): `gpuenv lock -o - > /dev/full` must not look like a success.
int stdout_checked(int code) {
  errno = 0;
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "gpuenv: error: cannot write to standard output: %s\n",
                 errno ? std::strerror(errno) : "write error");
    return kExitUsage;
  }
  return code;
}
}  // namespace

int run_cli(int argc, char** argv) {
  Cli cli;
  auto& app = cli.app;
  app.formatter(std::make_shared<ShortListFormatter>());
  app.set_version_flag("-V,--version", std::string("gpuenv ") + GPUENV_VERSION + " (commit " + build_commit() + ")");
  app.require_subcommand(0, 1);
  app.footer(
      "Exit codes: 0 healthy, 1 problems found, 2 usage or internal error.\n"
      "Run 'gpuenv COMMAND --help' for a command's options; docs/ has the JSON schema and every check.");
  // The commands, in the order `gpuenv --help` lists them. Setting up every command's options costs
  // more than a whole `gpuenv run`, so a run that names a known command registers only that one
  // (help, errors and unknown words register all, so the messages stay complete).
  static const std::vector<std::pair<const char*, void (*)(Cli&)>> commands = {
      {"doctor", add_doctor_command}, {"checks", add_checks_command}, {"explain", add_explain_command},
      {"ldd", add_ldd_command},
      {"run", add_run_command},       {"env", add_env_command},       {"shell", add_shell_command},
      {"init", add_init_command},     {"lock", add_lock_command},     {"verify", add_verify_command},
      {"diff", add_diff_command},     {"nix", add_nix_command},       {"fleet", add_fleet_command},
      {"slurm", add_slurm_command},   {"which-build", add_which_build_command},
      {"completions", add_completions_command}, {"man", add_man_command},
  };
  std::string_view first = argc > 1 ? argv[1] : "";
  bool whole_tree = first == "completions" || first == "man";  // their scripts and page describe every command
  bool registered = false;
  for (auto& [name, add] : commands)
    if (first == name && !whole_tree) {
      add(cli);
      registered = true;
    }
  if (!registered)
    for (auto& [name, add] : commands) add(cli);

  // `run` hands everything after "--" to the command untouched (CLI11 would
  // otherwise take those words as its own positionals).
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) != "--") continue;
    bool is_run = false;
    for (int j = 1; j < i; ++j) is_run = is_run || std::string_view(argv[j]) == "run";
    if (is_run) {
      cli.has_passthrough = true;
      for (int j = i + 1; j < argc; ++j) cli.passthrough.emplace_back(argv[j]);
      argc = i;
    }
    break;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  try {
    for (auto* sub : app.get_subcommands()) {
      auto it = cli.actions.find(sub);
      if (it != cli.actions.end()) return stdout_checked(it->second());
      // Command groups (fleet report, slurm healthcheck): the chosen subcommand's action.
      for (auto* inner : sub->get_subcommands()) {
        auto in = cli.actions.find(inner);
        if (in != cli.actions.end()) return stdout_checked(in->second());
      }
    }
    // No command: show the help, like git.
    std::cout << app.help();
    return kExitUsage;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "gpuenv: error: %s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gpuenv: internal error: %s\n", e.what());
    return kExitUsage;
  }
}

}  // namespace gpuenv
