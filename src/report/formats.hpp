#pragma once
// The one table of output formats: every format's name, and which formats each command's report supports.
// The CLI registers --format (and the --json/--markdown aliases) from it (cli/format_cli.cpp); each report
// has one render() below that picks its renderer by format.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/reports.hpp"
#include "util/term.hpp"

namespace gpuenv {

enum class Format { Text, Json, Markdown, Prometheus, Nfd };

// "text", "json", "markdown", "prometheus", "nfd".
const char* format_name(Format f);
// A name as --format takes it ("md" is markdown); nullopt for an unknown name.
std::optional<Format> parse_format(std::string_view name);

// The reports whose formats the table lists (one per command that prints a report).
enum class ReportKind { Doctor, Explain, ExplainList, Fleet, Checks, Diff, Verify, Env, Ldd, WhichBuild };

struct FormatInfo {
  Format format;
  const char* help;  // "node_exporter textfile" ("" when the name says it)
};
// The formats a report supports, text first.
const std::vector<FormatInfo>& supported_formats(ReportKind kind);
bool supports(ReportKind kind, Format f);
// "text, json, markdown" (for usage errors).
std::string format_names(ReportKind kind);
// "Output format: text, json, markdown (a bug-report body)": the --format help.
std::string format_help(ReportKind kind);

// What the text renderers take besides the report.
struct RenderOptions {
  Style style;        // colours (text only)
  int verbosity = 0;  // -v count (text only)
  std::string stack_fingerprint;  // doctor's exporters (prometheus, nfd): "" to leave it out
};

// Picks the renderer of `f` (which the report must support: a std::logic_error otherwise).
std::string render(const DoctorReport& r, Format f, const RenderOptions& o);
std::string render(const CheckListReport& r, Format f, const RenderOptions& o);
std::string render(const DiffReport& r, Format f, const RenderOptions& o);
std::string render(const VerifyReport& r, Format f, const RenderOptions& o);
std::string render(const WhichBuildReport& r, Format f, const RenderOptions& o);
std::string render(const LddReport& r, Format f, const RenderOptions& o);
std::string render(const EnvReport& r, Format f, const RenderOptions& o);

// What activation changes, one variable a line with its reasons (`run -v`, `shell -v`, and `env -v` as comments
// with line_prefix "# "). verbose > 0: each removed entry's reason; > 1: the new values.
std::string describe_changes(const std::string& spec_path, const Activation& act, int verbose,
                             const std::string& line_prefix = "");

// Plain text, one change per line (+ reason); `color` for a terminal (diff's and verify's text).
std::string render_changes(const std::vector<LockChange>& changes, bool color);
// "3 changes (1 breaks, 2 fine)".
std::string changes_summary(const std::vector<LockChange>& changes);

}  // namespace gpuenv
