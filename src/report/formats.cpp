#include "model/json.hpp"
#include "report/formats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "model/json_fields.hpp"
#include "report/report.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

struct FormatName {
  Format format;
  const char* name;
};
constexpr FormatName kNames[] = {{Format::Text, "text"},
                                 {Format::Json, "json"},
                                 {Format::Markdown, "markdown"},
                                 {Format::Prometheus, "prometheus"},
                                 {Format::Nfd, "nfd"}};

const std::map<ReportKind, std::vector<FormatInfo>>& table() {
  static const std::map<ReportKind, std::vector<FormatInfo>> t = {
      {ReportKind::Doctor,
       {{Format::Text, ""},
        {Format::Json, ""},
        {Format::Markdown, ""},
        {Format::Prometheus, "node_exporter textfile"},
        {Format::Nfd, "Node Feature Discovery features.d"}}},
      {ReportKind::Explain, {{Format::Text, ""}, {Format::Json, ""}, {Format::Markdown, ""}}},
      {ReportKind::ExplainList, {{Format::Text, ""}, {Format::Json, ""}}},
      {ReportKind::Fleet, {{Format::Text, ""}, {Format::Json, ""}, {Format::Markdown, ""}}},
      {ReportKind::Checks, {{Format::Text, ""}, {Format::Json, ""}}},
      {ReportKind::Diff, {{Format::Text, ""}, {Format::Json, ""}}},
      {ReportKind::Verify, {{Format::Text, ""}, {Format::Json, ""}}},
      {ReportKind::Env, {{Format::Text, "shell statements"}, {Format::Json, ""}}},
      {ReportKind::Ldd, {{Format::Text, ""}, {Format::Json, ""}}},
      {ReportKind::WhichBuild, {{Format::Text, ""}, {Format::Json, ""}}},
  };
  return t;
}

[[noreturn]] void unsupported(const char* report, Format f) {
  throw std::logic_error(std::string(report) + " has no " + format_name(f) + " renderer");
}

}  // namespace

const char* format_name(Format f) {
  for (auto& n : kNames)
    if (n.format == f) return n.name;
  return "text";
}

std::optional<Format> parse_format(std::string_view name) {
  if (name == "md") return Format::Markdown;
  for (auto& n : kNames)
    if (name == n.name) return n.format;
  return std::nullopt;
}

const std::vector<FormatInfo>& supported_formats(ReportKind kind) { return table().at(kind); }

bool supports(ReportKind kind, Format f) {
  for (auto& i : supported_formats(kind))
    if (i.format == f) return true;
  return false;
}

std::string format_names(ReportKind kind) {
  std::vector<std::string> names;
  for (auto& i : supported_formats(kind)) names.push_back(format_name(i.format));
  return join(names, ", ");
}

std::string format_help(ReportKind kind) {
  std::vector<std::string> names;
  for (auto& i : supported_formats(kind))
    names.push_back(*i.help ? fmt::format("{} ({})", format_name(i.format), i.help) : std::string(format_name(i.format)));
  return "Output format: " + join(names, ", ");
}

std::string render(const DoctorReport& r, Format f, const RenderOptions& o) {
  switch (f) {
    case Format::Text: {
      TextOptions t;
      t.style = o.style;
      t.verbosity = o.verbosity;
      return render_text(r, t);
    }
    case Format::Json: return render_json(r);
    case Format::Markdown: return render_markdown(r);
    case Format::Prometheus:
    case Format::Nfd: {
      ExporterOptions e;
      e.checks = r.checks;
      e.stack_fingerprint = o.stack_fingerprint;
      e.skipped = r.selection.skipped.size();
      return f == Format::Nfd ? render_nfd(r.snap, r.findings, e) : render_prometheus(r.snap, r.findings, e);
    }
  }
  unsupported("doctor", f);
}

std::string render(const CheckListReport& r, Format f, const RenderOptions&) {
  std::string out;
  switch (f) {
    case Format::Json: {
      Json arr = Json::array();
      for (auto& c : r.checks) arr.push_back(Json{{"id", c.id}, {"severity", severity_name(c.severity)}, {"summary", c.summary}});
      return json_text(arr) + "\n";
    }
    case Format::Text: {
      size_t w = 0;
      for (auto& c : r.checks) w = std::max(w, c.id.size());
      for (auto& c : r.checks) out += fmt::format("{:<{}}  {:<7}  {}\n", c.id, w, severity_name(c.severity), c.summary);
      return out;
    }
    default: unsupported("checks", f);
  }
}

}  // namespace gpuenv
