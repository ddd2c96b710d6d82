// The node exporters: Prometheus text exposition (checked by a strict parser
// and, when installed, promtool) and NFD feature files (checked against the
// Kubernetes label rules), plus framework readiness they both publish.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "model/readiness.hpp"
#include "nodes.hpp"
#include "report/report.hpp"
#include "run.hpp"
#include "util/strings.hpp"

using namespace gpuenv;
using gpuenv::test::NodeSpec;

namespace {

// A strict reader of the Prometheus text exposition format (0.0.4) as the
// node_exporter textfile collector accepts it: HELP and TYPE before a
// family's samples, each family once and contiguous, valid metric and label
// names, escaped label values, a float value and no timestamp, unique series,
// a final newline.
struct Sample {
  std::map<std::string, std::string> labels;
  double value = 0;
};
struct Metrics {
  std::map<std::string, std::string> type, help;
  std::map<std::string, std::vector<Sample>> samples;

  const Sample* find(const std::string& name, const std::map<std::string, std::string>& match) const {
    auto it = samples.find(name);
    if (it == samples.end()) return nullptr;
    for (auto& s : it->second) {
      bool ok = true;
      for (auto& [k, v] : match) ok = ok && s.labels.count(k) && s.labels.at(k) == v;
      if (ok) return &s;
    }
    return nullptr;
  }
};

std::string parse_exposition(const std::string& text, Metrics& m) {
  static const std::regex metric_name("[a-zA-Z_:][a-zA-Z0-9_:]*");
  static const std::regex label_name("[a-zA-Z_][a-zA-Z0-9_]*");
  if (text.empty() || text.back() != '\n') return "no final newline";
  std::set<std::string> closed;  // families whose samples are over
  std::string current;
  std::set<std::string> series;
  size_t lineno = 0, pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++lineno;
    auto err = [&](const std::string& what) { return "line " + std::to_string(lineno) + ": " + what + ": " + line; };
    if (line.empty()) return err("empty line");
    if (line[0] == '#') {
      std::smatch mm;
      static const std::regex meta("# (HELP|TYPE) ([^ ]+) (.*)");
      if (!std::regex_match(line, mm, meta)) return err("comment that is neither HELP nor TYPE");
      std::string name = mm[2];
      if (!std::regex_match(name, metric_name)) return err("bad metric name");
      if (closed.count(name) || (!current.empty() && current == name && m.samples.count(name)))
        return err("HELP/TYPE after the family's samples");
      if (mm[1] == "TYPE") {
        if (m.type.count(name)) return err("second TYPE");
        static const std::set<std::string> types{"counter", "gauge", "histogram", "summary", "untyped"};
        if (!types.count(mm[3])) return err("unknown type");
        m.type[name] = mm[3];
      } else {
        if (m.help.count(name)) return err("second HELP");
        m.help[name] = mm[3];
      }
      if (current != name && !current.empty()) closed.insert(current);
      current = name;
      continue;
    }
    // name{labels} value
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    std::string name = line.substr(0, i);
    if (!std::regex_match(name, metric_name)) return err("bad metric name");
    if (closed.count(name)) return err("family samples not contiguous");
    if (current != name) {
      if (!current.empty()) closed.insert(current);
      current = name;
    }
    if (!m.type.count(name)) return err("sample without TYPE");
    Sample s;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        size_t eq = line.find('=', i);
        if (eq == std::string::npos) return err("label without '='");
        std::string ln = line.substr(i, eq - i);
        if (!std::regex_match(ln, label_name) || ln.starts_with("__")) return err("bad label name " + ln);
        if (eq + 1 >= line.size() || line[eq + 1] != '"') return err("label value not quoted");
        std::string v;
        size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\') {
            if (++j >= line.size()) return err("dangling escape");
            if (line[j] == 'n') v += '\n';
            else if (line[j] == '\\' || line[j] == '"') v += line[j];
            else return err("bad escape");
          } else {
            v += line[j];
          }
        }
        if (j >= line.size()) return err("unterminated label value");
        if (s.labels.count(ln)) return err("repeated label");
        s.labels[ln] = v;
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
        else if (i < line.size() && line[i] != '}') return err("expected ',' or '}'");
      }
      if (i >= line.size()) return err("unterminated label set");
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') return err("no value");
    std::string rest = line.substr(i + 1);
    if (rest.find(' ') != std::string::npos) return err("a timestamp (the textfile collector rejects them)");
    char* end = nullptr;
    s.value = std::strtod(rest.c_str(), &end);
    if (rest.empty() || *end != 0) {
      if (rest != "NaN" && rest != "+Inf" && rest != "-Inf") return err("value is not a float");
    }
    std::string key = name;
    for (auto& [k, v] : s.labels) key += "\x1f" + k + "=" + v;
    if (!series.insert(key).second) return err("duplicate series");
    m.samples[name].push_back(s);
  }
  for (auto& [name, t] : m.type)
    if (!m.help.count(name)) return "family " + name + " has no HELP";
  return "";
}

