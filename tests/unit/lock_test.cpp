// Lock model: fingerprint from a Snapshot, the TOML text, its checksum, and
// the judged differences (verify's fixture pairs).
#include <gtest/gtest.h>

#include "lock/diff.hpp"
#include "report/formats.hpp"
#include "lock/lock.hpp"
#include "snapshot_builder.hpp"
#include "util/strings.hpp"

using namespace gpuenv;

namespace {

const std::string kSite = "/opt/torch/.venv/lib/python3.12/site-packages";

// The resolution of one soname (libraries.consumers[].loads).
struct Load {
  std::string name, path, family, version, reason;
};
Resolution resolution(const Load& l) {
  Resolution r;
  r.name = l.name;
  r.kind = "needed";
  r.when = "import";
  r.requested_by = kSite + "/torch/lib/libtorch_cuda.so";
  r.path = r.realpath = l.path;
  r.family = l.family;
  r.version = l.version;
  r.reason = l.path.empty() ? "not found" : l.reason;
  return r;
}

// torch's loads as the loader resolves them (the libraries probe's consumer).
Consumer torch_loads(const std::vector<Load>& loads) {
  Consumer c;
  c.name = "torch";
  c.kind = "framework";
  c.version = "2.11.0+cu130";
  c.location = kSite;
  c.interpreter = "/usr/bin/python3.12";
  for (auto& l : loads) c.loads.push_back(resolution(l));
  return c;
}

// The H100 machine as captured (/work/cap): driver 580.159.04, torch 2.11.0+cu130 with wheel cuDNN 9.19.
Snapshot h100() {
  auto torch = test::framework("torch", "2.11.0+cu130", "13.0", kSite + "/torch");
  torch.variant = "";
  torch.cudnn_version = "9.17.1";
  using test::library_copy;
  return test::SnapshotBuilder()
      .host("ubuntu")
      .driver("580.159.04", 13000)
      .cuda_device()
      .env("LD_LIBRARY_PATH", "/usr/local/nvidia/lib64:/usr/local/nvidia/lib")
      .venv("/opt/torch/.venv", "3.12.3", "python3")
      .framework(torch)
      .distribution("nvidia-cudnn-cu13", "9.19.0.56", kSite)
      .distribution("torch", "2.11.0+cu130", kSite)
      .library(library_copy("cuda", "/usr/local/nvidia/lib64/libcuda.so.580.159.04", "580.159.04", "LD_LIBRARY_PATH", 1000))
      .library(library_copy("nvidia-ml", "/usr/local/nvidia/lib64/libnvidia-ml.so.580.159.04", "580.159.04", "LD_LIBRARY_PATH", 900))
      .library(library_copy("cudnn", kSite + "/nvidia/cudnn/lib/libcudnn.so.9", "9.19.0", "wheel", 129240))
      .library(library_copy("cublas", kSite + "/nvidia/cu13/lib/libcublas.so.13", "13.1.0", "wheel", 54177976))
      .library(library_copy("cudnn", "/usr/lib/x86_64-linux-gnu/libcudnn.so.9.14.0", "9.14.0", "default", 129000))
      .library(library_copy("cudnn", "/other/env/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn.so.9", "9.1.0", "wheel", 1))
      .consumer(torch_loads({{"libcudnn.so.9", kSite + "/nvidia/cudnn/lib/libcudnn.so.9", "cudnn", "9.19.0",
                              "RPATH of libtorch_cuda.so: $ORIGIN/../../nvidia/cudnn/lib"},
                             {"libcublas.so.13", kSite + "/nvidia/cu13/lib/libcublas.so.13", "cublas", "13.1.0",
                              "RPATH of libtorch_cuda.so: $ORIGIN/../../nvidia/cu13/lib"},
                             {"libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", "", "", "ld.so.cache"}}));
}

// The load of `soname` in torch's consumer.
Resolution& load_of(Snapshot& s, const std::string& soname) {
  for (auto& r : s.libraries.consumers.at(0).loads)
    if (r.name == soname) return r;
  throw std::logic_error("no load of " + soname);
}

LibraryCopy library_copy_on_llp(const std::string& family, const std::string& path, const std::string& version) {
  return test::library_copy(family, path, version, "LD_LIBRARY_PATH", 1);
}

FileHasher fake_hash() {
  return [](const std::string& p) { return "h-" + p; };
}

const LockChange* find(const std::vector<LockChange>& v, const std::string& subject_prefix) {
  for (auto& c : v)
    if (c.subject.starts_with(subject_prefix)) return &c;
  return nullptr;
}

TEST(Lock, FingerprintOfTheH100Stack) {
  auto l = lock_from_snapshot(h100(), -1, fake_hash());
  EXPECT_EQ(l.kernel_module, "580.159.04");
  EXPECT_EQ(l.cuda_driver_api, "13.0");
  ASSERT_EQ(l.gpus.size(), 1u);
  EXPECT_EQ(l.gpus[0].compute_capability, "9.0");
  ASSERT_TRUE(l.python);
  EXPECT_EQ(l.python->version, "3.12.3");
  ASSERT_EQ(l.wheels.size(), 1u);  // nvidia-* only
  EXPECT_EQ(l.wheels[0].name, "nvidia-cudnn-cu13");
  std::vector<std::string> keys;
  for (auto& x : l.libraries) keys.push_back(x.key + "=" + x.realpath);
  // The wheel's cuDNN wins over the system copy; another environment's wheel is never reached.
  EXPECT_EQ(keys, (std::vector<std::string>{"libcublas.so=" + kSite + "/nvidia/cu13/lib/libcublas.so.13",
                                            "libcuda.so=/usr/local/nvidia/lib64/libcuda.so.580.159.04",
                                            "libcudnn.so=" + kSite + "/nvidia/cudnn/lib/libcudnn.so.9",
                                            "libnvidia-ml.so=/usr/local/nvidia/lib64/libnvidia-ml.so.580.159.04"}));
  EXPECT_EQ(l.libraries[2].used_by, std::vector<std::string>{"torch"});
  EXPECT_EQ(l.libraries[2].sha256, "h-" + kSite + "/nvidia/cudnn/lib/libcudnn.so.9");
}

// The locked copies are the loader's resolutions: torch's RPATH comes before LD_LIBRARY_PATH, so a cuDNN on
// LD_LIBRARY_PATH is not the one torch loads (lock's own ranking used to put LD_LIBRARY_PATH first); a copy no
// framework loads (cuBLAS on LD_LIBRARY_PATH with no framework needing it) is not locked.
TEST(Lock, LibrariesAreTheLoadersResolutions) {
  auto s = h100();
  s.env["LD_LIBRARY_PATH"] = "/opt/cudnn-copy:" + s.env["LD_LIBRARY_PATH"];
  s.libraries.copies.push_back(library_copy_on_llp("cudnn", "/opt/cudnn-copy/libcudnn.so.9", "9.1.0"));
  s.libraries.copies.push_back(library_copy_on_llp("cufft", "/opt/cudnn-copy/libcufft.so.12", "12.0.0"));
  auto l = lock_from_snapshot(s, -1, nullptr);
  std::vector<std::string> keys;
  for (auto& x : l.libraries) keys.push_back(x.key + "=" + x.path + " " + x.origin);
  EXPECT_EQ(keys, (std::vector<std::string>{"libcublas.so=" + kSite + "/nvidia/cu13/lib/libcublas.so.13 wheel",
                                            "libcuda.so=/usr/local/nvidia/lib64/libcuda.so.580.159.04 LD_LIBRARY_PATH",
                                            "libcudnn.so=" + kSite + "/nvidia/cudnn/lib/libcudnn.so.9 wheel",
                                            "libnvidia-ml.so=/usr/local/nvidia/lib64/libnvidia-ml.so.580.159.04 LD_LIBRARY_PATH"}));
  // A library the inventory does not hold is locked from the resolution; one loaded twice is locked once.
  auto& loads = s.libraries.consumers[0].loads;
  loads.push_back(resolution({"libnccl.so.2", kSite + "/nvidia/nccl/lib/libnccl.so.2", "nccl", "2.27.7",
                              "RPATH of libtorch_cuda.so: $ORIGIN/../../nvidia/nccl/lib"}));
  loads.push_back(loads[0]);
  l = lock_from_snapshot(s, -1, nullptr);
  ASSERT_EQ(l.libraries.size(), 5u);
  auto& nccl = l.libraries[3];  // sorted by key
  EXPECT_EQ(nccl.key, "libnccl.so");
  EXPECT_EQ(nccl.soname, "libnccl.so.2");
  EXPECT_EQ(nccl.version, "2.27.7");
  EXPECT_EQ(nccl.origin, "wheel");
  EXPECT_EQ(nccl.used_by, std::vector<std::string>{"torch"});
  // No framework: only the driver.
  s.libraries.consumers.clear();
  EXPECT_EQ(lock_from_snapshot(s, -1, nullptr).libraries.size(), 2u);
}

TEST(Lock, TextRoundTripsAndIsStable) {
  auto l = lock_from_snapshot(h100(), -1, fake_hash());
  auto text = render_lock(l);
  EXPECT_EQ(render_lock(lock_from_snapshot(h100(), -1, fake_hash())), text);  // re-locking: no diff
  auto back = parse_lock(text, "gpuenv.lock");
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(render_lock(*back), text);
  EXPECT_TRUE(diff_locks(l, *back).empty());
}

TEST(Lock, EditedTruncatedOrNewerLocksAreErrorsNeverVerdicts) {
  auto text = render_lock(lock_from_snapshot(h100(), -1, fake_hash()));
  // Every truncation point.
  for (size_t n = 0; n < text.size(); n += 7) {
    auto r = parse_lock(text.substr(0, n), "gpuenv.lock");
    EXPECT_FALSE(r) << "accepted a lock cut at byte " << n;
  }
  auto edited = replace_all(text, "9.19.0", "9.14.0");
  auto r = parse_lock(edited, "gpuenv.lock");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("truncated or edited"), std::string::npos);
  auto newer = replace_all(text, "schema = 1", "schema = 2");
  r = parse_lock(newer, "gpuenv.lock");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("newer gpuenv (lock schema 2"), std::string::npos);
  EXPECT_FALSE(parse_lock("", "gpuenv.lock"));
  EXPECT_FALSE(parse_lock("schema = 1\nchecksum = \"sha256:00\"\n[machine\n", "gpuenv.lock"));
}

