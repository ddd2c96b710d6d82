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
  // The values in the type name ("TEXT:{text,json,...}") are what --help, the man page and the completions offer;
  // FormatArgs::resolve checks the value, with a message naming the formats of this report.
  std::string values;
  for (auto& i : supported_formats(kind)) {
    values += (values.empty() ? "" : ",") + std::string(format_name(i.format));
    if (i.format == Format::Markdown) values += ",md";
  }
  cmd->add_option("--format", f.name, format_help(kind))->type_name("TEXT:{" + values + "}");
  cmd->add_flag("--json", f.json, json_help);
  if (supports(kind, Format::Markdown)) cmd->add_flag("--markdown", f.markdown, markdown_help);
}

}  // namespace gpuenv
