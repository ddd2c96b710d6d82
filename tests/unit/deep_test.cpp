// doctor --deep without a GPU: fake interpreters (shell scripts) for the ok / failed / crashed / timeout
// paths, the real Debian python3-torch (a CPU-only build) when installed, and the deep.* checks on
// constructed snapshots.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "checks/check.hpp"
#include "model/json.hpp"
#include "probe/deep.hpp"
#include "run.hpp"
#include "snapshot_builder.hpp"

using namespace gpuenv;
namespace fs = std::filesystem;

namespace {

std::string fake_python(const std::string& dir, const std::string& name, const std::string& body) {
  std::string path = dir + "/" + name;
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  ::chmod(path.c_str(), 0755);
  return path;
}

const char* kOkTorch =
    R"(echo 'some framework chatter on stdout'
echo '@@gpuenv-deep@@ {"ok": true, "stage": "done", "version": "2.9.1+cu128", "location": "/venv/lib/python3.12/site-packages/torch", "cuda_version": "12.8", "cuda_build": true, "device_count": 1, "devices": ["NVIDIA H100 80GB HBM3"], "op_result": "4.0"}')";

Snapshot machine_with_gpu() {
  Snapshot s = test::SnapshotBuilder().driver("580.159.04", 13000).device_nodes().gpu();
  s.kernel.uvm_loaded = true;
  s.kernel.proc_gpus = {"0000:00:06.0"};
  return s;
}

Interpreter venv_with(const std::string& python, const std::string& fw_name, const std::string& version, bool cuda,
                      const std::string& cuda_version, const std::string& location) {
  Interpreter py;
  py.path = python;
  py.prefix = fs::path(python).parent_path().parent_path().string();
  auto fw = test::framework(fw_name, version, cuda_version, location);
  fw.cuda_build = cuda;
  py.frameworks.push_back(fw);
  return py;
}

std::vector<Finding> with_id(const std::vector<Finding>& all, const std::string& id) {
  std::vector<Finding> out;
  for (auto& f : all)
    if (f.id == id) out.push_back(f);
  return out;
}

std::string evidence(const Finding& f) {
  std::string s;
  for (auto& e : f.evidence) s += e.key + ": " + e.value + "\n";
  return s;
}

}  // namespace

TEST(Deep, FakeInterpreterOk) {
  auto dir = test::temp_dir("deep-ok");
  auto py = fake_python(dir, "python", kOkTorch);
  auto r = run_deep_one(py, "torch", 10);
  EXPECT_EQ(r.status, "ok");
  EXPECT_EQ(r.stage, "done");
  EXPECT_EQ(r.version, "2.9.1+cu128");
  EXPECT_EQ(r.cuda_version, "12.8");
  EXPECT_TRUE(r.cuda_build);
  EXPECT_EQ(r.device_count, 1);
  ASSERT_EQ(r.devices.size(), 1u);
  EXPECT_EQ(r.devices[0], "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_LT(r.duration_ms, 5000);
}

TEST(Deep, FakeInterpreterFailsWithAKnownMessage) {
  auto dir = test::temp_dir("deep-fail");
  auto py = fake_python(dir, "python", R"(echo 'Traceback (most recent call last):' >&2
echo 'RuntimeError: CUDA error: CUDA driver version is insufficient for CUDA runtime version' >&2
echo '@@gpuenv-deep@@ {"ok": false, "stage": "op", "version": "2.9.1+cu128", "cuda_version": "12.8", "cuda_build": true, "device_count": 1, "devices": ["H100"], "error": "RuntimeError: CUDA error: CUDA driver version is insufficient for CUDA runtime version"}'
exit 0)");
  auto r = run_deep_one(py, "torch", 10);
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.stage, "op");
  EXPECT_NE(r.stderr_tail.find("insufficient"), std::string::npos);

  Snapshot s = machine_with_gpu();
  s.python.interpreters.push_back(venv_with(py, "torch", "2.9.1+cu128", true, "12.8", ""));
  s.deep.ran = true;
  s.deep.timeout_s = 10;
  s.deep.results.push_back(r);
  auto fs = with_id(run_checks(s, Knowledge::get()), "deep.framework-failed");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_NE(fs[0].title.find("GPU operation failed"), std::string::npos) << fs[0].title;
  EXPECT_NE(evidence(fs[0]).find("[library.driver-too-old]"), std::string::npos) << evidence(fs[0]);
  EXPECT_NE(fs[0].cause.find("driver"), std::string::npos) << fs[0].cause;
  EXPECT_EQ(fs[0].subject, py);
}

