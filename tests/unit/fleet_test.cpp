// Fleet reports over generated node sets with planted outliers, the stack
// fingerprint, the fast reader's schema checks, hostlists and the Slurm
// health-check planning.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "fleet/fingerprint.hpp"
#include "fleet/fleet.hpp"
#include "fleet/node_reader.hpp"
#include "fleet/slurm.hpp"
#include "model/json.hpp"
#include "nodes.hpp"
#include "run.hpp"
#include "util/strings.hpp"

using namespace gpuenv;
using gpuenv::test::NodeSpec;
namespace fs = std::filesystem;

TEST(Fingerprint, SameStackSameDigestWhateverTheHost) {
  NodeSpec a, b;
  a.host = "gpu001";
  b.host = "gpu002";
  b.gpus = 4;
  b.gpu_name = "NVIDIA A100-SXM4-80GB";  // hardware is not part of the stack
  auto fa = stack_fingerprint(test::make_node_snapshot(a));
  auto fb = stack_fingerprint(test::make_node_snapshot(b));
  EXPECT_EQ(fa.digest, fb.digest);
  EXPECT_EQ(fa.digest.size(), 16u);
  ASSERT_NE(fa.get("driver"), nullptr);
  EXPECT_EQ(*fa.get("driver"), "580.159.04");
  EXPECT_EQ(*fa.get("cuda.driver-api"), "13.0");
  EXPECT_EQ(*fa.get("lib.cudnn"), "9.19.0");
  EXPECT_EQ(*fa.get("framework.torch"), "2.11.0+cu130 [CUDA 13.0]");
  EXPECT_EQ(*fa.get("python"), "3.12.3");
  EXPECT_EQ(fa.get("gpu"), nullptr);
}

TEST(Fingerprint, EachComponentChangesTheDigest) {
  auto base = stack_fingerprint(test::make_node_snapshot({})).digest;
  NodeSpec d;
  d.driver = "570.86.15";
  NodeSpec t;
  t.torch = "2.10.0+cu130";
  NodeSpec c;
  c.cudnn = "9.14.0";
  for (auto& spec : {d, t, c}) EXPECT_NE(stack_fingerprint(test::make_node_snapshot(spec)).digest, base);
  EXPECT_EQ(fnv1a64_hex(""), "cbf29ce484222325");  // the FNV-1a 64 offset basis: the digest is plain FNV-1a
}

TEST(Hostlist, CompressesLikeSlurm) {
  EXPECT_EQ(compress_hostlist({"gpu003", "gpu001", "gpu002", "gpu007", "login"}), "gpu[001-003,007],login");
  EXPECT_EQ(compress_hostlist({"n1", "n2", "n10"}), "n[1-2,10]");
  EXPECT_EQ(compress_hostlist({"gpu001", "gpu100", "gpu099"}), "gpu[001,099-100]");
  EXPECT_EQ(compress_hostlist({"a"}), "a");
  EXPECT_EQ(compress_hostlist({"gpu5"}), "gpu5");
  EXPECT_EQ(compress_hostlist({"x1", "x3", "x5", "x7"}, 2), "x[1,3] ... (2 more)");
}

TEST(NodeReader, ReadsWhatTheFleetNeeds) {
  NodeSpec n;
  n.uvm_missing = true;
  n.distributions = 5;
  NodeReader r;
  auto doc = r.parse(test::make_node_json(n));
  ASSERT_TRUE(doc) << doc.error();
  EXPECT_EQ(doc->snapshot.host.hostname, "gpu001");
  EXPECT_EQ(doc->snapshot.cuda.devices.size(), 8u);
  EXPECT_EQ(doc->snapshot.python.interpreters.at(0).frameworks.at(0).arch_list.size(), 7u);
  ASSERT_EQ(doc->findings.size(), 1u);
  EXPECT_EQ(doc->findings[0].id, "driver.uvm-missing");
  // The same fingerprint as from the full reader.
  auto full = parse_doctor_json(test::make_node_json(n));
  ASSERT_TRUE(full);
  EXPECT_EQ(stack_fingerprint(doc->snapshot).digest, stack_fingerprint(full->snapshot).digest);
}

