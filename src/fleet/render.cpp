// Views of a FleetReport: text for a terminal, Markdown for a ticket or a wiki
// page, JSON for tools (docs/fleet.md documents the JSON).
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "fleet/fleet.hpp"
#include "model/json.hpp"
#include "model/json_fields.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

std::vector<std::string> names_of(const FleetReport& r, const std::vector<size_t>& idx) {
  std::vector<std::string> out;
  out.reserve(idx.size());
  for (auto i : idx) out.push_back(r.nodes[i].node);
  return out;
}

std::string percent(size_t part, size_t whole) {
  return whole ? fmt::format("{:.1f}%", 100.0 * double(part) / double(whole)) : "-";
}

std::string plural(size_t n, const char* one, const char* many) { return fmt::format("{} {}", n, n == 1 ? one : many); }

std::string headline(const FleetReport& r) {
  std::string s = plural(r.nodes.size(), "node", "nodes") + ", " + plural(r.groups.size(), "stack", "stacks");
  size_t failing_nodes = 0;
  for (auto& n : r.nodes) failing_nodes += n.errors > 0;
  s += ", " + plural(failing_nodes, "node with errors", "nodes with errors");
  if (!r.skipped.empty()) s += ", " + plural(r.skipped.size(), "file skipped", "files skipped");
  return s;
}

std::string show(const std::string& v) { return v.empty() ? "(none)" : v; }

std::string gpu_line(const StackGroup& g) {
  std::vector<std::string> parts;
  for (auto& [desc, count] : g.gpus) parts.push_back(fmt::format("{} on {}", desc, plural(count, "node", "nodes")));
  return join(parts, "; ");
}

std::string md_cell(std::string s) {
  s = replace_all(std::move(s), "|", "\\|");
  return replace_all(std::move(s), "\n", " ");
}

}  // namespace

std::string render_fleet_text(const FleetReport& r, const FleetTextOptions& o) {
  const Style& st = o.style;
  size_t cap = o.verbosity > 0 ? 0 : 24;  // hostlist ranges shown per line
  std::string out = st.bold("gpuenv fleet report: ") + headline(r) + "\n";
  if (!r.groups.empty()) {
    auto& m = r.groups[0];
    out += fmt::format("\n{} {}: {} of {} nodes ({}){}\n", st.bold("majority stack"), m.stack.digest, m.nodes.size(),
                       r.nodes.size(), percent(m.nodes.size(), r.nodes.size()),
                       r.majority_tied ? st.yellow("  (tied: no stack has a clear majority)") : "");
    size_t w = 4;
    for (auto& [k, v] : m.stack.components) w = std::max(w, k.size());
    for (auto& [k, v] : m.stack.components) out += fmt::format("  {:<{}}  {}\n", k, w, v);
    out += fmt::format("  {:<{}}  {}\n", "GPUs", w, gpu_line(m));
    if (o.verbosity > 0) out += fmt::format("  {:<{}}  {}\n", "nodes", w, compress_hostlist(names_of(r, m.nodes)));
  }
  if (r.groups.size() > 1) {
    out += "\n" + st.bold(fmt::format("outliers: {} in {}", plural(r.outlier_count(), "node", "nodes"),
                                      plural(r.groups.size() - 1, "stack", "stacks"))) + "\n";
    for (size_t gi = 1; gi < r.groups.size(); ++gi) {
      auto& g = r.groups[gi];
      out += fmt::format("  stack {}: {}  {}\n", g.stack.digest, plural(g.nodes.size(), "node", "nodes"),
                         compress_hostlist(names_of(r, g.nodes), cap));
      size_t w = 4;
      for (auto& d : g.differs) w = std::max(w, d.key.size());
      size_t vw = 0;
      for (auto& d : g.differs) vw = std::max(vw, show(d.value).size());
      vw = std::min<size_t>(vw, 40);
      for (auto& d : g.differs)
        out += fmt::format("    {:<{}}  {:<{}}  {}\n", d.key, w, st.yellow(show(d.value)),
                           vw + (st.color ? 9 : 0), st.dim("majority: " + show(d.majority)));
      if (g.gpus != r.groups[0].gpus) out += fmt::format("    {:<{}}  {}\n", "GPUs", w, gpu_line(g));
    }
  }
  if (!r.failing.empty()) {
    out += "\n" + st.bold(fmt::format("failing checks: {}", r.failing.size())) + "\n";
    size_t w = 0;
    for (auto& f : r.failing) w = std::max(w, f.id.size());
    for (auto& f : r.failing) {
      auto sev = f.severity == Severity::Error ? st.red("error  ") : st.yellow("warning");
      out += fmt::format("  {}  {:<{}}  {:>9}  {}\n", sev, f.id, w, plural(f.nodes.size(), "node", "nodes"),
                         compress_hostlist(names_of(r, f.nodes), cap));
      out += fmt::format("           {}\n", st.dim(f.title));
    }
  }
  if (!r.skipped.empty()) {
    out += "\n" + st.bold(fmt::format("skipped files: {}", r.skipped.size())) + "\n";
    for (auto& s : r.skipped) out += fmt::format("  {}: {}\n", s.file, s.reason);
  }
  if (!r.duplicates.empty()) {
    out += "\n" + st.bold("node names seen in more than one file") + "\n";
    for (auto& [name, files] : r.duplicates) out += fmt::format("  {}: {}\n", name, join(files, ", "));
  }
  if (r.nodes.empty()) out += "\nno node could be read\n";
  else if (r.groups.size() == 1 && r.failing.empty() && r.skipped.empty())
    out += "\n" + st.green("every node runs the same stack and passes every check") + "\n";
  return out;
}

