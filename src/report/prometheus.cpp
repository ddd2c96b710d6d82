// node_exporter textfile-collector output: the Prometheus text exposition
// format (version 0.0.4). Every family has HELP and TYPE lines, its samples
// follow it contiguously, no sample carries a timestamp (the collector
// rejects them), and label values are escaped (\\, \", \n).
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <deque>
#include <map>

#include "model/readiness.hpp"
#include "report/report.hpp"
#include "util/version.hpp"

namespace gpuenv {

namespace {

std::string escape_label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string escape_help(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Family {
  std::string name, help;
  std::vector<std::pair<Labels, double>> samples;
};

class Exposition {
 public:
  Family& family(const std::string& name, const std::string& help) {
    families_.push_back({name, help, {}});
    return families_.back();
  }
  std::string str() const {
    std::string out;
    for (auto& f : families_) {
      if (f.samples.empty()) continue;
      out += "# HELP " + f.name + " " + escape_help(f.help) + "\n";
      out += "# TYPE " + f.name + " gauge\n";
      for (auto& [labels, value] : f.samples) {
        out += f.name;
        if (!labels.empty()) {
          out += "{";
          for (size_t i = 0; i < labels.size(); ++i)
            out += (i ? "," : "") + labels[i].first + "=\"" + escape_label(labels[i].second) + "\"";
          out += "}";
        }
        out += " " + fmt::format("{}", value) + "\n";
      }
    }
    return out;
  }

 private:
  // A deque: family() hands out references that must stay valid while later families are added.
  std::deque<Family> families_;
};

int rank(Severity s) { return s == Severity::Error ? 0 : s == Severity::Warning ? 1 : 2; }

// "2026-11-24T10:00:00Z" -> seconds since the epoch; -1 when it does not parse.
double parse_created(const std::string& s) {
  std::tm tm{};
  if (s.size() < 20 || !strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return -1;
  return double(timegm(&tm));
}

}  // namespace

std::string render_prometheus(const Snapshot& s, const std::vector<Finding>& findings, const ExporterOptions& o) {
  Exposition e;
  auto sum = summarize(findings);

  e.family("gpuenv_info", "gpuenv that wrote this file (value 1)")
      .samples.push_back({{{"version", s.tool_version}, {"schema", std::to_string(s.schema_version)}}, 1});
  e.family("gpuenv_healthy", "1 when no check reports an error on this node, else 0")
      .samples.push_back({{}, sum.healthy() ? 1.0 : 0.0});
  auto& fc = e.family("gpuenv_findings", "Findings on this node by severity");
  fc.samples.push_back({{{"severity", "error"}}, double(sum.errors)});
  fc.samples.push_back({{{"severity", "warning"}}, double(sum.warnings)});
  fc.samples.push_back({{{"severity", "info"}}, double(sum.infos)});

  // One series per check that ran: 1 while it reports a finding. The severity
  // label is the most severe finding's while failing, the registered one while passing.
  auto& sk = e.family("gpuenv_checks_skipped", "Checks left out by --only/--skip (only written when not 0): gpuenv_healthy covers the others");
  if (o.skipped > 0) sk.samples.push_back({{}, double(o.skipped)});
  auto& cf = e.family("gpuenv_check_failing", "1 when the check reports a problem on this node, else 0 (label check: the check ID)");
  std::vector<CheckRun> checks = o.checks;
  for (auto& f : findings)  // a finding from a check the caller did not list still shows up
    if (std::none_of(checks.begin(), checks.end(), [&](auto& c) { return c.id == f.id; }))
      checks.push_back({f.id, f.severity});
  for (auto& c : checks) {
    bool failing = false;
    Severity sev = c.severity;
    for (auto& f : findings)
      if (f.id == c.id) {
        if (!failing || rank(f.severity) < rank(sev)) sev = f.severity;
        failing = true;
      }
    cf.samples.push_back({{{"check", c.id}, {"severity", severity_name(sev)}}, failing ? 1.0 : 0.0});
  }

  if (auto d = driver_version(s); !d.empty())
    e.family("gpuenv_driver_info", "NVIDIA driver on this node (value 1)")
        .samples.push_back({{{"version", d}, {"flavour", s.kernel.flavour}}, 1});
  if (int api = cuda_driver_api(s); api > 0) {
    e.family("gpuenv_cuda_driver_api_info", "Highest CUDA version the driver supports (value 1)")
        .samples.push_back({{{"version", cuda_version_string(api)}}, 1});
    e.family("gpuenv_cuda_driver_api_version", "Highest CUDA version the driver supports, as 1000*major+10*minor")
        .samples.push_back({{}, double(api)});
  }
  auto gpus = visible_gpus(s);
  e.family("gpuenv_gpus", "GPUs the user-space driver sees (libcuda, else NVML)").samples.push_back({{}, double(gpus.size())});
  auto& gi = e.family("gpuenv_gpu_info", "One series per visible GPU (value 1)");
  for (auto& g : gpus)
    gi.samples.push_back({{{"index", std::to_string(g.index)},
                           {"name", g.name},
                           {"compute_capability", g.compute_capability()},
                           {"uuid", g.uuid},
                           {"pci_bus_id", g.pci_bus_id}},
                          1});

  auto ready = all_framework_readiness(s, findings);
  auto& fi = e.family("gpuenv_framework_info", "One series per GPU framework build per interpreter (value 1)");
  auto& fr = e.family("gpuenv_framework_ready", "1 when the framework build can use this node's GPUs (docs/fleet.md), else 0");
  for (auto& r : ready) {
    auto& f = *r.framework;
    fi.samples.push_back({{{"framework", f.name},
                           {"version", f.version},
                           {"cuda", f.cuda_version},
                           {"variant", f.variant},
                           {"interpreter", r.interpreter->path}},
                          1});
    fr.samples.push_back({{{"framework", f.name}, {"interpreter", r.interpreter->path}}, r.ready ? 1.0 : 0.0});
  }
  if (!o.stack_fingerprint.empty())
    e.family("gpuenv_stack_info", "Stack fingerprint (driver, libraries, frameworks); count by (fingerprint) shows the fleet's stacks")
        .samples.push_back({{{"fingerprint", o.stack_fingerprint}}, 1});

  auto& pd = e.family("gpuenv_probe_duration_seconds", "How long the driver probes took (cuInit is the floor)");
  if (s.cuda.status != ProbeStatus::Skipped) pd.samples.push_back({{{"probe", "libcuda"}}, s.cuda.elapsed_ms / 1000.0});
  if (s.nvml.status != ProbeStatus::Skipped) pd.samples.push_back({{{"probe", "nvml"}}, s.nvml.elapsed_ms / 1000.0});
  if (double t = parse_created(s.created); t >= 0)
    e.family("gpuenv_snapshot_timestamp_seconds", "When the snapshot was taken (Unix time)").samples.push_back({{}, t});
  return e.str();
}

}  // namespace gpuenv
