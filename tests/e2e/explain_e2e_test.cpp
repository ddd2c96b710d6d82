// gpuenv explain as a user meets it: arguments, stdin, --file, formats, exit codes, a log with several
// messages, narrowing with a snapshot; and doctor --deep's command-line rules.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "run.hpp"

using gpuenv::test::base_env;
using gpuenv::test::run_program;
using gpuenv::test::RunResult;

namespace {

const std::string kFixtures = std::string(GPUENV_SOURCE_DIR) + "/tests/fixtures/";

std::map<std::string, std::string> fake_env() {
  auto env = base_env();
  env["GPUENV_LIBCUDA"] = GPUENV_FAKE_LIBCUDA;
  env["GPUENV_LIBNVML"] = GPUENV_FAKE_LIBNVML;
  return env;
}

RunResult cli(std::vector<std::string> args, const std::string& in = "", std::map<std::string, std::string> env = fake_env()) {
  args.insert(args.begin(), GPUENV_BINARY);
  return run_program(args, env, in);
}

const char* kLog =
    "2024-03-05 12:17:07.535024: E external/local_xla/xla/stream_executor/cuda/cuda_dnn.cc:9261] Unable to register cuDNN "
    "factory: Attempting to register factory for plugin cuDNN when one has already been registered\n"
    "Epoch 1/10\n"
    "2023-05-10 10:12:03.123456: W tensorflow/compiler/xla/stream_executor/platform/default/dso_loader.cc:64] Could not "
    "load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file: No such file or directory\n"
    "W tensorflow/core/common_runtime/gpu/gpu_device.cc:1956] Cannot dlopen some GPU libraries. Please make sure the "
    "missing libraries mentioned above are installed properly if you would like to use GPU.\n"
    "Epoch 2/10\n"
    "2023-05-10 10:12:04.000000: W tensorflow/compiler/xla/stream_executor/platform/default/dso_loader.cc:64] Could not "
    "load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file: No such file or directory\n";

}  // namespace