TEST(NodeReader, NamesWhatIsWrong) {
  NodeReader r;
  auto good = test::make_node_json({});
  EXPECT_NE(r.parse(good.substr(0, good.size() / 2)).error().find("not valid JSON"), std::string::npos);
  EXPECT_NE(r.parse("[1,2]").error().find("expected a JSON object"), std::string::npos);
  EXPECT_NE(r.parse("{\"x\":1}").error().find("schema_version"), std::string::npos);
  EXPECT_NE(r.parse("{\"schema_version\":99}").error().find("newer"), std::string::npos);
  auto bare = doctor_to_json(test::make_node_snapshot({}), {})["snapshot"].dump();
  EXPECT_NE(r.parse(bare).error().find("bare snapshot"), std::string::npos);
  auto j = nlohmann::json::parse(good);
  j["snapshot"]["cuda"]["driver_version"] = "thirteen";
  auto e = r.parse(j.dump()).error();
  EXPECT_NE(e.find("snapshot.cuda.driver_version: expected an integer"), std::string::npos) << e;
  j = nlohmann::json::parse(good);
  j["snapshot"]["python"]["interpreters"][0]["frameworks"][0]["cuda_build"] = 1;
  e = r.parse(j.dump()).error();
  EXPECT_NE(e.find("snapshot.python.interpreters[0].frameworks[0].cuda_build"), std::string::npos) << e;
  j = nlohmann::json::parse(good);
  j["findings"] = nlohmann::json::array({{{"id", "x"}, {"severity", "fatal"}}});
  EXPECT_NE(r.parse(j.dump()).error().find("findings[0].severity"), std::string::npos);
  EXPECT_NE(r.read_file("/nonexistent/gpuenv.json").error().find("No such file"), std::string::npos);
}

namespace {

// 500 nodes: 3 with an older driver (and so an older CUDA driver API), 2 with
// a failing check, 1 truncated file and 1 file that is not a doctor document.
struct PlantedFleet {
  std::string dir;
  PlantedFleet() {
    dir = test::temp_dir("gpuenv-fleet");
    // One document per kind of node, the host name substituted (fast in a sanitizer build).
    NodeSpec healthy, old, broken;
    healthy.host = old.host = broken.host = "HOSTNAME";
    old.driver = "570.86.15", old.cuda_api = 12080;
    broken.uvm_missing = true;
    std::string kinds[3] = {test::make_node_json(healthy), test::make_node_json(old), test::make_node_json(broken)};
    for (int i = 1; i <= 500; ++i) {
      int kind = (i == 17 || i == 230 || i == 411) ? 1 : (i == 44 || i == 101) ? 2 : 0;
      auto host = fmt::format("gpu{:03d}", i);
      std::ofstream(dir + "/" + host + ".json") << replace_all(kinds[kind], "HOSTNAME", host);
    }
    auto whole = test::make_node_json({});
    std::ofstream(dir + "/gpu999.json") << whole.substr(0, whole.size() - 200);
    std::ofstream(dir + "/notes.json") << "{\"hello\": 1}\n";
    std::ofstream(dir + "/README.txt") << "not a json file, not read\n";
  }
  ~PlantedFleet() { fs::remove_all(dir); }
};

}  // namespace