TEST(Deep, CrashExitAndMissingInterpreter) {
  auto dir = test::temp_dir("deep-crash");
  auto crash = run_deep_one(fake_python(dir, "crash", "echo 'Segmentation fault ahead' >&2; kill -SEGV $$"), "torch", 10);
  EXPECT_EQ(crash.status, "failed");
  EXPECT_EQ(crash.signal, SIGSEGV);
  EXPECT_NE(crash.error.find("signal 11"), std::string::npos) << crash.error;

  auto quit = run_deep_one(fake_python(dir, "quit", "exit 3"), "jax", 10);
  EXPECT_EQ(quit.status, "failed");
  EXPECT_EQ(quit.exit_code, 3);
  EXPECT_NE(quit.error.find("status 3"), std::string::npos) << quit.error;

  auto missing = run_deep_one(dir + "/no-such-python", "cupy", 10);
  EXPECT_EQ(missing.status, "failed");
  EXPECT_NE(missing.error.find("cannot execute"), std::string::npos) << missing.error;
  EXPECT_NE(missing.error.find("No such file"), std::string::npos) << missing.error;

  auto garbage = run_deep_one(fake_python(dir, "garbage", "echo '@@gpuenv-deep@@ {not json'"), "torch", 10);
  EXPECT_EQ(garbage.status, "failed");
  EXPECT_NE(garbage.error.find("unreadable"), std::string::npos) << garbage.error;
}

TEST(Deep, TimeoutKillsTheWholeProcessGroup) {
  auto dir = test::temp_dir("deep-hang");
  // The "interpreter" starts a grandchild (as frameworks start helpers) and hangs.
  auto py = fake_python(dir, "python", "sleep 300 & echo $! > " + dir + "/grandchild; echo 'loading...' >&2; sleep 300");
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_deep_one(py, "tensorflow", 1.0);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.status, "timeout");
  EXPECT_LT(s, 5.0);
  EXPECT_GE(r.duration_ms, 1000);
  EXPECT_NE(r.stderr_tail.find("loading"), std::string::npos);
  std::ifstream in(dir + "/grandchild");
  pid_t grandchild = 0;
  in >> grandchild;
  ASSERT_GT(grandchild, 0);
  // Killed with its group (SIGKILL is asynchronous: give it a moment).
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = ::kill(grandchild, 0) != 0;
    if (!gone) ::usleep(20000);
  }
  EXPECT_TRUE(gone) << "grandchild " << grandchild << " survived the timeout";

  Snapshot snap = machine_with_gpu();
  snap.deep.ran = true;
  snap.deep.timeout_s = 1;
  snap.deep.results.push_back(r);
  auto fs = with_id(run_checks(snap, Knowledge::get()), "deep.framework-failed");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_NE(fs[0].title.find("did not finish within 1 s"), std::string::npos) << fs[0].title;
}

TEST(Deep, ProbeRunsEachEnvironmentAndFrameworkOnce) {
  auto dir = test::temp_dir("deep-probe");
  fs::create_directories(dir + "/venv/bin");
  auto py = fake_python(dir + "/venv/bin", "python", kOkTorch);
  Snapshot s;
  s.python.interpreters.push_back(venv_with(py, "torch", "2.9.1+cu128", true, "12.8", ""));
  // The same environment reached as python3: one run. An unknown framework and a shadowed copy: none.
  auto again = venv_with(py, "torch", "2.9.1+cu128", true, "12.8", "");
  again.path = dir + "/venv/bin/python3";
  Framework shadowed;
  shadowed.name = "jax";
  shadowed.shadowed_by = "/elsewhere";
  again.frameworks.push_back(shadowed);
  Framework other;
  other.name = "mxnet";
  again.frameworks.push_back(other);
  s.python.interpreters.push_back(again);
  int progress = 0;
  DeepOptions o;
  o.timeout_s = 10;
  o.on_progress = [&](const std::string&) { ++progress; };
  auto d = probe_deep(s, o);
  EXPECT_TRUE(d.ran);
  ASSERT_EQ(d.results.size(), 1u);
  EXPECT_EQ(d.results[0].framework, "torch");
  EXPECT_EQ(d.results[0].status, "ok");
  EXPECT_EQ(progress, 0);  // fast: no progress lines
}

TEST(Deep, ProgressOnceItTakesMoreThanASecond) {
  auto dir = test::temp_dir("deep-slow");
  auto slow = fake_python(dir, "python", std::string("sleep 1.5\n") + kOkTorch);
  auto fast = fake_python(dir, "python3", kOkTorch);
  Snapshot s;
  auto a = venv_with(slow, "torch", "2.9.1+cu128", true, "12.8", "");
  a.prefix = dir + "/a";
  auto b = venv_with(fast, "torch", "2.9.1+cu128", true, "12.8", "");
  b.prefix = dir + "/b";
  s.python.interpreters = {a, b};
  std::vector<std::string> lines;
  DeepOptions o;
  o.timeout_s = 10;
  o.on_progress = [&](const std::string& m) { lines.push_back(m); };
  auto d = probe_deep(s, o);
  ASSERT_EQ(d.results.size(), 2u);
  // The slow one announces itself after a second; once slow, every later one is announced as it starts.
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("importing torch with " + slow + " (1/2)"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("(2/2)"), std::string::npos) << lines[1];
}