Metrics parse_ok(const std::string& text) {
  Metrics m;
  auto err = parse_exposition(text, m);
  EXPECT_EQ(err, "") << text;
  return m;
}

ExporterOptions all_checks_of(std::vector<std::string> ids) {
  ExporterOptions o;
  for (auto& id : ids) o.checks.push_back({id, Severity::Error});
  o.stack_fingerprint = "0123456789abcdef";
  return o;
}

Finding uvm_finding() {
  NodeSpec n;
  n.uvm_missing = true;
  return test::make_node_findings(n).at(0);
}

}  // namespace

TEST(PrometheusParser, RejectsWhatTheCollectorRejects) {
  Metrics m;
  EXPECT_NE(parse_exposition("# TYPE a gauge\n# HELP a x\na 1 1700000000\n", m), "");
  m = {};
  EXPECT_NE(parse_exposition("# TYPE a gauge\n# HELP a x\na{l=\"x\"} 1\n# TYPE b gauge\n# HELP b y\nb 1\na{l=\"y\"} 2\n", m), "");
  m = {};
  EXPECT_NE(parse_exposition("# TYPE a gauge\n# HELP a x\na{l=\"x\"} 1\na{l=\"x\"} 2\n", m), "");
  m = {};
  EXPECT_NE(parse_exposition("# TYPE a gauge\n# HELP a x\na{l=\"x\\q\"} 1\n", m), "");
  m = {};
  EXPECT_NE(parse_exposition("a 1\n", m), "");
  m = {};
  EXPECT_EQ(parse_exposition("# HELP a x\n# TYPE a gauge\na{l=\"q\\\"\\\\\\n\"} 1.5\n", m), "");
  EXPECT_EQ(m.samples["a"].at(0).labels["l"], "q\"\\\n");
}

