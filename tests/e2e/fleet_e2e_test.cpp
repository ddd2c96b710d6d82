// End to end: the exporters and fleet commands of the built binary, the Slurm
// health check against a fake scontrol, and a real one-node Slurm cluster
// (slurm-wlm + munge, as root) that runs `srun gpuenv doctor --json` and feeds
// the result to `gpuenv fleet report`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "nodes.hpp"
#include "run.hpp"
#include "util/strings.hpp"

namespace fs = std::filesystem;
using gpuenv::test::base_env;
using gpuenv::test::run_program;
using nlohmann::json;

namespace {

std::map<std::string, std::string> fake_driver_env() {
  auto env = base_env();
  env["GPUENV_LIBCUDA"] = GPUENV_FAKE_LIBCUDA;
  env["GPUENV_LIBNVML"] = GPUENV_FAKE_LIBNVML;
  return env;
}

std::string fixture_root(const char* name) { return std::string(GPUENV_SOURCE_DIR) + "/tests/fixtures/" + name + "/root"; }

// doctor --json of a fixture machine, written to dir/name.json.
std::string doctor_json(const std::string& dir, const char* fixture, const std::string& name) {
  auto r = run_program({GPUENV_BINARY, "doctor", "--json", "--root", fixture_root(fixture)}, fake_driver_env());
  auto path = dir + "/" + name + ".json";
  std::ofstream(path) << r.out;
  return path;
}

struct TempDir {
  std::string path = gpuenv::test::temp_dir("gpuenv-e2e-fleet");
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST(DoctorExporters, OutputIsWrittenAtomicallyInBothFormats) {
  TempDir t;
  for (std::string format : {"prometheus", "nfd"}) {
    auto out = t.path + "/gpuenv." + format;
    auto r = run_program({GPUENV_BINARY, "doctor", "--format", format, "--root", fixture_root("h100-ubuntu-healthy"),
                          "--output", out},
                         fake_driver_env());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    auto text = gpuenv::test::read_text(out);
    if (format == "prometheus") {
      EXPECT_NE(text.find("gpuenv_healthy 1\n"), std::string::npos) << text;
      EXPECT_NE(text.find("gpuenv_driver_info{version=\"580.159.04\",flavour=\"open\"} 1\n"), std::string::npos);
    } else {
      EXPECT_NE(text.find("feature.node.kubernetes.io/gpuenv.healthy=true\n"), std::string::npos) << text;
    }
  }
  // Nothing else is left in the directory (no temporary files).
  size_t files = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(t.path)) ++files;
  EXPECT_EQ(files, 2u);
}

TEST(DoctorExporters, FailingNodeExitsOneAndSaysSo) {
  auto r = run_program({GPUENV_BINARY, "doctor", "--format", "prometheus", "--root", fixture_root("uvm-missing")},
                       fake_driver_env());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("gpuenv_check_failing{check=\"driver.uvm-missing\",severity=\"error\"} 1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("gpuenv_healthy 0\n"), std::string::npos);
  auto bad = run_program({GPUENV_BINARY, "doctor", "--format", "prom"}, base_env());
  EXPECT_EQ(bad.exit_code, 2);
}

TEST(FleetCommand, ReportsAndExitCodes) {
  TempDir t;
  doctor_json(t.path, "h100-ubuntu-healthy", "a");
  auto good = run_program({GPUENV_BINARY, "fleet", "report", t.path}, base_env());
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  EXPECT_NE(good.out.find("1 node, 1 stack"), std::string::npos) << good.out;

  doctor_json(t.path, "uvm-missing", "b");
  std::ofstream(t.path + "/c.json") << "{\"schema_version\": 1, \"snapsh";
  auto md = run_program({GPUENV_BINARY, "fleet", "report", "--markdown", t.path}, base_env());
  EXPECT_EQ(md.exit_code, 1);
  EXPECT_NE(md.out.find("## gpuenv fleet report"), std::string::npos);
  EXPECT_NE(md.out.find("`driver.uvm-missing`"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("c.json"), std::string::npos) << "the truncated file is named";

  auto j = run_program({GPUENV_BINARY, "fleet", "report", "--json", t.path + "/a.json", t.path + "/missing.json"}, base_env());
  auto doc = json::parse(j.out);
  EXPECT_EQ(doc["summary"]["nodes"], 1);
  EXPECT_EQ(doc["skipped"][0]["reason"], "does not exist");

  TempDir empty;
  auto none = run_program({GPUENV_BINARY, "fleet", "report", empty.path}, base_env());
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("no *.json files"), std::string::npos) << none.err;
}

// --- Slurm health check against a fake scontrol ---------------------------

namespace {

// A stand-in for scontrol: appends its arguments to $log and answers `show node`
// with the state in $state (a file holding a scontrol show node text).
std::string fake_scontrol(const std::string& dir) {
  auto path = dir + "/scontrol";
  std::ofstream(path) << "#!/bin/sh\n"
                         "echo \"$*\" >> " << dir << "/calls.log\n"
                         "if [ \"$1\" = show ]; then cat " << dir << "/state; fi\n";
  fs::permissions(path, fs::perms::owner_all);
  return path;
}

}  // namespace

TEST(SlurmHealthcheck, DrainsWithTheFailingCheckAndDryRunTouchesNothing) {
  TempDir t;
  auto sc = fake_scontrol(t.path);
  std::ofstream(t.path + "/state") << "NodeName=gpu017 Arch=x86_64\n   State=IDLE ThreadsPerCore=1\n";
  auto bad = doctor_json(t.path, "uvm-missing", "bad");
  auto good = doctor_json(t.path, "h100-ubuntu-healthy", "good");

  auto dry = run_program({GPUENV_BINARY, "slurm", "healthcheck", "--from", bad, "--node", "gpu017", "--scontrol", sc,
                          "--dry-run"},
                         base_env());
  EXPECT_EQ(dry.exit_code, 1) << dry.err;
  EXPECT_NE(dry.out.find("would run: " + sc + " update nodename=gpu017 state=drain 'reason=gpuenv: driver.uvm-missing:"),
            std::string::npos)
      << dry.out;
  EXPECT_EQ(gpuenv::test::read_text(t.path + "/calls.log"), "show node gpu017\n");

  auto real = run_program({GPUENV_BINARY, "slurm", "healthcheck", "--from", bad, "--node", "gpu017", "--scontrol", sc},
                          base_env());
  EXPECT_EQ(real.exit_code, 1) << real.err;
  auto calls = gpuenv::split_lines(gpuenv::test::read_text(t.path + "/calls.log"));
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_TRUE(calls[2].starts_with("update nodename=gpu017 state=drain reason=gpuenv: driver.uvm-missing: ")) << calls[2];

  // Drained by gpuenv and healthy again: resumed. SLURMD_NODENAME names the node.
  std::ofstream(t.path + "/state") << "NodeName=gpu017\n   State=IDLE+DRAIN ThreadsPerCore=1\n"
                                      "   Reason=gpuenv: driver.uvm-missing: x [root@2026-11-24T10:00:00]\n";
  auto env = base_env();
  env["SLURMD_NODENAME"] = "gpu017";
  auto resumed = run_program({GPUENV_BINARY, "slurm", "healthcheck", "--from", good, "--scontrol", sc}, env);
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  calls = gpuenv::split_lines(gpuenv::test::read_text(t.path + "/calls.log"));
  EXPECT_EQ(calls.back(), "update nodename=gpu017 state=resume");

  // The HealthCheckProgram wrapper script passes its arguments through.
  auto wrapper_env = base_env();
  wrapper_env["GPUENV"] = GPUENV_BINARY;
  auto wrapped = run_program({std::string(GPUENV_SOURCE_DIR) + "/share/slurm/gpuenv-healthcheck", "--from", bad, "--node",
                              "gpu017", "--scontrol", sc, "--dry-run"},
                             wrapper_env);
  EXPECT_EQ(wrapped.exit_code, 1) << wrapped.err;
  EXPECT_NE(wrapped.out.find("would run: "), std::string::npos) << wrapped.out;

  // scontrol failing is exit 2 with its message.
  auto broken = run_program({GPUENV_BINARY, "slurm", "healthcheck", "--from", bad, "--node", "gpu017", "--scontrol",
                             "/bin/false"},
                            base_env());
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.err.find("failed"), std::string::npos) << broken.err;
}

// --- a real one-node Slurm cluster -----------------------------------------

class RealSlurm : public ::testing::Test {
 protected:
  std::string dir, conf, node;
  bool started = false;

  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to run slurmctld, slurmd and munged";
    for (auto* p : {"/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/srun", "/usr/bin/scontrol"})
      if (access(p, X_OK) != 0) GTEST_SKIP() << p << " is missing (Debian packages slurm-wlm and munge)";
    dir = gpuenv::test::temp_dir("gpuenv-slurm");
    auto env = base_env();
    env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    // Ports away from Slurm's defaults and from other test runs.
    env["GPUENV_SLURM_PORT"] = std::to_string(27000 + 2 * (getpid() % 4000));
    started = true;  // from here on TearDown stops whatever did start
    auto r = run_program({std::string(GPUENV_SOURCE_DIR) + "/tests/e2e/slurm-cluster.sh", "start", dir}, env, "", 90);
    ASSERT_EQ(r.exit_code, 0) << "the test cluster did not start:\n" << r.out << r.err;
    for (auto& line : gpuenv::split_lines(r.out)) {
      if (line.starts_with("SLURM_CONF=")) conf = line.substr(11);
      if (line.starts_with("NODE=")) node = line.substr(5);
    }
    ASSERT_FALSE(conf.empty());
    ASSERT_FALSE(node.empty());
  }
  void TearDown() override {
    if (!started) return;
    run_program({std::string(GPUENV_SOURCE_DIR) + "/tests/e2e/slurm-cluster.sh", "stop", dir}, base_env(), "", 30);
    fs::remove_all(dir);
  }
  std::map<std::string, std::string> env() const {
    auto e = fake_driver_env();
    e["SLURM_CONF"] = conf;
    e["PATH"] = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
    return e;
  }
  std::string node_state() const {
    return run_program({"/usr/bin/scontrol", "show", "node", node}, env(), "", 20).out;
  }
  // Waits (bounded) until the node takes jobs again.
  void wait_idle() const {
    for (int i = 0; i < 100; ++i) {
      auto s = run_program({"/usr/bin/sinfo", "-h", "-n", node, "-o", "%t"}, env(), "", 10).out;
      if (s.starts_with("idle")) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
};

TEST_F(RealSlurm, SrunCollectsOneJsonPerNodeAndFleetReportAggregatesThem) {
  auto out = dir + "/fleet";
  fs::create_directories(out);
  // The documented collection line (docs/fleet.md), on this one-node cluster.
  auto r = run_program({"/usr/bin/srun", "--nodes=1", "--ntasks-per-node=1", "--time=2", "--output=" + out + "/%N.json",
                        "--error=" + out + "/%N.err", GPUENV_BINARY, "doctor", "--json"},
                       env(), "", 120);
  ASSERT_NE(r.exit_code, -1) << r.err;  // 0 or 1: this machine may well have findings
  ASSERT_TRUE(fs::exists(out + "/" + node + ".json")) << r.out << r.err;

  // Two more nodes' documents beside it and a damaged one: the report names the skip.
  gpuenv::test::NodeSpec other;
  other.host = "gpu-other";
  std::ofstream(out + "/gpu-other.json") << gpuenv::test::make_node_json(other);
  std::ofstream(out + "/broken.json") << "{\"schema_version\": 1, \"findings\": [";
  auto rep = run_program({GPUENV_BINARY, "fleet", "report", "--json", out}, base_env());
  auto j = json::parse(rep.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << rep.out << rep.err;
  EXPECT_EQ(j["summary"]["nodes"], 2);
  EXPECT_EQ(j["summary"]["files_skipped"], 1);
  std::set<std::string> names;
  for (auto& n : j["nodes"]) names.insert(n["node"].get<std::string>());
  auto doc = json::parse(gpuenv::test::read_text(out + "/" + node + ".json"));
  EXPECT_TRUE(names.count(doc["snapshot"]["host"]["hostname"].get<std::string>())) << j["nodes"].dump();
  // Whatever this node's findings are, each shows up with this node in its list.
  for (auto& f : doc["findings"]) {
    if (f["severity"] == "info") continue;
    bool listed = false;
    for (auto& fc : j["failing_checks"])
      if (fc["id"] == f["id"]) listed = fc["nodes"].dump().find(doc["snapshot"]["host"]["hostname"].get<std::string>()) != std::string::npos;
    EXPECT_TRUE(listed) << f["id"];
  }
  EXPECT_EQ(rep.exit_code, 1);  // two different stacks at least
}

TEST_F(RealSlurm, HealthcheckDrainsAndResumesTheNode) {
  auto bad = doctor_json(dir, "uvm-missing", "bad");
  auto good = doctor_json(dir, "h100-ubuntu-healthy", "good");
  auto r = run_program({GPUENV_BINARY, "slurm", "healthcheck", "--from", bad, "--node", node}, env(), "", 60);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto st = node_state();
  EXPECT_NE(st.find("DRAIN"), std::string::npos) << st;
  EXPECT_NE(st.find("Reason=gpuenv: driver.uvm-missing: "), std::string::npos) << st;

  r = run_program({GPUENV_BINARY, "slurm", "healthcheck", "--from", good, "--node", node}, env(), "", 60);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  st = node_state();
  EXPECT_EQ(st.find("DRAIN"), std::string::npos) << st;
  wait_idle();
}