std::string render_fleet_markdown(const FleetReport& r) {
  std::string out = "## gpuenv fleet report\n\n" + headline(r) + "\n\n";
  if (!r.groups.empty()) {
    auto& m = r.groups[0];
    out += fmt::format("### Majority stack `{}`: {} of {} nodes ({}){}\n\n", m.stack.digest, m.nodes.size(),
                       r.nodes.size(), percent(m.nodes.size(), r.nodes.size()),
                       r.majority_tied ? " (tied)" : "");
    out += "| Component | Version |\n|---|---|\n";
    for (auto& [k, v] : m.stack.components) out += fmt::format("| {} | {} |\n", md_cell(k), md_cell(v));
    out += fmt::format("| GPUs | {} |\n\n", md_cell(gpu_line(m)));
  }
  if (r.groups.size() > 1) {
    out += fmt::format("### Outliers: {} in {}\n\n", plural(r.outlier_count(), "node", "nodes"),
                       plural(r.groups.size() - 1, "stack", "stacks"));
    for (size_t gi = 1; gi < r.groups.size(); ++gi) {
      auto& g = r.groups[gi];
      out += fmt::format("#### Stack `{}`: {}\n\n`{}`\n\n| Component | This stack | Majority |\n|---|---|---|\n",
                         g.stack.digest, plural(g.nodes.size(), "node", "nodes"),
                         compress_hostlist(names_of(r, g.nodes)));
      for (auto& d : g.differs)
        out += fmt::format("| {} | {} | {} |\n", md_cell(d.key), md_cell(show(d.value)), md_cell(show(d.majority)));
      out += "\n";
    }
  }
  if (!r.failing.empty()) {
    out += "### Failing checks\n\n| Severity | Check | Nodes | Which | Problem |\n|---|---|---|---|---|\n";
    for (auto& f : r.failing)
      out += fmt::format("| {} | `{}` | {} | `{}` | {} |\n", severity_name(f.severity), f.id, f.nodes.size(),
                         compress_hostlist(names_of(r, f.nodes)), md_cell(f.title));
    out += "\n";
  }
  if (!r.skipped.empty()) {
    out += "### Skipped files\n\n| File | Why |\n|---|---|\n";
    for (auto& s : r.skipped) out += fmt::format("| `{}` | {} |\n", md_cell(s.file), md_cell(s.reason));
    out += "\n";
  }
  if (!r.duplicates.empty()) {
    out += "### Node names in more than one file\n\n";
    for (auto& [name, files] : r.duplicates) out += fmt::format("- `{}`: {}\n", name, md_cell(join(files, ", ")));
    out += "\n";
  }
  return out;
}

std::string render_fleet_json(const FleetReport& r) {
  Json j = Json::object();
  j["tool"] = "gpuenv";
  j["report"] = "fleet";
  j["schema_version"] = 1;
  size_t failing_nodes = 0;
  for (auto& n : r.nodes) failing_nodes += n.errors > 0;
  j["summary"] = Json{{"nodes", r.nodes.size()},       {"stacks", r.groups.size()},
                      {"outliers", r.outlier_count()}, {"nodes_with_errors", failing_nodes},
                      {"files_skipped", r.skipped.size()}, {"majority_tied", r.majority_tied}};
  Json stacks = Json::array();
  for (size_t gi = 0; gi < r.groups.size(); ++gi) {
    auto& g = r.groups[gi];
    Json comp = Json::object();
    for (auto& [k, v] : g.stack.components) comp[k] = v;
    Json differs = Json::array();
    for (auto& d : g.differs) differs.push_back(Json{{"key", d.key}, {"value", d.value}, {"majority", d.majority}});
    Json gpus = Json::object();
    for (auto& [desc, count] : g.gpus) gpus[desc] = count;
    stacks.push_back(Json{{"fingerprint", g.stack.digest},
                          {"majority", gi == 0},
                          {"count", g.nodes.size()},
                          {"components", comp},
                          {"differs", differs},
                          {"gpus", gpus},
                          {"nodes", names_of(r, g.nodes)}});
  }
  j["stacks"] = stacks;
  Json failing = Json::array();
  for (auto& f : r.failing)
    failing.push_back(Json{{"id", f.id}, {"severity", severity_name(f.severity)}, {"title", f.title},
                           {"count", f.nodes.size()}, {"nodes", names_of(r, f.nodes)}});
  j["failing_checks"] = failing;
  Json skipped = Json::array();
  for (auto& s : r.skipped) skipped.push_back(Json{{"file", s.file}, {"reason", s.reason}});
  j["skipped"] = skipped;
  Json dups = Json::array();
  for (auto& [name, files] : r.duplicates) dups.push_back(Json{{"node", name}, {"files", files}});
  j["duplicates"] = dups;
  Json nodes = Json::array();
  for (auto& n : r.nodes) {
    Json ids = Json::array();
    for (auto& f : n.failing) ids.push_back(f.id);
    nodes.push_back(Json{{"node", n.node},     {"file", n.file},         {"fingerprint", n.stack->digest},
                         {"errors", n.errors}, {"warnings", n.warnings}, {"gpus", n.gpus},
                         {"os", n.os},         {"failing", ids}});
  }
  j["nodes"] = nodes;
  return json_text(j) + "\n";
}

std::string render(const FleetReport& r, Format f, const RenderOptions& o) {
  switch (f) {
    case Format::Json: return render_fleet_json(r);
    case Format::Markdown: return render_fleet_markdown(r);
    case Format::Text: {
      FleetTextOptions t;
      t.style = o.style;
      t.verbosity = o.verbosity;
      return render_fleet_text(r, t);
    }
    default: throw std::logic_error(std::string("fleet report has no ") + format_name(f) + " renderer");
  }
}

}  // namespace gpuenv
