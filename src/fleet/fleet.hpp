#pragma once
// Fleet reports: many doctor --json documents (one per node) in, one view of
// the fleet out: nodes grouped by stack fingerprint, the majority stack, every
// outlier stack with what differs, and the failing checks with their nodes.
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fleet/fingerprint.hpp"
#include "model/finding.hpp"
#include "model/snapshot.hpp"
#include "report/formats.hpp"
#include "util/term.hpp"

namespace gpuenv {

// What a report keeps of one node (the snapshot itself is dropped after reading).
struct NodeRecord {
  std::string file;
  std::string node;       // host name, else the file name without .json
  std::shared_ptr<const StackFingerprint> stack;  // shared by the nodes with the same stack
  std::string gpus;       // "8x NVIDIA H100 80GB HBM3 (9.0)", "none"
  std::string os;         // "Ubuntu 24.04.1 LTS, kernel 6.8.0"
  int errors = 0, warnings = 0;
  struct Failed {
    std::string id;
    Severity severity = Severity::Error;
    std::string title;
  };
  std::vector<Failed> failing;  // one per check ID that reported an error or a warning
};
// Fingerprints by digest, so that thousands of nodes with one stack keep one copy.
using StackCache = std::unordered_map<std::string, std::shared_ptr<const StackFingerprint>>;
NodeRecord summarize_node(std::string file, const Snapshot& s, const std::vector<Finding>& findings,
                          StackCache* cache = nullptr);

struct SkippedFile {
  std::string file;
  std::string reason;
};

struct Difference {
  std::string key;
  std::string majority;  // "" when the majority stack has no such component
  std::string value;     // "" when this stack has none
};

struct StackGroup {
  StackFingerprint stack;
  std::vector<size_t> nodes;             // indexes into FleetReport::nodes
  std::vector<std::pair<std::string, size_t>> gpus;  // GPU descriptions and how many nodes have each
  std::vector<Difference> differs;      // against the majority stack; empty for the majority itself
};

struct FailingCheck {
  std::string id;
  Severity severity = Severity::Error;
  std::string title;  // the first node's finding title
  std::vector<size_t> nodes;
};

struct FleetReport {
  std::vector<NodeRecord> nodes;     // sorted by node name
  std::vector<SkippedFile> skipped;  // in input order
  std::vector<StackGroup> groups;    // largest first; groups[0] is the majority when there are nodes
  bool majority_tied = false;        // the two largest groups have the same size
  std::vector<FailingCheck> failing; // errors first, then by node count
  std::vector<std::pair<std::string, std::vector<std::string>>> duplicates;  // node name -> files

  size_t outlier_count() const;
  bool problems(bool strict) const;  // errors anywhere, outlier stacks, skipped files (warnings with strict)
};

FleetReport build_fleet_report(std::vector<NodeRecord> nodes, std::vector<SkippedFile> skipped);

// Expands the command line: files as given, directories to their *.json files
// (sorted, not recursive). Paths that do not exist are reported as skipped.
std::vector<std::string> expand_fleet_inputs(const std::vector<std::string>& inputs, std::vector<SkippedFile>& skipped);

// Reads the files on `threads` threads (0: one per core) and builds the report.
FleetReport read_fleet(const std::vector<std::string>& files, std::vector<SkippedFile> skipped, unsigned threads = 0);

// "gpu[001-003,007],login1": Slurm's hostlist notation for a set of names.
// max_ranges > 0 stops after that many ranges and appends "... (N more)".
std::string compress_hostlist(std::vector<std::string> names, size_t max_ranges = 0);

struct FleetTextOptions {
  Style style;
  int verbosity = 0;  // 1: list every node of every stack
};
std::string render_fleet_text(const FleetReport& r, const FleetTextOptions& o);
std::string render_fleet_markdown(const FleetReport& r);
std::string render_fleet_json(const FleetReport& r);
// Picks the renderer of `f` (text, json, markdown: report/formats.cpp's table). The fleet renderers stay in
// src/fleet: FleetReport holds fleet's StackFingerprint, and report may not depend on fleet.
std::string render(const FleetReport& r, Format f, const RenderOptions& o);

}  // namespace gpuenv
