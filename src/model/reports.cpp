#include "model/reports.hpp"

#include <algorithm>

namespace gpuenv {

const char* check_status_name(CheckStatus s) {
  switch (s) {
    case CheckStatus::Passed: return "passed";
    case CheckStatus::Failed: return "failed";
    case CheckStatus::Skipped: return "skipped";
  }
  return "passed";
}

std::vector<CheckOutcome> check_outcomes(const DoctorReport& r) {
  std::vector<CheckOutcome> out;
  for (auto& c : r.checks) {
    bool failed = std::any_of(r.findings.begin(), r.findings.end(), [&](const Finding& f) { return f.id == c.id; });
    out.push_back({c.id, failed ? CheckStatus::Failed : CheckStatus::Passed});
  }
  for (auto& id : r.selection.skipped) out.push_back({id, CheckStatus::Skipped});
  return out;
}

const char* impact_name(Impact i) {
  switch (i) {
    case Impact::Fine: return "fine";
    case Impact::Risky: return "risky";
    case Impact::Breaks: return "breaks";
  }
  return "risky";
}

}  // namespace gpuenv
