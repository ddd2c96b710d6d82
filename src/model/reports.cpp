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

std::vector<FatbinVerdict> judge_fatbins(const std::vector<FatbinInfo>& kernels, const std::vector<LddGpu>& gpus) {
  std::vector<FatbinVerdict> out;
  for (std::size_t f = 0; f < kernels.size(); ++f) {
    auto& k = kernels[f];
    if (!k.error.empty() || (k.sass.empty() && k.ptx.empty())) continue;
    for (std::size_t i = 0; i < gpus.size(); ++i) {
      auto& g = gpus[i];
      FatbinVerdict v;
      v.path = k.path;
      v.file = f;
      v.gpu = i;
      auto covering = [&](const std::vector<std::string>& targets) {
        std::vector<std::string> r;
        for (auto& t : targets)
          if (auto parsed = GpuTarget::parse(t); parsed && parsed->covers(g.cc)) r.push_back(t);
        return r;
      };
      if (v.runs = covering(k.sass); !v.runs.empty()) v.coverage = TargetCoverage::Sass;
      else if (v.runs = covering(k.ptx); !v.runs.empty()) v.coverage = TargetCoverage::Ptx;
      out.push_back(std::move(v));
    }
  }
  return out;
}

bool LddReport::any_unrunnable() const {
  for (auto& f : files)
    for (auto& v : f.verdicts)
      if (v.coverage == TargetCoverage::None) return true;
  return false;
}

}  // namespace gpuenv
