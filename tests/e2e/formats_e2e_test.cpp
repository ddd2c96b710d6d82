// One --format for every command (report/formats.hpp), and doctor's views of a partial check selection:
// which checks ran and which were skipped, and never "GPU ready" for a part of the checks.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "run.hpp"

using gpuenv::test::base_env;
using gpuenv::test::run_program;
using gpuenv::test::RunResult;

namespace {

const std::string kFixtures = std::string(GPUENV_SOURCE_DIR) + "/tests/fixtures/";

RunResult cli(std::vector<std::string> args, const std::string& in = "") {
  args.insert(args.begin(), GPUENV_BINARY);
  auto env = base_env();
  env["GPUENV_LIBCUDA"] = "libcuda-gpuenv-test-absent.so.1";
  env["GPUENV_LIBNVML"] = "libnvidia-ml-gpuenv-test-absent.so.1";
  return run_program(args, env, in);
}

// A laptop without an NVIDIA GPU: a full run fails gpu.none-on-pci; the python checks alone pass.
std::vector<std::string> doctor_cpu_only(std::vector<std::string> extra) {
  std::vector<std::string> args{"doctor", "--root", kFixtures + "cpu-only/root", "--no-driver"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace

TEST(Formats, PartialSelectionNeverSaysGpuReady) {
  auto full = cli(doctor_cpu_only({}));
  EXPECT_EQ(full.exit_code, 1) << full.out;

  auto text = cli(doctor_cpu_only({"--only", "python.*"}));
  EXPECT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_EQ(text.out.find("GPU ready"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("gpuenv doctor: no problems in the "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(" selected checks ("), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(" skipped)\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  checks   "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("(--only python.*)"), std::string::npos) << text.out;

  auto md = cli(doctor_cpu_only({"--only", "python.*", "--markdown"}));
  EXPECT_EQ(md.exit_code, 0);
  EXPECT_EQ(md.out.find("GPU ready"), std::string::npos);
  EXPECT_NE(md.out.find("**Verdict:** no problems in the "), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("| checks | "), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("\"selection\""), std::string::npos) << "the embedded JSON says so too";

  auto prom = cli(doctor_cpu_only({"--only", "python.*", "--format", "prometheus"}));
  EXPECT_EQ(prom.exit_code, 0);
  EXPECT_NE(prom.out.find("\ngpuenv_checks_skipped "), std::string::npos) << prom.out;
  auto nfd = cli(doctor_cpu_only({"--only", "python.*", "--format", "nfd"}));
  EXPECT_NE(nfd.out.find("gpuenv.checks-skipped="), std::string::npos) << nfd.out;
}

TEST(Formats, DoctorJsonTellsSkippedChecksFromPassedOnes) {
  auto r = cli(doctor_cpu_only({"--json", "--only", "python.*"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.contains("selection")) << r.out.substr(0, 400);
  auto& sel = j["selection"];
  EXPECT_EQ(sel["only"], nlohmann::json::array({"python.*"}));
  EXPECT_TRUE(sel["skip"].empty());
  size_t ran = 0, skipped = 0;
  std::map<std::string, std::string> status;
  for (auto& c : sel["checks"]) {
    status[c["id"]] = c["status"];
    (c["status"] == "skipped" ? skipped : ran)++;
    EXPECT_EQ(c["status"] == "skipped", !c["id"].get<std::string>().starts_with("python.")) << c;
  }
  EXPECT_EQ(sel["ran"], ran);
  EXPECT_EQ(sel["skipped"], skipped);
  EXPECT_GT(ran, 0u);
  EXPECT_EQ(status["gpu.none-on-pci"], "skipped");
  EXPECT_EQ(status["python.pip-mismatch"], "passed");

  // A failed check is "failed"; the document still replays.
  auto fail = cli(doctor_cpu_only({"--json", "--skip", "driver.*"}));
  EXPECT_EQ(fail.exit_code, 1);
  auto f = nlohmann::json::parse(fail.out);
  bool none_on_pci_failed = false;
  for (auto& c : f["selection"]["checks"]) none_on_pci_failed |= c["id"] == "gpu.none-on-pci" && c["status"] == "failed";
  EXPECT_TRUE(none_on_pci_failed) << fail.out.substr(0, 600);
  EXPECT_EQ(f["selection"]["skip"], nlohmann::json::array({"driver.*"}));
  auto replay = cli({"doctor", "--from", "-", "--json"}, fail.out);
  EXPECT_EQ(replay.exit_code, 1) << replay.err;
  EXPECT_FALSE(nlohmann::json::parse(replay.out).contains("selection")) << "the replay runs every check";

  // A full run has no "selection": the document is the one it always was.
  auto full = cli(doctor_cpu_only({"--json"}));
  EXPECT_FALSE(nlohmann::json::parse(full.out).contains("selection"));
}

TEST(Formats, EveryCommandTakesFormatAndRefusesOneItLacks) {
  auto a = cli({"checks", "--format", "json"});
  auto b = cli({"checks", "--json"});
  EXPECT_EQ(a.exit_code, 0);
  EXPECT_EQ(a.out, b.out);
  EXPECT_TRUE(nlohmann::json::parse(a.out).is_array());
  EXPECT_EQ(cli({"checks", "--format", "text"}).out, cli({"checks"}).out);

  auto md = cli({"checks", "--format", "markdown"});
  EXPECT_EQ(md.exit_code, 2);
  EXPECT_NE(md.err.find("unknown --format 'markdown' (text, json)"), std::string::npos) << md.err;
  auto prom = cli({"explain", "--format", "prometheus", "CUDA driver version is insufficient"});
  EXPECT_EQ(prom.exit_code, 2);
  EXPECT_NE(prom.err.find("(text, json, markdown)"), std::string::npos) << prom.err;
  auto bogus = cli(doctor_cpu_only({"--format", "yaml"}));
  EXPECT_EQ(bogus.exit_code, 2);
  EXPECT_NE(bogus.err.find("(text, json, markdown, prometheus, nfd)"), std::string::npos) << bogus.err;
  EXPECT_EQ(cli({"explain", "--list", "--format", "markdown"}).exit_code, 2);

  for (auto cmd : {"checks", "diff", "verify", "env", "ldd", "which-build", "explain", "doctor"}) {
    auto h = cli({cmd, "--help"});
    EXPECT_NE(h.out.find("--format"), std::string::npos) << cmd;
    EXPECT_NE(h.out.find("--json"), std::string::npos) << cmd;
  }
  EXPECT_NE(cli({"fleet", "report", "--help"}).out.find("--format"), std::string::npos);
}