TEST(Deep, NoGpuSeenNamesCudaVisibleDevices) {
  Snapshot s = machine_with_gpu();
  s.env["CUDA_VISIBLE_DEVICES"] = "";
  s.cuda.status = ProbeStatus::InitFailed;  // the driver probe sees the same environment
  s.cuda.devices.clear();
  s.python.interpreters.push_back(venv_with("/venv/bin/python", "torch", "2.9.1+cu128", true, "12.8", ""));
  DeepResult r;
  r.interpreter = "/venv/bin/python";
  r.framework = "torch";
  r.status = "ok";
  r.stage = "done";
  r.version = "2.9.1+cu128";
  r.cuda_build = true;
  r.cuda_version = "12.8";
  r.device_count = 0;
  s.deep.ran = true;
  s.deep.results.push_back(r);
  auto all = run_checks(s, Knowledge::get());
  auto fs = with_id(all, "deep.no-gpu-seen");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::Error);
  EXPECT_NE(fs[0].cause.find("CUDA_VISIBLE_DEVICES is set to an empty string"), std::string::npos) << fs[0].cause;
  EXPECT_EQ(fs[0].fix.rfind("unset CUDA_VISIBLE_DEVICES", 0), 0u);
  // Static and deep agree (neither sees a GPU): no disagreement.
  EXPECT_TRUE(with_id(all, "deep.static-disagrees").empty());
}

TEST(Deep, StaticDisagreementIsAGpuenvBug) {
  Snapshot s = machine_with_gpu();
  s.python.interpreters.push_back(
      venv_with("/venv/bin/python", "torch", "2.9.1+cu128", true, "12.8", "/venv/lib/python3.12/site-packages/torch"));
  DeepResult r;
  r.interpreter = "/venv/bin/python";
  r.framework = "torch";
  r.status = "ok";
  r.stage = "done";
  r.version = "2.8.0+cpu";
  r.location = "/home/u/.local/lib/python3.12/site-packages/torch";
  r.cuda_build = false;
  r.device_count = 0;
  s.deep.ran = true;
  s.deep.results.push_back(r);
  auto all = run_checks(s, Knowledge::get());
  std::string ids;
  for (auto& f : all) ids += f.id + " (" + f.title + ")\n";
  auto fs = with_id(all, "deep.static-disagrees");
  ASSERT_EQ(fs.size(), 1u) << ids;
  auto ev = evidence(fs[0]);
  EXPECT_NE(ev.find("version: static 2.9.1+cu128, imported 2.8.0+cpu"), std::string::npos) << ev;
  EXPECT_NE(ev.find("location: static"), std::string::npos) << ev;
  EXPECT_NE(ev.find("CUDA build: static yes, imported no"), std::string::npos) << ev;
  EXPECT_NE(ev.find("verdict: static analysis found no problem"), std::string::npos) << ev;
  EXPECT_NE(fs[0].cause.find("gpuenv bug"), std::string::npos);

  // Agreement: same version and location, GPU works on both sides -> quiet.
  s.deep.results[0].version = "2.9.1+cu128";
  s.deep.results[0].location = "/venv/lib/python3.12/site-packages/torch";
  s.deep.results[0].cuda_build = true;
  s.deep.results[0].cuda_version = "12.8";
  s.deep.results[0].device_count = 1;
  auto quiet = run_checks(s, Knowledge::get());
  EXPECT_TRUE(with_id(quiet, "deep.static-disagrees").empty()) << ids;
  EXPECT_TRUE(with_id(quiet, "deep.no-gpu-seen").empty());
  EXPECT_TRUE(with_id(quiet, "deep.framework-failed").empty());

  // The static verdict comes from the registry's first phase, which runs every static check whatever the filter
  // selects: the deep check alone says what it says in a full run, and the static checks alone say nothing deep.
  s.deep.results[0].version = "2.8.0+cpu";
  s.cuda.status = ProbeStatus::InitFailed;  // static: no working GPU; the import used it
  CheckFilter only_deep;
  only_deep.only = {"deep.static-disagrees"};
  auto alone = run_checks(s, Knowledge::get(), only_deep);
  auto in_all = with_id(run_checks(s, Knowledge::get()), "deep.static-disagrees");
  ASSERT_EQ(alone.size(), 1u);
  ASSERT_EQ(in_all.size(), 1u);
  EXPECT_EQ(evidence(alone[0]), evidence(in_all[0]));
  EXPECT_NE(evidence(alone[0]).find("cannot use the GPU (the driver probe saw no working GPU (init_failed))"),
            std::string::npos) << evidence(alone[0]);
  CheckFilter no_deep;
  no_deep.skip = {"deep."};
  for (auto& f : run_checks(s, Knowledge::get(), no_deep)) EXPECT_FALSE(f.id.starts_with("deep.")) << f.id;
}