TEST(FleetReport, FindsPlantedOutliersAndFailingChecks) {
  PlantedFleet f;
  std::vector<SkippedFile> skipped;
  auto files = expand_fleet_inputs({f.dir}, skipped);
  EXPECT_EQ(files.size(), 502u);
  auto r = read_fleet(files, skipped, 2);
  EXPECT_EQ(r.nodes.size(), 500u);
  ASSERT_EQ(r.skipped.size(), 2u);
  EXPECT_NE(r.skipped[0].file.find("gpu999.json"), std::string::npos);
  EXPECT_NE(r.skipped[0].reason.find("not valid JSON"), std::string::npos);
  EXPECT_NE(r.skipped[1].file.find("notes.json"), std::string::npos);

  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.groups[0].nodes.size(), 497u);
  EXPECT_FALSE(r.majority_tied);
  auto& out = r.groups[1];
  std::vector<std::string> names;
  for (auto i : out.nodes) names.push_back(r.nodes[i].node);
  EXPECT_EQ(names, (std::vector<std::string>{"gpu017", "gpu230", "gpu411"}));
  std::map<std::string, std::pair<std::string, std::string>> diffs;
  for (auto& d : out.differs) diffs[d.key] = {d.value, d.majority};
  EXPECT_EQ(diffs["driver"], std::make_pair(std::string("570.86.15"), std::string("580.159.04")));
  EXPECT_EQ(diffs["cuda.driver-api"], std::make_pair(std::string("12.8"), std::string("13.0")));
  EXPECT_EQ(diffs["lib.cuda"].first, "570.86.15");
  EXPECT_EQ(diffs.count("framework.torch"), 0u);

  ASSERT_EQ(r.failing.size(), 1u);
  EXPECT_EQ(r.failing[0].id, "driver.uvm-missing");
  std::vector<std::string> failing;
  for (auto i : r.failing[0].nodes) failing.push_back(r.nodes[i].node);
  EXPECT_EQ(failing, (std::vector<std::string>{"gpu044", "gpu101"}));
  EXPECT_TRUE(r.problems(false));

  auto text = render_fleet_text(r, {});
  EXPECT_NE(text.find("500 nodes, 2 stacks"), std::string::npos) << text;
  EXPECT_NE(text.find("497 of 500 nodes (99.4%)"), std::string::npos) << text;
  EXPECT_NE(text.find("gpu[017,230,411]"), std::string::npos) << text;
  EXPECT_NE(text.find("gpu[044,101]"), std::string::npos) << text;
  EXPECT_NE(text.find("majority: 580.159.04"), std::string::npos) << text;

  auto md = render_fleet_markdown(r);
  EXPECT_NE(md.find("| driver | 570.86.15 | 580.159.04 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| error | `driver.uvm-missing` | 2 | `gpu[044,101]` |"), std::string::npos) << md;

  auto j = nlohmann::json::parse(render_fleet_json(r));
  EXPECT_EQ(j["summary"]["nodes"], 500);
  EXPECT_EQ(j["summary"]["outliers"], 3);
  EXPECT_EQ(j["summary"]["files_skipped"], 2);
  EXPECT_EQ(j["stacks"][1]["nodes"], nlohmann::json({"gpu017", "gpu230", "gpu411"}));
  EXPECT_EQ(j["failing_checks"][0]["nodes"], nlohmann::json({"gpu044", "gpu101"}));
  EXPECT_EQ(j["nodes"].size(), 500u);
}

TEST(FleetReport, OneThreadAndManyGiveTheSameReport) {
  PlantedFleet f;
  std::vector<SkippedFile> s1, s2;
  auto a = read_fleet(expand_fleet_inputs({f.dir}, s1), s1, 1);
  auto b = read_fleet(expand_fleet_inputs({f.dir}, s2), s2, 4);
  EXPECT_EQ(render_fleet_json(a), render_fleet_json(b));
}

TEST(FleetReport, UniformHealthyFleetHasNoProblems) {
  std::vector<NodeRecord> nodes;
  for (int i = 0; i < 4; ++i) {
    NodeSpec n;
    n.host = fmt::format("n{}", i);
    nodes.push_back(summarize_node(n.host + ".json", test::make_node_snapshot(n), {}));
  }
  auto r = build_fleet_report(std::move(nodes), {});
  EXPECT_EQ(r.groups.size(), 1u);
  EXPECT_FALSE(r.problems(true));
  EXPECT_NE(render_fleet_text(r, {}).find("every node runs the same stack"), std::string::npos);
}