TEST(Diff, DriverUpgradeThatStillRunsTheFrameworksCuda) {
  auto a = h100();
  auto b = a;
  b.kernel.version = b.cuda.library_version = "590.44.01";
  b.cuda.driver_version = 13010;
  for (auto& c : b.libraries.copies)
    if (c.name == "cuda" || c.name == "nvidia-ml") {
      c.path = replace_all(c.path, "580.159.04", "590.44.01");
      c.realpath = c.path;
      c.version = "590.44.01";
    }
  auto ch = diff_locks(lock_from_snapshot(a, -1, fake_hash()), lock_from_snapshot(b, -1, fake_hash()));
  ASSERT_EQ(ch.size(), 1u) << render_changes(ch, false);
  EXPECT_EQ(ch[0].subject, "driver");
  EXPECT_EQ(ch[0].impact, Impact::Fine);
  EXPECT_EQ(ch[0].reason, "still runs CUDA 13.0");
}

TEST(Diff, DriverDowngradeBelowTheFrameworksCudaBreaks) {
  auto a = h100();
  auto b = a;
  b.kernel.version = b.cuda.library_version = "570.124.06";
  b.cuda.driver_version = 12080;
  auto ch = diff_locks(lock_from_snapshot(a, -1, nullptr), lock_from_snapshot(b, -1, nullptr));
  auto* d = find(ch, "driver");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->impact, Impact::Breaks);
  EXPECT_NE(d->reason.find("torch needs CUDA 13.0"), std::string::npos);
}

