// The shared --format option (and its --json/--markdown aliases) of every command that prints a report.
#include "cli/cli.hpp"

namespace gpuenv {

Format FormatArgs::resolve() const { return resolve(kind); }

Format FormatArgs::resolve(ReportKind k) const {
  if (json) return Format::Json;
  if (markdown) return Format::Markdown;
  auto f = parse_format(name);
  if (!f || !supports(k, *f)) throw UsageError("unknown --format '" + name + "' (" + format_names(k) + ")");
  return *f;
}

void add_format_options(CLI::App* cmd, FormatArgs& f, ReportKind kind, const std::string& json_help,
                        const std::string& markdown_help) {
  f.kind = kind;
  cmd->add_option("--format", f.name, format_help(kind));
  cmd->add_flag("--json", f.json, json_help);
  if (supports(kind, Format::Markdown)) cmd->add_flag("--markdown", f.markdown, markdown_help);
}

}  // namespace gpuenv