TEST(ExplainCli, ArgumentsJoinedAndExitOne) {
  auto r = cli({"explain", "Failed", "to", "initialize", "NVML:", "Driver/library", "version", "mismatch"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("[driver.version-mismatch]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sudo reboot"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("input    arguments, 1 line"), std::string::npos) << r.out;
}

TEST(ExplainCli, NothingMatchedExitsZero) {
  auto r = cli({"explain", "loss went down nicely"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("no known GPU error message"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("gpuenv explain --list"), std::string::npos) << r.out;
  // Only harmless messages: still 0.
  auto h = cli({"explain", "This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations."});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("Harmless"), std::string::npos) << h.out;
  // A warning: 0, and 1 with --strict.
  const char* warn = "WARNING:jax._src.xla_bridge:An NVIDIA GPU may be present on this machine, but a CUDA-enabled jaxlib is not installed. Falling back to cpu.";
  EXPECT_EQ(cli({"explain", warn}).exit_code, 0);
  EXPECT_EQ(cli({"explain", "--strict", warn}).exit_code, 1);
}

TEST(ExplainCli, OutOfMemoryAndBugsInTheProgramExitZero) {
  // Explained (as info: not a setup problem), and `explain || notify` stays quiet (issue 15).
  for (const char* msg : {"torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 79.19 GiB",
                          "tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating tensor with shape[64,512]",
                          "jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 4770354232 bytes.",
                          "RuntimeError: CUDA error: device-side assert triggered"}) {
    SCOPED_TRACE(msg);
    auto r = cli({"explain", msg});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out.find("no known GPU error message"), std::string::npos) << r.out;
  }
  // The same log with a setup error in it: 1.
  auto r = cli({"explain", "RuntimeError: CUDA error: out of memory\nRuntimeError: CUDA error: invalid device ordinal"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
}

TEST(ExplainCli, LogFromStdinListsEachMessageOnceInOrder) {
  auto r = cli({"explain", "--json"}, kLog);
  ASSERT_EQ(r.exit_code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["command"], "explain");
  EXPECT_EQ(j["verdict"], "problems");
  EXPECT_EQ(j["input"]["source"], "stdin");
  EXPECT_EQ(j["input"]["lines"], 6);
  auto& m = j["matches"];
  ASSERT_EQ(m.size(), 3u) << r.out;
  EXPECT_EQ(m[0]["id"], "explain.tf-duplicate-factory");
  EXPECT_EQ(m[0]["severity"], "info");
  EXPECT_EQ(m[0]["line"], 1);
  EXPECT_EQ(m[1]["id"], "library.not-found");
  EXPECT_EQ(m[1]["entry"], "explain.tf-dlopen-failed");
  EXPECT_EQ(m[1]["captures"]["library"], "libcudnn.so.8");
  EXPECT_EQ(m[1]["lines"], nlohmann::json::array({3, 6}));
  EXPECT_EQ(m[2]["entry"], "explain.tf-cannot-dlopen-gpu-libraries");
  EXPECT_EQ(m[2]["line"], 4);
  EXPECT_EQ(j["summary"]["errors"], 2);
  EXPECT_EQ(j["summary"]["infos"], 1);
}

TEST(ExplainCli, FileAndMarkdown) {
  auto dir = gpuenv::test::temp_dir("explain-file");
  std::ofstream(dir + "/job.log") << kLog;
  auto t = cli({"explain", "--file", dir + "/job.log"});
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_NE(t.out.find("file " + dir + "/job.log, 6 lines"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("lines 3, 6"), std::string::npos) << t.out;
  auto md = cli({"explain", "--markdown", "-f", dir + "/job.log"});
  EXPECT_EQ(md.exit_code, 1);
  EXPECT_EQ(md.out.rfind("## gpuenv explain", 0), 0u) << md.out;
  EXPECT_NE(md.out.find("| `library.not-found` | 3 |"), std::string::npos) << md.out;
  auto missing = cli({"explain", "--file", dir + "/nope.log"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot read"), std::string::npos) << missing.err;
  auto both = cli({"explain", "--file", dir + "/job.log", "some", "words"});
  EXPECT_EQ(both.exit_code, 2);
}

TEST(ExplainCli, ListShowsEveryEntry) {
  auto r = cli({"explain", "--list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GE(j.size(), 40u);
  auto help = cli({"explain", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Exit codes: 0 no known problem"), std::string::npos) << help.out;
  auto top = cli({"--help"});
  EXPECT_NE(top.out.find("explain"), std::string::npos);
}

TEST(ExplainCli, SnapshotNarrowsTheAnswer) {
  // A saved snapshot of the fixture where CUDA_VISIBLE_DEVICES is empty: the message is tied to it.
  auto env = fake_env();
  env["CUDA_VISIBLE_DEVICES"] = "";  // as the fixture's case.toml sets it
  auto snap = cli({"doctor", "--json", "--root", kFixtures + "cuda-visible-devices-empty/root"}, "", env);
  ASSERT_FALSE(snap.out.empty()) << snap.err;
  auto dir = gpuenv::test::temp_dir("explain-snap");
  std::ofstream(dir + "/node.json") << snap.out;
  auto r = cli({"explain", "--from", dir + "/node.json", "--json", "RuntimeError: No CUDA GPUs are available"});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  auto& m = j["matches"][0];
  EXPECT_EQ(m["id"], "driver.no-visible-device");
  EXPECT_EQ(m["confirmed_by"][0], "driver.no-visible-device") << r.out;
  EXPECT_NE(m["machine_notes"].dump().find("CUDA_VISIBLE_DEVICES"), std::string::npos) << r.out;
  auto bad = cli({"explain", "--from", dir + "/nope.json", "x"});
  EXPECT_EQ(bad.exit_code, 2);
}

TEST(ExplainCli, HereProbesThisMachine) {
  // The live probe (files + the fake driver of the tests: one H100) narrows the answer.
  auto r = cli({"explain", "--here", "--json", "RuntimeError: No CUDA GPUs are available"});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["machine"].get<std::string>().rfind("this machine (live probe)", 0), 0u) << r.out;
  EXPECT_FALSE(j["matches"][0]["machine_notes"].empty()) << r.out;
  auto both = cli({"explain", "--here", "--from", "x.json", "y"});
  EXPECT_EQ(both.exit_code, 2);
  auto empty = cli({"explain"}, "");
  EXPECT_EQ(empty.exit_code, 0);
  EXPECT_NE(empty.out.find("stdin, 0 lines"), std::string::npos) << empty.out;
}

TEST(DeepCli, UsageRules) {
  auto from = cli({"doctor", "--deep", "--from", "/dev/null"});
  EXPECT_EQ(from.exit_code, 2);
  EXPECT_NE(from.err.find("--from replays"), std::string::npos) << from.err;
  auto root = cli({"doctor", "--deep", "--root", kFixtures + "h100-ubuntu-healthy/root"});
  EXPECT_EQ(root.exit_code, 2);
  auto t = cli({"doctor", "--deep", "--deep-timeout", "0"});
  EXPECT_EQ(t.exit_code, 2);
}

TEST(DeepCli, LiveRunRecordsDeepAndReplays) {
  // doctor --deep on this machine: whatever the Python probe finds is imported. Until the probe lists
  // frameworks, the section is present and empty.
  auto env = fake_env();
  auto r = cli({"doctor", "--deep", "--json", "--deep-timeout", "120"}, "", env);
  ASSERT_NE(r.exit_code, 2) << r.err;
  auto j = nlohmann::json::parse(r.out);
  auto& deep = j["snapshot"]["deep"];
  EXPECT_EQ(deep["ran"], true);
  EXPECT_EQ(deep["timeout_s"], 120);
  // Replay keeps the results and the deep findings.
  auto dir = gpuenv::test::temp_dir("deep-replay");
  std::ofstream(dir + "/snap.json") << r.out;
  auto again = cli({"doctor", "--json", "--from", dir + "/snap.json"});
  auto k = nlohmann::json::parse(again.out);
  EXPECT_EQ(k["snapshot"]["deep"], deep);
  EXPECT_EQ(k["findings"], j["findings"]);
  if (deep["results"].empty()) GTEST_SKIP() << "the Python probe found no framework on this machine";
  for (auto& res : deep["results"]) EXPECT_NE(res["status"], "") << res.dump();
}