TEST(Diff, CudnnNineToEightOnTorchsPathBreaks) {
  auto a = h100();
  auto b = a;
  for (auto& c : b.libraries.copies)
    if (c.name == "cudnn" && c.origin == "wheel" && contains(c.path, "/opt/torch")) {
      c.path = c.realpath = kSite + "/nvidia/cudnn/lib/libcudnn.so.8";
      c.version = "8.9.7";
    }
  load_of(b, "libcudnn.so.9") = resolution({"libcudnn.so.9", "", "cudnn", "", ""});  // nothing provides it now
  auto ch = diff_locks(lock_from_snapshot(a, -1, fake_hash()), lock_from_snapshot(b, -1, fake_hash()));
  auto* c = find(ch, "cuDNN (libcudnn.so) for torch");
  ASSERT_NE(c, nullptr) << render_changes(ch, false);
  EXPECT_EQ(c->impact, Impact::Breaks);
  EXPECT_NE(c->reason.find("torch needs libcudnn.so.9"), std::string::npos);
}

TEST(Diff, LdLibraryPathPuttingSystemCudnnFirstIsNamed) {
  auto a = h100();
  auto b = a;
  b.env["LD_LIBRARY_PATH"] = "/usr/lib/x86_64-linux-gnu:" + b.env["LD_LIBRARY_PATH"];
  for (auto& c : b.libraries.copies)
    if (contains(c.path, "/usr/lib/x86_64-linux-gnu/")) c.origin = "LD_LIBRARY_PATH";
  load_of(b, "libcudnn.so.9") = resolution({"libcudnn.so.9", "/usr/lib/x86_64-linux-gnu/libcudnn.so.9.14.0", "cudnn",
                                            "9.14.0", "LD_LIBRARY_PATH: /usr/lib/x86_64-linux-gnu"});
  auto ch = diff_locks(lock_from_snapshot(a, -1, fake_hash()), lock_from_snapshot(b, -1, fake_hash()));
  auto* c = find(ch, "cuDNN (libcudnn.so) for torch");
  ASSERT_NE(c, nullptr) << render_changes(ch, false);
  EXPECT_EQ(c->impact, Impact::Breaks);  // 9.14 < the 9.17 torch was built against
  EXPECT_NE(c->reason.find("9.19.0 -> 9.14.0"), std::string::npos) << c->reason;
  EXPECT_NE(c->reason.find("LD_LIBRARY_PATH now puts /usr/lib/x86_64-linux-gnu first"), std::string::npos) << c->reason;
}

