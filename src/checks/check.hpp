#pragma once
// A check is a pure function: Snapshot (+ knowledge) in, Findings out. No I/O.
// Every check has a stable ID, listed once in the registry (registry.cpp);
// `gpuenv checks`, --only/--skip, the docs and every renderer read that table.
#include <string>
#include <vector>

#include "knowledge/knowledge.hpp"
#include "model/finding.hpp"
#include "model/snapshot.hpp"

namespace gpuenv {

struct CheckInput {
  const Snapshot& snap;
  const Knowledge& know;
  // The findings of every static (non-deep) check, errors first: the verdict the deep checks compare the real
  // import against. The registry computes them before the deep checks run (run_checks); null elsewhere.
  const std::vector<Finding>* static_findings = nullptr;
};

struct CheckDef;

// Collects the findings of one check, pre-filled with its ID and severity.
class Emitter {
 public:
  Emitter(const CheckDef& def, std::vector<Finding>& out) : def_(def), out_(out) {}
  Finding& emit(std::string title);
  Finding& emit(std::string title, Severity severity);

 private:
  const CheckDef& def_;
  std::vector<Finding>& out_;
};

using CheckFn = void (*)(const CheckInput&, Emitter&);

struct CheckDef {
  const char* id;
  Severity severity;    // the usual severity of its findings
  const char* summary;  // one line for `gpuenv checks`
  CheckFn fn;
};

// Each family file contributes its checks here, in the order they run.
void add_gpu_checks(std::vector<CheckDef>& out);
void add_driver_checks(std::vector<CheckDef>& out);
void add_device_node_checks(std::vector<CheckDef>& out);  // called by add_driver_checks
void add_multigpu_checks(std::vector<CheckDef>& out);
void add_library_checks(std::vector<CheckDef>& out);
void add_nix_checks(std::vector<CheckDef>& out);
void add_framework_checks(std::vector<CheckDef>& out);
void add_python_checks(std::vector<CheckDef>& out);
void add_variable_checks(std::vector<CheckDef>& out);  // env.* and nccl.*: variables against their grammar
// doctor --deep results (snapshot.deep); last, and in a second phase: they compare against the static
// checks' findings (CheckInput::static_findings).
void add_deep_checks(std::vector<CheckDef>& out);

const std::vector<CheckDef>& all_checks();
const CheckDef* find_check(const std::string& id);

struct CheckFilter {
  std::vector<std::string> only;  // IDs or prefixes ending in '.' or '*' ("driver.*")
  std::vector<std::string> skip;
  bool selects(const std::string& id) const;
};
// Unknown IDs in a filter (for a usage error with a suggestion).
std::vector<std::string> unknown_check_ids(const CheckFilter& f);
std::string suggest_check_id(const std::string& wrong);

std::vector<Finding> run_checks(const Snapshot& s, const Knowledge& k, const CheckFilter& filter = {});

}  // namespace gpuenv
