// gpuenv env: the project's environment as shell statements to eval
// (bash, zsh, POSIX sh, fish) or JSON; direnv's `use gpuenv` reads it.
#include "app/activation.hpp"
#include "cli/cli.hpp"

namespace gpuenv {

void add_env_command(Cli& cli) {
  static ActivationArgs a;
  static std::string shell;
  static FormatArgs format;
  auto* cmd = cli.add("env", "Print the project's environment as statements for eval (bash, zsh, fish)", [] {
    Format f = format.resolve();
    write_output("", render(env_report(a, shell), f, RenderOptions{}));
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