TEST(Diff, FrameworkReplacedByACpuBuildBreaks) {
  auto a = h100();
  auto b = a;
  auto& t = b.python.interpreters[0].frameworks[0];
  t.version = "2.11.0+cpu";
  t.cuda_build = false;
  t.cuda_version.clear();
  auto ch = diff_locks(lock_from_snapshot(a, -1, nullptr), lock_from_snapshot(b, -1, nullptr));
  auto* c = find(ch, "torch");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->impact, Impact::Breaks);
  EXPECT_NE(c->reason.find("CPU-only build"), std::string::npos);
  EXPECT_EQ(ch[0].impact, Impact::Breaks);  // most severe first
}

TEST(Diff, InterpreterChangedToAnotherMinorBreaks) {
  auto a = h100();
  auto b = a;
  b.python.interpreters[0].version = "3.11.9";
  b.python.interpreters[0].realpath = "/usr/bin/python3.11";
  auto ch = diff_locks(lock_from_snapshot(a, -1, nullptr), lock_from_snapshot(b, -1, nullptr));
  auto* c = find(ch, "python");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->impact, Impact::Breaks);
  auto p = a;
  p.python.interpreters[0].version = "3.12.4";
  auto patch = diff_locks(lock_from_snapshot(a, -1, nullptr), lock_from_snapshot(p, -1, nullptr));
  ASSERT_EQ(patch.size(), 1u);
  EXPECT_EQ(patch[0].impact, Impact::Fine);
}

TEST(Diff, SameVersionDifferentContentIsRisky) {
  auto a = lock_from_snapshot(h100(), -1, fake_hash());
  auto b = a;
  for (auto& l : b.libraries)
    if (l.key == "libcublas.so") l.sha256 = "other";
  auto ch = diff_locks(a, b);
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].impact, Impact::Risky);
  EXPECT_NE(ch[0].reason.find("different content"), std::string::npos);
}

TEST(Lock, SonameHelpers) {
  EXPECT_EQ(soname_from_file("libcudnn.so.9.14.0"), "libcudnn.so.9");
  EXPECT_EQ(soname_from_file("libcublasLt.so.13"), "libcublasLt.so.13");
  EXPECT_EQ(soname_from_file("libcuda.so"), "libcuda.so");
  EXPECT_EQ(soname_stem("libcudnn.so.9"), "libcudnn.so");
}

}  // namespace
