// The command line as a user meets it: help, version, usage errors and exit
// codes, output formats, colour rules, redaction, progress, atomic output.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run.hpp"

namespace fs = std::filesystem;
using gpuenv::test::base_env;
using gpuenv::test::read_text;
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

RunResult cli(std::vector<std::string> args, std::map<std::string, std::string> env = fake_env(),
                 const std::string& in = "") {
  args.insert(args.begin(), GPUENV_BINARY);
  return run_program(args, env, in);
}

std::string root(const std::string& fixture) { return kFixtures + fixture + "/root"; }

bool have(const char* tool) { return access(tool, X_OK) == 0; }

}  // namespace

TEST(Cli, VersionAndHelp) {
  auto v = cli({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("gpuenv 0."), std::string::npos) << v.out;
  auto h = cli({"doctor", "--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("Examples"), std::string::npos);
  EXPECT_NE(h.out.find("--from"), std::string::npos);
  auto top = cli({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("Exit codes"), std::string::npos);
  auto none = cli({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.out.find("doctor"), std::string::npos);
}

TEST(Cli, UsageErrorsExitTwo) {
  auto bad = cli({"doctor", "--no-such-flag"});
  EXPECT_EQ(bad.exit_code, 2);
  auto cmd = cli({"no-such-command"});
  EXPECT_EQ(cmd.exit_code, 2);
  auto id = cli({"doctor", "--only", "driver.stub-libcud", "--root", root("h100-ubuntu-healthy")});
  EXPECT_EQ(id.exit_code, 2);
  EXPECT_NE(id.err.find("did you mean driver.stub-libcuda"), std::string::npos) << id.err;
  auto r = cli({"doctor", "--root", "/no/such/dir"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not a directory"), std::string::npos) << r.err;
  auto t = cli({"doctor", "--timeout", "0"});
  EXPECT_EQ(t.exit_code, 2);
}

TEST(Cli, FromRejectsBadFilesClearly) {
  auto missing = cli({"doctor", "--from", "/no/such/file.json"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("gpuenv: error: cannot read /no/such/file.json"), std::string::npos) << missing.err;

  auto good = cli({"doctor", "--json", "--root", root("h100-ubuntu-healthy")});
  ASSERT_EQ(good.exit_code, 0) << good.err;
  auto truncated = cli({"doctor", "--from", "-"}, fake_env(), good.out.substr(0, good.out.size() / 3));
  EXPECT_EQ(truncated.exit_code, 2);
  EXPECT_NE(truncated.err.find("not valid JSON"), std::string::npos) << truncated.err;

  auto j = nlohmann::json::parse(good.out);
  j["snapshot"]["schema_version"] = 2;
  auto newer = cli({"doctor", "--from", "-"}, fake_env(), j.dump());
  EXPECT_EQ(newer.exit_code, 2);
  EXPECT_NE(newer.err.find("newer"), std::string::npos) << newer.err;

  auto replay = cli({"doctor", "--from", "-"}, fake_env(), good.out);
  EXPECT_EQ(replay.exit_code, 0);
  EXPECT_NE(replay.out.find("GPU ready"), std::string::npos);
}

TEST(Cli, OnlyAndSkipSelectChecks) {
  auto env = fake_env();
  env["FAKE_CUDA_INIT"] = "34";
  auto all = cli({"doctor", "--json", "--root", root("stub-libcuda-loaded")}, env);
  EXPECT_EQ(all.exit_code, 1);
  auto only = cli({"doctor", "--json", "--only", "gpu.*", "--root", root("stub-libcuda-loaded")}, env);
  EXPECT_EQ(only.exit_code, 0);
  EXPECT_TRUE(nlohmann::json::parse(only.out)["findings"].empty());
  auto skip = cli({"doctor", "--json", "--skip", "driver.stub-libcuda", "--root", root("stub-libcuda-loaded")}, env);
  EXPECT_EQ(skip.exit_code, 0);
}

TEST(Cli, RedactRemovesHostAndHome) {
  auto env = fake_env();
  env["HOME"] = "/home/alice";
  env["PATH"] = "/home/alice/.venv/bin:/usr/bin:/bin";
  env["USER"] = "alice";
  auto plain = cli({"doctor", "--json", "--root", root("h100-ubuntu-healthy")}, env);
  ASSERT_NE(plain.out.find("/home/alice"), std::string::npos);
  for (auto* fmt : {"json", "markdown", "text"}) {
    auto r = cli({"doctor", "--format", fmt, "-vv", "--redact", "--root", root("h100-ubuntu-healthy")}, env);
    EXPECT_EQ(r.out.find("/home/alice"), std::string::npos) << fmt;
    EXPECT_EQ(r.out.find("\"vm\""), std::string::npos) << fmt;  // the fixture's host name
    if (std::string(fmt) == "json") {
      auto j = nlohmann::json::parse(r.out);
      EXPECT_EQ(j["snapshot"]["host"]["hostname"], "<host>");
      EXPECT_EQ(j["snapshot"]["env"]["PATH"], "~/.venv/bin:/usr/bin:/bin");
    }
  }
}

TEST(Cli, MarkdownIsABugReportThatReplays) {
  auto env = fake_env();
  env["FAKE_CUDA_INIT"] = "34";
  auto r = cli({"doctor", "--markdown", "--root", root("stub-libcuda-loaded")}, env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("## gpuenv doctor report"), std::string::npos);
  EXPECT_NE(r.out.find("| ❌ | `driver.stub-libcuda` |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<details><summary>Evidence</summary>"), std::string::npos);
  // The embedded JSON is a complete document that --from accepts.
  auto start = r.out.find("```json\n");
  auto end = r.out.find("\n```", start + 8);
  ASSERT_NE(start, std::string::npos);
  auto json = r.out.substr(start + 8, end - start - 8);
  auto replay = cli({"doctor", "--json", "--from", "-"}, base_env(), json);
  EXPECT_EQ(replay.exit_code, 1) << replay.err;
  EXPECT_EQ(nlohmann::json::parse(replay.out)["findings"][0]["id"], "driver.stub-libcuda");
}

TEST(Cli, OutputFileIsWrittenAtomically) {
  auto dir = gpuenv::test::temp_dir("gpuenv-out");
  auto path = dir + "/report.json";
  std::ofstream(path) << "old";
  auto r = cli({"doctor", "--json", "-o", path, "--root", root("h100-ubuntu-healthy")});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NO_THROW(nlohmann::json::parse(read_text(path)));
  int entries = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1);  // no temporary left behind
  auto bad = cli({"doctor", "--json", "-o", dir + "/no/such/dir/r.json", "--root", root("h100-ubuntu-healthy")});
  EXPECT_EQ(bad.exit_code, 2);
  fs::remove_all(dir);
}

TEST(Cli, ColourOnlyOnATerminalAndNeverWithNoColor) {
  auto piped = cli({"doctor", "--root", root("stub-dir-on-path")});
  EXPECT_EQ(piped.out.find("\x1b["), std::string::npos);
  if (!have("/usr/bin/script")) GTEST_SKIP() << "script(1) from util-linux is needed for a pseudo-terminal";
  auto env = fake_env();
  env["LD_LIBRARY_PATH"] = "/usr/local/cuda-13.0/lib64/stubs";
  env["TERM"] = "xterm";
  std::string cmd = std::string(GPUENV_BINARY) + " doctor --root " + root("stub-dir-on-path");
  auto tty = run_program({"/usr/bin/script", "-qec", cmd, "/dev/null"}, env);
  EXPECT_NE(tty.out.find("\x1b["), std::string::npos) << tty.out;
  env["NO_COLOR"] = "1";
  auto nocolor = run_program({"/usr/bin/script", "-qec", cmd, "/dev/null"}, env);
  EXPECT_EQ(nocolor.out.find("\x1b["), std::string::npos) << nocolor.out;
  EXPECT_NE(nocolor.out.find("driver.stub-on-loader-path"), std::string::npos);
}

TEST(Cli, SaysSoWhenTheDriverKeepsItWaiting) {
  if (!have("/usr/bin/script")) GTEST_SKIP() << "script(1) from util-linux is needed for a pseudo-terminal";
  auto env = fake_env();
  env["FAKE_CUDA_HANG"] = "init";
  std::string cmd = std::string(GPUENV_BINARY) + " doctor --timeout 1.5 --root " + root("h100-ubuntu-healthy");
  auto r = run_program({"/usr/bin/script", "-qec", cmd, "/dev/null"}, env);
  EXPECT_NE(r.out.find("waiting for the NVIDIA driver"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("driver.probe-timeout"), std::string::npos);
  // Not on a pipe: machine-readable runs stay quiet.
  auto piped = cli({"doctor", "--json", "--timeout", "1.5", "--root", root("h100-ubuntu-healthy")}, env);
  EXPECT_EQ(piped.err.find("waiting"), std::string::npos);
}

TEST(Cli, ChecksListsTheRegistry) {
  auto r = cli({"checks"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("driver.stub-libcuda"), std::string::npos);
  auto j = cli({"checks", "--json"});
  auto arr = nlohmann::json::parse(j.out);
  ASSERT_TRUE(arr.is_array());
  EXPECT_GT(arr.size(), 10u);
  EXPECT_EQ(arr[0]["id"], "gpu.none-on-pci");
}

// Device nodes the user cannot open: run as nobody against nodes of mode 0660 owned by group video.
TEST(Cli, DeviceNodesNotAccessibleToTheUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run as another user";
  if (!have("/usr/bin/setpriv")) GTEST_SKIP() << "setpriv from util-linux is needed";
  auto dir = gpuenv::test::temp_dir("gpuenv-perm");
  chmod(dir.c_str(), 0755);
  fs::copy(root("h100-ubuntu-healthy"), dir + "/root", fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  for (auto* n : {"nvidiactl", "nvidia0", "nvidia-uvm", "nvidia-uvm-tools"}) {
    auto p = dir + "/root/dev/" + n;
    ASSERT_EQ(chown(p.c_str(), 0, 44), 0);  // gid 44: video on Debian and Ubuntu
    chmod(p.c_str(), 0660);
  }
  auto env = fake_env();
  auto r = run_program({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", GPUENV_BINARY, "doctor",
                        "--json", "--root", dir + "/root"},
                       env);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out << r.err;
  ASSERT_EQ(j["findings"].size(), 1u) << j["findings"].dump(2);
  EXPECT_EQ(j["findings"][0]["id"], "driver.device-nodes-inaccessible");
  EXPECT_NE(j["findings"][0]["fix"].get<std::string>().find("usermod -aG video"), std::string::npos);
  EXPECT_EQ(r.exit_code, 1);
  fs::remove_all(dir);
}

// Issue 14: a preloaded object satisfies every later request of its SONAME; ldd says so, even for a system library.
TEST(Ldd, PreloadedLibraryIsNamedWithItsPreload) {
  const std::string libm = "/lib/x86_64-linux-gnu/libm.so.6";
  if (!std::filesystem::exists(libm)) GTEST_SKIP() << "no " << libm;
  auto env = gpuenv::test::base_env();
  env["LD_PRELOAD"] = libm;
  auto r = gpuenv::test::run_program({GPUENV_BINARY, "ldd", GPUENV_BINARY}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("libm.so.6 " + libm + " [LD_PRELOAD: " + libm + "]"), std::string::npos) << r.out;
  env.erase("LD_PRELOAD");
  r = gpuenv::test::run_program({GPUENV_BINARY, "ldd", GPUENV_BINARY}, env);
  EXPECT_EQ(r.out.find("LD_PRELOAD"), std::string::npos) << r.out;
}

// An arm64 program under --root on a machine whose architecture is not arm64 (or a kernel that says x86_64 under
// qemu-user): its libraries are looked up in arm64's directories, as its own loader would, not skipped as the
// wrong machine.
TEST(Ldd, FileOfAnotherMachineIsResolvedWithItsDirectories) {
  const std::string root = std::string(GPUENV_SOURCE_DIR) + "/tests/data/arm64-root";
  auto r = gpuenv::test::run_program({GPUENV_BINARY, "ldd", "-v", "--root", root, "/usr/bin/prog"}, gpuenv::test::base_env());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("libfoo.so.1 /usr/lib/aarch64-linux-gnu/libfoo.so.1"), std::string::npos) << r.out;
}

// Device nodes of mode 0600 root:root (chmod 600) and a user who is not root: the fix restores the driver's mode.
TEST(Cli, DeviceNodeChmod600) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run as another user";
  if (!have("/usr/bin/setpriv")) GTEST_SKIP() << "setpriv from util-linux is needed";
  auto dir = gpuenv::test::temp_dir("gpuenv-perm");
  chmod(dir.c_str(), 0755);
  fs::copy(root("h100-ubuntu-healthy"), dir + "/root", fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  for (auto* n : {"nvidiactl", "nvidia-uvm", "nvidia-uvm-tools"}) chmod((dir + "/root/dev/" + n).c_str(), 0666);
  auto p = dir + "/root/dev/nvidia0";
  ASSERT_EQ(chown(p.c_str(), 0, 0), 0);
  chmod(p.c_str(), 0600);
  auto r = run_program({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", GPUENV_BINARY, "doctor",
                        "--json", "--root", dir + "/root"},
                       fake_env());
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out << r.err;
  ASSERT_EQ(j["findings"].size(), 1u) << j["findings"].dump(2);
  EXPECT_EQ(j["findings"][0]["id"], "driver.device-nodes-inaccessible");
  EXPECT_EQ(j["findings"][0]["fix"].get<std::string>().rfind("sudo chmod 0666 /dev/nvidia0", 0), 0u);
  fs::remove_all(dir);
}

// ldd --fatbin: the GPU code of a library that keeps it in .ldata (tests/fake/fatbin_ldata.c), judged for a
// compute capability: exit 1 when that GPU can run none of it.
TEST(Cli, LddFatbinVerdict) {
  std::string lib = GPUENV_FAKE_FATBIN_LDATA;
  auto r = run_program({GPUENV_BINARY, "ldd", "--fatbin", "--cc", "12.0", lib}, fake_env());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("(.ldata): SASS sm_100f sm_120a; PTX compute_90a compute_100f"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--cc 12.0 (sm_120): runs SASS sm_120a"), std::string::npos) << r.out;
  r = run_program({GPUENV_BINARY, "ldd", "--fatbin", "--cc", "9.0,8.0", lib}, fake_env());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("--cc 9.0 (sm_90): PTX only (compute_90a)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--cc 8.0 (sm_80): cannot run this code: no SASS for 8.0 (sm_8x up to sm_80) and no PTX it can JIT-compile (compute_80 or older)"), std::string::npos) << r.out;
  r = run_program({GPUENV_BINARY, "ldd", "--fatbin", "--cc", "nine", lib}, fake_env());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  // The GPUs of the machine: the fake driver's (compute capability 9.0 unless told otherwise).
  r = run_program({GPUENV_BINARY, "ldd", "--fatbin", lib}, fake_env());
  EXPECT_NE(r.out.find("(sm_90): PTX only (compute_90a)"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(r.exit_code, 0);
}
