#include <algorithm>
#include "fleet/slurm.hpp"

#include <fmt/format.h>

#include "util/strings.hpp"

namespace gpuenv {

SlurmNodeState parse_scontrol_show_node(std::string_view text) {
  SlurmNodeState st;
  for (auto& raw : split_lines(text)) {
    auto line = std::string(trim(raw));
    if (line.starts_with("NodeName=")) st.known = true;
    if (line.starts_with("Reason=")) {
      std::string r = line.substr(7);
      // scontrol appends " [user@2026-11-24T10:00:00]".
      if (auto at = r.rfind(" ["); at != std::string::npos && r.ends_with("]")) r.resize(at);
      st.reason = r;
      continue;
    }
    for (auto& tok : split(line, ' ', false))
      if (tok.starts_with("State=")) st.drained = contains(tok, "DRAIN");
  }
  return st;
}

static int rank(Severity s) { return s == Severity::Error ? 0 : s == Severity::Warning ? 1 : 2; }

std::string drain_reason(const std::vector<Finding>& findings, bool strict) {
  const Finding* worst = nullptr;
  size_t count = 0;
  for (auto& f : findings) {
    if (f.severity == Severity::Info || (f.severity == Severity::Warning && !strict)) continue;
    ++count;
    if (!worst || rank(f.severity) < rank(worst->severity)) worst = &f;
  }
  if (!worst) return "";
  std::string title = replace_all(worst->title, "\n", " ");
  std::string more = count > 1 ? fmt::format(" (+{} more)", count - 1) : "";
  std::string head = kDrainReasonPrefix + worst->id + ": ";
  size_t room = 200 - std::min<size_t>(200, head.size() + more.size());
  if (title.size() > room) title = title.substr(0, room > 3 ? room - 3 : 0) + "...";
  return head + title + more;
}

HealthcheckPlan plan_healthcheck(const std::vector<Finding>& findings, const SlurmNodeState& state,
                                 const HealthcheckOptions& o) {
  HealthcheckPlan p;
  p.reason = drain_reason(findings, o.strict);
  bool ours = state.drained && state.reason.starts_with(kDrainReasonPrefix);
  if (!p.reason.empty()) {
    if (state.drained && !ours) {
      p.message = fmt::format("{} has problems ({}), but is already drained by someone else: {}", o.node, p.reason,
                              state.reason.empty() ? "(no reason)" : state.reason);
      return p;
    }
    if (ours && state.reason == p.reason) {
      p.message = fmt::format("{} stays drained: {}", o.node, p.reason);
      return p;
    }
    p.action = HealthcheckPlan::Action::Drain;
    p.argv = {"update", "nodename=" + o.node, "state=drain", "reason=" + p.reason};
    p.message = fmt::format("draining {}: {}", o.node, p.reason);
    return p;
  }
  if (ours && o.resume) {
    p.action = HealthcheckPlan::Action::Resume;
    p.argv = {"update", "nodename=" + o.node, "state=resume"};
    p.message = fmt::format("{} is healthy again; resuming it (it was drained for: {})", o.node, state.reason);
    return p;
  }
  p.message = fmt::format("{} is healthy", o.node);
  return p;
}

}  // namespace gpuenv