TEST(FleetReport, TiesAndDuplicatesAreReported) {
  std::vector<NodeRecord> nodes;
  NodeSpec a, b;
  b.driver = "570.86.15";
  a.host = "x1";
  b.host = "x1";  // the same host twice, once per stack
  nodes.push_back(summarize_node("a.json", test::make_node_snapshot(a), {}));
  nodes.push_back(summarize_node("b.json", test::make_node_snapshot(b), {}));
  auto r = build_fleet_report(std::move(nodes), {});
  EXPECT_TRUE(r.majority_tied);
  ASSERT_EQ(r.duplicates.size(), 1u);
  EXPECT_EQ(r.duplicates[0].first, "x1");
  EXPECT_NE(render_fleet_text(r, {}).find("tied"), std::string::npos);
}

// --- Slurm -----------------------------------------------------------------

TEST(Slurm, ParsesScontrolShowNode) {
  auto st = parse_scontrol_show_node(
      "NodeName=gpu017 Arch=x86_64 CoresPerSocket=1\n"
      "   CPUAlloc=0 CPUEfctv=2 CPUTot=2 CPULoad=0.10\n"
      "   State=IDLE+DRAIN ThreadsPerCore=1 TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A\n"
      "   Reason=gpuenv: driver.uvm-missing: /dev/nvidia-uvm is missing [root@2026-11-24T10:00:00]\n");
  EXPECT_TRUE(st.known);
  EXPECT_TRUE(st.drained);
  EXPECT_EQ(st.reason, "gpuenv: driver.uvm-missing: /dev/nvidia-uvm is missing");
  auto idle = parse_scontrol_show_node("NodeName=gpu017 Arch=x86_64\n   State=IDLE ThreadsPerCore=1\n");
  EXPECT_FALSE(idle.drained);
  EXPECT_EQ(idle.reason, "");
}

TEST(Slurm, DrainReasonNamesTheWorstCheck) {
  NodeSpec n;
  n.uvm_missing = true;
  auto findings = test::make_node_findings(n);
  Finding w;
  w.id = "driver.nvml-failed";
  w.severity = Severity::Warning;
  w.title = "NVML fails";
  findings.insert(findings.begin(), w);
  EXPECT_EQ(drain_reason(findings, false), "gpuenv: driver.uvm-missing: /dev/nvidia-uvm is missing: CUDA cannot start");
  EXPECT_EQ(drain_reason(findings, true),
            "gpuenv: driver.uvm-missing: /dev/nvidia-uvm is missing: CUDA cannot start (+1 more)");
  EXPECT_EQ(drain_reason({w}, false), "");
  findings[1].title = std::string(500, 'x');
  EXPECT_LE(drain_reason(findings, false).size(), 200u);
}

TEST(Slurm, PlansDrainResumeOrNothing) {
  NodeSpec n;
  n.uvm_missing = true;
  auto bad = test::make_node_findings(n);
  HealthcheckOptions o;
  o.node = "gpu017";
  SlurmNodeState idle{true, false, ""};
  auto p = plan_healthcheck(bad, idle, o);
  EXPECT_EQ(p.action, HealthcheckPlan::Action::Drain);
  EXPECT_EQ(p.argv, (std::vector<std::string>{"update", "nodename=gpu017", "state=drain", "reason=" + p.reason}));

  SlurmNodeState ours{true, true, p.reason};
  EXPECT_EQ(plan_healthcheck(bad, ours, o).action, HealthcheckPlan::Action::None);  // already drained for this
  auto healed = plan_healthcheck({}, ours, o);
  EXPECT_EQ(healed.action, HealthcheckPlan::Action::Resume);
  EXPECT_EQ(healed.argv, (std::vector<std::string>{"update", "nodename=gpu017", "state=resume"}));
  o.resume = false;
  EXPECT_EQ(plan_healthcheck({}, ours, o).action, HealthcheckPlan::Action::None);
  o.resume = true;

  SlurmNodeState admin{true, true, "bad fan, ticket 123"};
  EXPECT_EQ(plan_healthcheck(bad, admin, o).action, HealthcheckPlan::Action::None);  // someone else's drain
  EXPECT_EQ(plan_healthcheck({}, admin, o).action, HealthcheckPlan::Action::None);   // never resumed by gpuenv
}
