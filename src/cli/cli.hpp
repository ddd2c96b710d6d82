#pragma once
// The command layer: parses arguments (CLI11) and dispatches to the library.
// Each command lives in its own file and registers itself with add_*_command.
#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/doctor.hpp"
#include "env/spec.hpp"
#include "model/finding.hpp"
#include "model/snapshot.hpp"
#include "model/reports.hpp"
#include "report/formats.hpp"
#include "report/report.hpp"
#include "util/errors.hpp"

namespace gpuenv {

// Exit codes (README, "Exit codes"): 0 healthy, 1 problems found, 2 usage or internal error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitProblems = 1;
inline constexpr int kExitUsage = 2;

struct Cli {
  CLI::App app{"gpuenv: make GPU machine-learning environments reproducible and self-explaining", "gpuenv"};
  std::map<CLI::App*, std::function<int()>> actions;
  // `gpuenv run [options] -- CMD ARGS`: everything after the first "--" (set only for run).
  std::vector<std::string> passthrough;
  bool has_passthrough = false;
  CLI::App* add(const std::string& name, const std::string& description, std::function<int()> action) {
    auto* sub = app.add_subcommand(name, description);
    actions[sub] = std::move(action);
    return sub;
  }
};

// --format NAME, with --json and --markdown as aliases: the same flags on every command, from the table of
// formats (report/formats.hpp). resolve() throws UsageError (exit 2) for a format the report does not have.
struct FormatArgs {
  ReportKind kind = ReportKind::Doctor;
  std::string name = "text";
  bool json = false, markdown = false;
  Format resolve() const;
  Format resolve(ReportKind k) const;  // the same, checked against another report of the command (explain --list)
};
// Registers --format, --json and (when the report has Markdown) --markdown on `cmd`.
void add_format_options(CLI::App* cmd, FormatArgs& f, ReportKind kind, const std::string& json_help = "Same as --format json",
                        const std::string& markdown_help = "Same as --format markdown");

void add_doctor_command(Cli& cli);
void add_checks_command(Cli& cli);
void add_ldd_command(Cli& cli);
void add_fleet_command(Cli& cli);
void add_slurm_command(Cli& cli);

// The doctor pipeline with its progress lines on stderr when that is a terminal.
DoctorReport run_doctor_pipeline_here(DoctorInputs in);
// Registers --from, --root, --only, --skip, --timeout, --libcuda, --libnvml, --no-driver.
void add_doctor_inputs(CLI::App* cmd, DoctorInputs& in);
void add_run_command(Cli& cli);
// run and shell: -v's description of the changes, the --check refusal (its findings, then `refusal`) or
// `entering` and the execve of the plan (app/activation.hpp), whose exit code it returns when that fails.
struct LaunchPlan;
struct ActivationArgs;
int start_plan(const LaunchPlan& p, const ActivationArgs& a, const std::string& refusal, const std::string& entering = "");
int exec_plan(const LaunchPlan& p);
void add_env_command(Cli& cli);
void add_shell_command(Cli& cli);
void add_init_command(Cli& cli);
void add_lock_command(Cli& cli);
// lock and verify: --spec, --from, --timeout, --no-driver, --root; hashing progress on stderr when a terminal.
struct StackInputs;
void add_stack_options(CLI::App* cmd, StackInputs& a);
// verify and diff: the report on stdout; exit 1 when the changes are problems (app/stack.hpp).
int print_changes(const VerifyReport& r, Format f, bool allow_compatible);
int print_changes(const DiffReport& r, Format f, bool allow_compatible);
void add_verify_command(Cli& cli);
void add_diff_command(Cli& cli);
void add_nix_command(Cli& cli);
void add_which_build_command(Cli& cli);
void add_explain_command(Cli& cli);
void add_completions_command(Cli& cli);
void add_man_command(Cli& cli);

// The completion script for bash, zsh or fish, and the man page (roff), made from the commands registered in app.
std::string completion_script(const CLI::App& app, const std::string& shell);
std::string man_page(const CLI::App& app);

int run_cli(int argc, char** argv);

// Writes to stdout, or atomically to a file.
void write_output(const std::string& path, const std::string& text);

}  // namespace gpuenv