TEST(Prometheus, HealthyNodeExportsEveryCheckAsZero) {
  auto s = test::make_node_snapshot({});
  auto m = parse_ok(render_prometheus(s, {}, all_checks_of({"driver.uvm-missing", "gpu.nouveau"})));
  for (auto& [name, t] : m.type) EXPECT_EQ(t, "gauge") << name;
  EXPECT_EQ(m.samples["gpuenv_healthy"].at(0).value, 1);
  ASSERT_EQ(m.samples["gpuenv_check_failing"].size(), 2u);
  for (auto& s2 : m.samples["gpuenv_check_failing"]) EXPECT_EQ(s2.value, 0);
  auto* drv = m.find("gpuenv_driver_info", {{"version", "580.159.04"}, {"flavour", "open"}});
  ASSERT_NE(drv, nullptr);
  EXPECT_EQ(drv->value, 1);
  EXPECT_NE(m.find("gpuenv_cuda_driver_api_info", {{"version", "13.0"}}), nullptr);
  EXPECT_EQ(m.samples["gpuenv_cuda_driver_api_version"].at(0).value, 13000);
  EXPECT_EQ(m.samples["gpuenv_gpus"].at(0).value, 8);
  EXPECT_EQ(m.samples["gpuenv_gpu_info"].size(), 8u);
  EXPECT_NE(m.find("gpuenv_gpu_info", {{"index", "7"}, {"compute_capability", "9.0"}, {"name", "NVIDIA H100 80GB HBM3"}}), nullptr);
  EXPECT_NE(m.find("gpuenv_framework_info", {{"framework", "torch"}, {"version", "2.11.0+cu130"}, {"cuda", "13.0"}}), nullptr);
  auto* ready = m.find("gpuenv_framework_ready", {{"framework", "torch"}});
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(ready->value, 1);
  EXPECT_NE(m.find("gpuenv_stack_info", {{"fingerprint", "0123456789abcdef"}}), nullptr);
  EXPECT_EQ(m.samples["gpuenv_snapshot_timestamp_seconds"].at(0).value, 1795514400);
  EXPECT_EQ(m.samples.count("gpuenv_checks_skipped"), 0u) << "a full run has no skipped checks to export";
}

TEST(Prometheus, FailingCheckIsOneWithItsSeverity) {
  auto s = test::make_node_snapshot({});
  Finding warn;
  warn.id = "gpu.nouveau";
  warn.severity = Severity::Warning;  // emitted below its registered severity
  warn.title = "t";
  auto m = parse_ok(render_prometheus(s, {uvm_finding(), warn}, all_checks_of({"driver.uvm-missing", "gpu.nouveau", "gpu.vfio"})));
  EXPECT_EQ(m.samples["gpuenv_healthy"].at(0).value, 0);
  EXPECT_EQ(m.find("gpuenv_check_failing", {{"check", "driver.uvm-missing"}, {"severity", "error"}})->value, 1);
  EXPECT_EQ(m.find("gpuenv_check_failing", {{"check", "gpu.nouveau"}, {"severity", "warning"}})->value, 1);
  EXPECT_EQ(m.find("gpuenv_check_failing", {{"check", "gpu.vfio"}})->value, 0);
  EXPECT_EQ(m.find("gpuenv_findings", {{"severity", "error"}})->value, 1);
  EXPECT_EQ(m.find("gpuenv_findings", {{"severity", "warning"}})->value, 1);
}

TEST(Prometheus, LabelValuesAreEscaped) {
  auto s = test::make_node_snapshot({});
  s.python.interpreters[0].path = "/home/a \"b\"\\c\nd/python";
  s.cuda.devices[0].name = "GPU \"quoted\"";
  auto text = render_prometheus(s, {}, {});
  auto m = parse_ok(text);
  EXPECT_NE(m.find("gpuenv_framework_ready", {{"interpreter", "/home/a \"b\"\\c\nd/python"}}), nullptr) << text;
  EXPECT_NE(m.find("gpuenv_gpu_info", {{"name", "GPU \"quoted\""}}), nullptr);
}

TEST(Prometheus, NodeWithoutDriverStillParses) {
  Snapshot s;
  s.tool_version = "0.1.0";
  auto m = parse_ok(render_prometheus(s, {}, {}));
  EXPECT_EQ(m.samples["gpuenv_gpus"].at(0).value, 0);
  EXPECT_EQ(m.samples.count("gpuenv_driver_info"), 0u);
  EXPECT_EQ(m.samples.count("gpuenv_snapshot_timestamp_seconds"), 0u);
}

