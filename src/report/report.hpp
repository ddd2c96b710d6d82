#pragma once
// Renderers: views of (Snapshot, Findings). Nothing is computed here that a
// check should decide.
#include <string>
#include <utility>
#include <vector>

#include "model/finding.hpp"
#include "model/snapshot.hpp"
#include "util/term.hpp"

namespace gpuenv {

struct TextOptions {
  Style style;
  int verbosity = 0;  // 0: verdict, machine line, findings; 1: + machine details; 2: + every library copy and variable
};

std::string render_text(const Snapshot& s, const std::vector<Finding>& findings, const TextOptions& opts);
std::string render_markdown(const Snapshot& s, const std::vector<Finding>& findings);
std::string render_json(const Snapshot& s, const std::vector<Finding>& findings);

// What the node exporters (Prometheus, NFD) need besides the Snapshot and
// Findings; the CLI fills it from the check registry and src/fleet/.
struct CheckRun {
  std::string id;
  Severity severity = Severity::Error;  // the registered severity
};
struct ExporterOptions {
  std::vector<CheckRun> checks;   // every check that ran: passing ones export 0
  std::string stack_fingerprint;  // stack_fingerprint(s).digest, "" to leave it out
};

// node_exporter textfile-collector format (Prometheus text exposition 0.0.4); docs/fleet.md lists the metrics.
std::string render_prometheus(const Snapshot& s, const std::vector<Finding>& findings, const ExporterOptions& opts);
// A Node Feature Discovery feature file (features.d): feature.node.kubernetes.io/gpuenv.* labels.
std::string render_nfd(const Snapshot& s, const std::vector<Finding>& findings, const ExporterOptions& opts);

// "GPU ready" or "2 problems (1 error, 1 warning)".
std::string verdict_line(const std::vector<Finding>& findings);
// Label/value lines describing the machine, shared by the text and Markdown views.
std::vector<std::pair<std::string, std::string>> machine_summary(const Snapshot& s);

// Replaces the user name, home directory and host name in a rendered report.
struct Redactor {
  std::string user, home, hostname;
  std::vector<std::string> keep;  // phrases left as they are (the os_id when the host has the same name)
  static Redactor from(const Snapshot& s);
  std::string apply(std::string text) const;
};

}  // namespace gpuenv
