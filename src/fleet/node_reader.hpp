#pragma once
// Reads doctor --json documents fast for fleet reports: RapidJSON (header-only,
// parsing in place) validates the
// whole document (a truncated file is an error) and only the fields a fleet
// report needs are copied into a partial Snapshot, each type-checked against
// the schema (docs/schema.md). parse_doctor_json (model/json.cpp) stays the
// full reader for doctor --from; this one is for thousands of files.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/finding.hpp"
#include "model/snapshot.hpp"
#include "util/result.hpp"

namespace gpuenv {

struct NodeDocument {
  Snapshot snapshot;  // partial: host, kernel, cuda, nvml, libraries (name, version, soname, stub), python frameworks
  std::vector<Finding> findings;  // id, severity, title, subject
};

// One per thread: it keeps its read buffer between documents.
class NodeReader {
 public:
  NodeReader();
  ~NodeReader();
  NodeReader(const NodeReader&) = delete;
  NodeReader& operator=(const NodeReader&) = delete;

  // Errors name what is wrong ("not valid JSON: ...", "field snapshot.cuda.driver_version: expected an integer").
  Result<NodeDocument> read_file(const std::string& path);
  Result<NodeDocument> parse(std::string_view text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gpuenv