TEST(Prometheus, PromtoolAcceptsIt) {
  if (system("command -v promtool >/dev/null 2>&1") != 0) GTEST_SKIP() << "promtool not installed (Debian package prometheus)";
  auto dir = test::temp_dir("gpuenv-prom");
  auto file = dir + "/gpuenv.prom";
  auto s = test::make_node_snapshot({});
  std::ofstream(file) << render_prometheus(s, {uvm_finding()}, all_checks_of({"driver.uvm-missing", "gpu.nouveau"}));
  auto r = test::run_program({"/bin/sh", "-c", "promtool check metrics < " + file}, test::base_env());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // promtool's linter complains about problems in stderr and exits non-zero; make sure a bad file fails.
  std::ofstream(file) << "a{b=\"c} 1\n";
  auto bad = test::run_program({"/bin/sh", "-c", "promtool check metrics < " + file}, test::base_env());
  EXPECT_NE(bad.exit_code, 0);
  std::filesystem::remove_all(dir);
}

// --- NFD -------------------------------------------------------------------

namespace {

std::map<std::string, std::string> parse_nfd(const std::string& text) {
  static const std::regex name_re("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
  static const std::regex value_re("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
  std::map<std::string, std::string> out;
  for (auto& line : split_lines(text)) {
    if (line.empty() || line[0] == '#') {
      EXPECT_FALSE(line.starts_with("# +")) << "NFD would read this as a directive: " << line;
      continue;
    }
    auto eq = line.find('=');
    EXPECT_NE(eq, std::string::npos) << line;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    auto slash = key.find('/');
    EXPECT_EQ(key.substr(0, slash), "feature.node.kubernetes.io") << line;
    std::string name = key.substr(slash + 1);
    EXPECT_TRUE(std::regex_match(name, name_re)) << "bad label name: " << line;
    EXPECT_TRUE(std::regex_match(value, value_re)) << "bad label value: " << line;
    EXPECT_TRUE(name.starts_with("gpuenv.")) << line;
    EXPECT_EQ(out.count(name), 0u) << "repeated: " << line;
    out[name.substr(7)] = value;
  }
  return out;
}

}  // namespace

TEST(Nfd, HealthyNodeLabels) {
  auto s = test::make_node_snapshot({});
  auto l = parse_nfd(render_nfd(s, {}, all_checks_of({})));
  EXPECT_EQ(l["healthy"], "true");
  EXPECT_EQ(l["driver-version"], "580.159.04");
  EXPECT_EQ(l["driver-major"], "580");
  EXPECT_EQ(l["cuda-driver-api"], "13.0");
  EXPECT_EQ(l["cuda-driver-api-major"], "13");
  EXPECT_EQ(l["gpu-count"], "8");
  EXPECT_EQ(l["gpu-model"], "NVIDIA-H100-80GB-HBM3");
  EXPECT_EQ(l["compute-capability"], "9.0");
  EXPECT_EQ(l["compute-capability-min"], "90");
  EXPECT_EQ(l["compute-capability.9.0"], "true");
  EXPECT_EQ(l["framework.torch.ready"], "true");
  EXPECT_EQ(l["framework.torch.version"], "2.11.0-cu130");  // '+' is not allowed in label values
  EXPECT_EQ(l["framework.torch.cuda"], "13.0");
  EXPECT_EQ(l["stack"], "0123456789abcdef");
}

TEST(Nfd, UnhealthyNodeAndUnreadyFramework) {
  NodeSpec spec;
  spec.torch_arch = {"sm_80", "sm_86"};  // no Hopper kernels, no PTX
  auto s = test::make_node_snapshot(spec);
  auto l = parse_nfd(render_nfd(s, {uvm_finding()}, {}));
  EXPECT_EQ(l["healthy"], "false");
  EXPECT_EQ(l["framework.torch.ready"], "false");
  EXPECT_EQ(l.count("stack"), 0u);
}

TEST(Nfd, LongAndOddValuesStayValid) {
  auto s = test::make_node_snapshot({});
  s.cuda.devices[0].name = "  (weird) GPU name with a very long description that goes on and on past sixty-three chars ";
  s.python.interpreters[0].frameworks[0].name = "Torch+Nightly";
  auto l = parse_nfd(render_nfd(s, {}, {}));
  EXPECT_EQ(l.count("gpu-model"), 0u);  // two models now
  EXPECT_EQ(l["framework.Torch-Nightly.ready"], "true");
}

// --- readiness --------------------------------------------------------------

namespace {
FrameworkReadiness readiness_of(NodeSpec spec, std::vector<Finding> findings = {}) {
  static Snapshot s;  // the result points into it
  s = test::make_node_snapshot(spec);
  return framework_readiness(s, findings, s.python.interpreters[0], s.python.interpreters[0].frameworks[0]);
}
}  // namespace

TEST(Readiness, Rules) {
  EXPECT_TRUE(readiness_of({}).ready);
  NodeSpec cpu;
  cpu.torch_cuda = "";
  EXPECT_EQ(readiness_of(cpu).reason, "CPU-only build");
  NodeSpec old_driver;
  old_driver.cuda_api = 12080;
  auto r = readiness_of(old_driver);
  EXPECT_FALSE(r.ready);
  EXPECT_NE(r.reason.find("build needs 13.0"), std::string::npos) << r.reason;
  NodeSpec minor;  // a 13.2 build on a 13.0 driver: minor-version compatibility
  minor.torch_cuda = "13.2";
  EXPECT_TRUE(readiness_of(minor).ready);
  NodeSpec no_gpu;
  no_gpu.gpus = 0;
  EXPECT_EQ(readiness_of(no_gpu).reason, "the CUDA driver sees no GPU");
}

TEST(Readiness, ComputeCapabilityCoverage) {
  auto with = [](std::vector<std::string> arch, int major, int minor) {
    NodeSpec n;
    n.torch_arch = std::move(arch);
    n.cc_major = major;
    n.cc_minor = minor;
    return readiness_of(n).ready;
  };
  EXPECT_FALSE(with({"sm_80"}, 9, 0));
  EXPECT_TRUE(with({"sm_80"}, 8, 6));       // SASS runs on a newer minor of the same major
  EXPECT_FALSE(with({"sm_86"}, 8, 0));
  EXPECT_TRUE(with({"compute_80"}, 9, 0));  // PTX is JIT-compiled for newer GPUs
  EXPECT_TRUE(with({"sm_90a"}, 9, 0));
  EXPECT_FALSE(with({"sm_90a"}, 10, 0));    // architecture-specific: exactly 9.0
  EXPECT_TRUE(with({"sm_100f"}, 10, 3));    // family-specific: 10.0 and 10.3
  EXPECT_FALSE(with({"sm_103f"}, 10, 0));
  EXPECT_TRUE(with({}, 12, 0));             // not recorded
  EXPECT_TRUE(with({"8.0", "9.0"}, 9, 0));  // TF-style "x.y" lists
}

TEST(Readiness, ErrorFindingAboutTheFrameworkMakesItUnready) {
  Finding f;
  f.id = "python.framework-broken";
  f.severity = Severity::Error;
  f.subject = "/opt/venv/lib/python3.12/site-packages/torch";
  auto r = readiness_of({}, {f});
  EXPECT_FALSE(r.ready);
  EXPECT_EQ(r.reason, "python.framework-broken");
  f.severity = Severity::Warning;
  EXPECT_TRUE(readiness_of({}, {f}).ready);
}

TEST(Prometheus, PartialSelectionExportsTheSkippedCount) {
  auto s = test::make_node_snapshot({});
  auto o = all_checks_of({"python.pip-mismatch"});
  o.skipped = 31;
  auto m = parse_ok(render_prometheus(s, {}, o));
  ASSERT_EQ(m.samples["gpuenv_checks_skipped"].size(), 1u);
  EXPECT_EQ(m.samples["gpuenv_checks_skipped"].at(0).value, 31);
  EXPECT_EQ(parse_nfd(render_nfd(s, {}, o))["checks-skipped"], "31");
  EXPECT_EQ(parse_nfd(render_nfd(s, {}, all_checks_of({}))).count("checks-skipped"), 0u);
}
