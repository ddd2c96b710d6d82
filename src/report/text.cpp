#include <fmt/format.h>

#include "report/report.hpp"
#include "report/format.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

// `selection`: "" for a full run, else selection_line()'s "7 of 38 ran (--only python.*)".
std::string text_view(const Snapshot& s, const std::vector<Finding>& findings, const std::string& verdict,
                      const std::string& selection, const TextOptions& o) {
  const Style& st = o.style;
  std::string out;
  auto sum = summarize(findings);
  out += verdict_headline(st, "doctor", verdict, sum);
  for (auto& [k, v] : machine_summary(s)) out += fmt::format("  {:<8} {}\n", k, v);
  if (!selection.empty()) out += fmt::format("  {:<8} {}\n", "checks", selection);

  for (auto& f : findings) out += render_finding_text(st, f, "about");

  if (o.verbosity >= 1) {
    out += "\n" + st.bold("details") + "\n";
    out += fmt::format("  {:<22} {}\n", "kernel module", s.kernel.version_line.empty() ? "-" : s.kernel.version_line);
    for (auto& n : s.kernel.device_nodes)
      out += fmt::format("  {:<22} {}{}\n", n.path, n.kind, n.kind == "missing" ? "" : n.accessible ? ", accessible" : ", NOT accessible");
    out += fmt::format("  {:<22} {} (stage {}{}{})\n", "libcuda probe", to_string(s.cuda.status), s.cuda.stage,
                       s.cuda.init_result >= 0 ? ", cuInit " + std::to_string(s.cuda.init_result) : "",
                       fmt::format(", {:.0f} ms", s.cuda.elapsed_ms));
    out += fmt::format("  {:<22} {} (stage {}{}{})\n", "NVML probe", to_string(s.nvml.status), s.nvml.stage,
                       s.nvml.driver_version.empty() ? "" : ", driver " + s.nvml.driver_version,
                       fmt::format(", {:.0f} ms", s.nvml.elapsed_ms));
    for (auto& l : s.nvml.links)
      out += fmt::format("  {:<22} {}{}, P2P {}\n", fmt::format("GPU {} <-> GPU {}", l.a, l.b),
                         l.nvlinks ? fmt::format("{} NVLinks, ", l.nvlinks) : l.p2p_nvlink == 0 ? "NVLink, " : std::string(),
                         topology_short_name(l.topology),
                         l.p2p_read == 0 ? "ok" : l.p2p_read < 0 ? "unknown" : "refused (" + std::to_string(l.p2p_read) + ")");
    if (!s.cuda.default_order.empty())
      out += fmt::format("  {:<22} {}\n", "CUDA default order", join(s.cuda.default_order, ", "));
    for (auto& c : s.libraries.copies)
      if (o.verbosity >= 2 || c.name == "cuda" || c.name == "nvidia-ml")
        out += fmt::format("  {:<22} {}{} [{}]\n", "lib" + c.name, c.realpath, c.version.empty() ? "" : " " + c.version, c.origin);
    for (auto& [k, v] : s.env)
      if (o.verbosity >= 2 || k.starts_with("CUDA_") || k == "LD_LIBRARY_PATH")
        out += fmt::format("  {:<22} {}\n", k, v);
    for (auto& e : s.probe_errors) out += "  " + st.yellow("could not read") + "  " + e + "\n";
  }
  if (!findings.empty() && o.verbosity == 0) out += "\n" + st.dim("(-v for machine details, --markdown for a bug report)") + "\n";
  return out;
}

}  // namespace

std::string render_text(const DoctorReport& r, const TextOptions& o) {
  return text_view(r.snap, r.findings, doctor_verdict(r), selection_line(r), o);
}

std::string render_text(const Snapshot& s, const std::vector<Finding>& findings, const TextOptions& o) {
  return text_view(s, findings, verdict_line(findings), "", o);
}

}  // namespace gpuenv
