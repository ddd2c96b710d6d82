#include <algorithm>
#include <iterator>
#include <string_view>

#include "checks/check.hpp"

namespace gpuenv {

Finding& Emitter::emit(std::string title) { return emit(std::move(title), def_.severity); }

Finding& Emitter::emit(std::string title, Severity severity) {
  Finding f;
  f.id = def_.id;
  f.severity = severity;
  f.title = std::move(title);
  out_.push_back(std::move(f));
  return out_.back();
}

const std::vector<CheckDef>& all_checks() {
  static const std::vector<CheckDef> checks = [] {
    std::vector<CheckDef> v;
    // Bottom of the stack first: hardware, kernel driver, user-space driver.
    add_gpu_checks(v);
    add_driver_checks(v);
    add_multigpu_checks(v);
    add_library_checks(v);  // then what the frameworks load on top of the driver
    add_python_checks(v);     // then the Python environment the frameworks live in
    add_framework_checks(v);  // and the framework builds themselves
    add_variable_checks(v);   // the variables CUDA, NCCL and the frameworks read
    add_nix_checks(v);        // Nix: driver link directory, RUNPATHs, driver wrappers
    add_deep_checks(v);     // what the frameworks did when imported for real (doctor --deep)
    return v;
  }();
  return checks;
}

const CheckDef* find_check(const std::string& id) {
  for (auto& c : all_checks())
    if (id == c.id) return &c;
  return nullptr;
}

static bool matches(const std::string& pattern, const std::string& id) {
  if (pattern == id) return true;
  if (pattern.ends_with("*")) return id.starts_with(pattern.substr(0, pattern.size() - 1));
  if (pattern.ends_with(".")) return id.starts_with(pattern);
  return false;
}

bool CheckFilter::selects(const std::string& id) const {
  if (!only.empty() && std::none_of(only.begin(), only.end(), [&](auto& p) { return matches(p, id); }))
    return false;
  return std::none_of(skip.begin(), skip.end(), [&](auto& p) { return matches(p, id); });
}

std::vector<std::string> unknown_check_ids(const CheckFilter& f) {
  std::vector<std::string> bad;
  for (auto* list : {&f.only, &f.skip})
    for (auto& p : *list) {
      bool any = std::any_of(all_checks().begin(), all_checks().end(), [&](auto& c) { return matches(p, c.id); });
      if (!any) bad.push_back(p);
    }
  return bad;
}

static size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string suggest_check_id(const std::string& wrong) {
  std::string best;
  size_t best_d = 1000;
  for (auto& c : all_checks()) {
    size_t d = edit_distance(wrong, c.id);
    if (d < best_d) {
      best_d = d;
      best = c.id;
    }
  }
  return best_d <= std::max<size_t>(3, wrong.size() / 3) ? best : "";
}

namespace {

// The deep checks (doctor --deep) run second: they compare the real import against the static verdict.
bool deep_phase(const CheckDef& c) { return std::string_view(c.id).starts_with("deep."); }

// Errors first, then warnings, then infos; registry order within a severity.
void by_severity(std::vector<Finding>& v) {
  std::stable_sort(v.begin(), v.end(), [](const Finding& a, const Finding& b) {
    return static_cast<int>(a.severity) < static_cast<int>(b.severity);
  });
}

}  // namespace

std::vector<Finding> run_checks(const Snapshot& s, const Knowledge& k, const CheckFilter& filter) {
  auto& checks = all_checks();
  // The static verdict is needed when a selected deep check has deep results to compare: then every static
  // check runs in phase 1, selected or not, and the selected ones' findings are kept for the output.
  bool need_static = !s.deep.results.empty() &&
                     std::any_of(checks.begin(), checks.end(), [&](auto& c) { return deep_phase(c) && filter.selects(c.id); });
  std::vector<std::vector<Finding>> per_check(checks.size());
  std::vector<Finding> statics;
  CheckInput in{s, k, need_static ? &statics : nullptr};
  for (size_t i = 0; i < checks.size(); ++i) {
    if (deep_phase(checks[i]) || !(need_static || filter.selects(checks[i].id))) continue;
    Emitter e(checks[i], per_check[i]);
    checks[i].fn(in, e);
  }
  if (need_static) {
    for (auto& f : per_check) statics.insert(statics.end(), f.begin(), f.end());
    by_severity(statics);
  }
  for (size_t i = 0; i < checks.size(); ++i) {
    if (!deep_phase(checks[i]) || !filter.selects(checks[i].id)) continue;
    Emitter e(checks[i], per_check[i]);
    checks[i].fn(in, e);
  }
  std::vector<Finding> out;
  for (size_t i = 0; i < checks.size(); ++i)
    if (filter.selects(checks[i].id)) std::move(per_check[i].begin(), per_check[i].end(), std::back_inserter(out));
  by_severity(out);
  return out;
}

}  // namespace gpuenv