TEST(Deep, ResultsSurviveJsonRoundTrip) {
  Snapshot s = machine_with_gpu();
  s.deep.ran = true;
  s.deep.timeout_s = 7.5;
  DeepResult r;
  r.interpreter = "/venv/bin/python";
  r.framework = "jax";
  r.status = "failed";
  r.stage = "import";
  r.error = "ImportError: x";
  r.stderr_tail = "line1\nline2";
  r.devices = {"a", "b"};
  r.device_count = 2;
  r.signal = 11;
  r.duration_ms = 12.5;
  s.deep.results.push_back(r);
  auto doc = parse_doctor_json(doctor_to_json(s, {}).dump());
  ASSERT_TRUE(doc) << doc.error();
  auto& d = doc->snapshot.deep;
  EXPECT_TRUE(d.ran);
  EXPECT_EQ(d.timeout_s, 7.5);
  ASSERT_EQ(d.results.size(), 1u);
  EXPECT_EQ(d.results[0].framework, "jax");
  EXPECT_EQ(d.results[0].stderr_tail, "line1\nline2");
  EXPECT_EQ(d.results[0].devices.size(), 2u);
  EXPECT_EQ(d.results[0].signal, 11);
  // Bad types are refused with the key named.
  auto bad = parse_doctor_json(R"({"schema_version": 1, "deep": {"results": [{"device_count": "many"}]}})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("device_count"), std::string::npos) << bad.error();
}

// The real script with real interpreters: every pyenv Python runs it (syntax from 3.6 on).
TEST(Deep, ScriptRunsOnEveryPython3) {
  int ran = 0;
  for (auto* py : {"/usr/bin/python3", "/root/.pyenv/versions/3.6.15/bin/python", "/root/.pyenv/versions/3.13.0/bin/python"}) {
    if (::access(py, X_OK) != 0) continue;
    auto r = run_deep_one(py, "nosuchframework", 60);
    EXPECT_EQ(r.status, "failed") << py;
    EXPECT_EQ(r.stage, "import") << py;
    EXPECT_NE(r.error.find("does not know the framework nosuchframework"), std::string::npos) << py << ": " << r.error;
    ++ran;
  }
  if (!ran) GTEST_SKIP() << "no Python 3 interpreter on this machine";
}

// Debian's python3-torch: a real CPU-only build. The deep probe must see it import and find no GPU.
TEST(Deep, DebianCpuOnlyTorch) {
  const char* torch_dir = "/usr/lib/python3/dist-packages/torch";
  if (::access("/usr/bin/python3", X_OK) != 0 || ::access((std::string(torch_dir) + "/version.py").c_str(), R_OK) != 0)
    GTEST_SKIP() << "Debian's python3-torch is not installed";
  Snapshot s;  // this machine has no GPU
  s.python.interpreters.push_back(venv_with("/usr/bin/python3", "torch", "1.13.0a0", false, "", torch_dir));
  s.python.interpreters[0].prefix = "/usr";
  DeepOptions o;
  o.timeout_s = 120;  // a cold import on a loaded machine takes ~10 s
  s.deep = probe_deep(s, o);
  ASSERT_EQ(s.deep.results.size(), 1u);
  auto& r = s.deep.results[0];
  EXPECT_EQ(r.status, "ok") << r.error << "\n" << r.stderr_tail;
  EXPECT_EQ(r.version.rfind("1.13", 0), 0u) << r.version;
  EXPECT_FALSE(r.cuda_build);
  EXPECT_EQ(r.cuda_version, "");
  EXPECT_EQ(r.device_count, 0);
  EXPECT_EQ(r.location, torch_dir);
  auto all = run_checks(s, Knowledge::get());
  auto no_gpu = with_id(all, "deep.no-gpu-seen");
  ASSERT_EQ(no_gpu.size(), 1u);
  EXPECT_EQ(no_gpu[0].severity, Severity::Info);  // no GPU here: nothing to fix
  EXPECT_NE(no_gpu[0].cause.find("CPU-only build"), std::string::npos) << no_gpu[0].cause;
  EXPECT_TRUE(with_id(all, "deep.static-disagrees").empty()) << evidence(with_id(all, "deep.static-disagrees")[0]);
  EXPECT_TRUE(with_id(all, "deep.framework-failed").empty());
}
