#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "build_info.hpp"
#include "cli/cli.hpp"
#include "util/atomic_file.hpp"
#include "util/fs.hpp"

namespace gpuenv {

std::string read_input_file(const std::string& path) {
  if (path == "-") {
    std::string out((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return out;
  }
  Fs fs;
  auto r = fs.read(path);
  if (!r) throw UsageError("cannot read " + r.error());
  return std::move(r).value();
}

void write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return;
  }
  auto r = write_file_atomic(path, text);
  if (!r) throw UsageError(r.error());
}

int run_cli(int argc, char** argv) {
  Cli cli;
  auto& app = cli.app;
  app.set_version_flag("-V,--version", std::string("gpuenv ") + GPUENV_VERSION);
  app.require_subcommand(0, 1);
  app.footer(
      "Exit codes: 0 healthy, 1 problems found, 2 usage or internal error.\n"
      "Run 'gpuenv COMMAND --help' for a command's options; docs/ has the JSON schema and every check.");
  add_doctor_command(cli);
  add_checks_command(cli);
  add_ldd_command(cli);
  add_fleet_command(cli);
  add_slurm_command(cli);
  add_run_command(cli);
  add_env_command(cli);
  add_shell_command(cli);
  add_init_command(cli);
  add_lock_command(cli);
  add_verify_command(cli);
  add_diff_command(cli);

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
      if (it != cli.actions.end()) return it->second();
      // Command groups (fleet report, slurm healthcheck): the chosen subcommand's action.
      for (auto* inner : sub->get_subcommands()) {
        auto in = cli.actions.find(inner);
        if (in != cli.actions.end()) return in->second();
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
