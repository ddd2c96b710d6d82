#pragma once
// Doctor's renderers: views of a DoctorReport (Snapshot, Findings, which checks ran). Nothing is
// computed here that a check should decide. report/formats.hpp picks one by --format.
#include <string>
#include <utility>
#include <vector>

#include "model/finding.hpp"
#include "model/reports.hpp"
#include "model/snapshot.hpp"
#include "util/term.hpp"

namespace gpuenv {

struct TextOptions {
  Style style;
  int verbosity = 0;  // 0: verdict, machine line, findings; 1: + machine details; 2: + every library copy and variable
};

// With a partial selection (--only/--skip) each view says how many checks ran and were skipped, and the
// verdict never says "GPU ready".
std::string render_text(const DoctorReport& r, const TextOptions& opts);
// At most kMarkdownBodyLimit bytes (GitHub refuses issue bodies over 65,536 characters): findings whole, evidence
// and the embedded JSON trimmed when needed, with the attachment hint (`gpuenv doctor --json -o gpuenv.json`).
inline constexpr std::size_t kMarkdownBodyLimit = 59000;
std::string render_markdown(const DoctorReport& r);
// The doctor JSON document (docs/schema.md); with a partial selection it carries "selection".
std::string render_json(const DoctorReport& r);
// A full run's text report of (Snapshot, Findings) (run --check, init).
std::string render_text(const Snapshot& s, const std::vector<Finding>& findings, const TextOptions& opts);

// What the node exporters (Prometheus, NFD) need besides the Snapshot and
// Findings; the CLI fills it from the check registry and src/fleet/.
struct ExporterOptions {
  std::vector<CheckRun> checks;   // every check that ran: passing ones export 0
  std::string stack_fingerprint;  // stack_fingerprint(s).digest, "" to leave it out
  size_t skipped = 0;             // checks --only/--skip left out: exported when not 0
};

// node_exporter textfile-collector format (Prometheus text exposition 0.0.4); docs/fleet.md lists the metrics.
std::string render_prometheus(const Snapshot& s, const std::vector<Finding>& findings, const ExporterOptions& opts);
// A Node Feature Discovery feature file (features.d): feature.node.kubernetes.io/gpuenv.* labels.
std::string render_nfd(const Snapshot& s, const std::vector<Finding>& findings, const ExporterOptions& opts);

// "GPU ready" or "2 problems (1 error, 1 warning)".
std::string verdict_line(const std::vector<Finding>& findings);
// The same for a full run; with a partial selection "no problems in the 7 selected checks (31 skipped)",
// "no errors in the 7 selected checks, 1 warning (31 skipped)" or "2 problems (...) in the 7 selected checks (31 skipped)".
std::string doctor_verdict(const DoctorReport& r);
// "7 of 38 ran (--only python.*)": the selection line of the text and Markdown views; "" for a full run.
std::string selection_line(const DoctorReport& r);
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
