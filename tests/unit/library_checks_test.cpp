// The library.* checks on snapshots built in the test (moved from libraries_test.cpp, which keeps the ELF
// reader, ld.so.cache, the resolver and the fatbin parser).
#include <gtest/gtest.h>

#include <algorithm>

#include "checks/check.hpp"
#include "snapshot_builder.hpp"
#include "util/strings.hpp"

using namespace gpuenv;

namespace {

Resolution res(std::string name, std::string path, std::string reason, std::string family = "",
               std::string version = "", std::string when = "import") {
  Resolution r;
  r.name = std::move(name);
  r.kind = "needed";
  r.path = std::move(path);
  r.realpath = r.path;
  r.reason = std::move(reason);
  r.family = std::move(family);
  r.version = std::move(version);
  r.when = std::move(when);
  return r;
}

Snapshot base() {
  Consumer c;
  c.name = "torch";
  c.kind = "framework";
  c.interpreter = "/opt/torch/.venv/bin/python3";
  std::string nv = "/opt/torch/.venv/lib/python3.12/site-packages/nvidia";
  c.loads.push_back(res("libcudart.so.13", nv + "/cu13/lib/libcudart.so.13", "RPATH of libtorch_cuda.so: $ORIGIN/../../nvidia/cu13/lib", "cudart", "13.0.96"));
  c.loads.push_back(res("libcudnn.so.9", nv + "/cudnn/lib/libcudnn.so.9", "RPATH of libtorch_cuda.so: $ORIGIN/../../nvidia/cudnn/lib", "cudnn", "9.19.0.56"));
  c.loads.push_back(res("libcudnn_graph.so.9", nv + "/cudnn/lib/libcudnn_graph.so.9", "RUNPATH of libcudnn.so.9: $ORIGIN", "cudnn", "9.19.0.56", "init"));
  FatbinInfo k;
  k.path = "/opt/torch/.venv/lib/python3.12/site-packages/torch/lib/libtorch_cuda.so";
  k.sass = {"sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120"};
  c.kernels.push_back(k);
  auto wheel = test::library_copy("cudnn", nv + "/cudnn/lib/libcudnn.so.9", "9.19.0.56", "site-packages");
  wheel.soname = "libcudnn.so.9";
  return test::SnapshotBuilder().host("ubuntu").driver("580.159.04", 13000).cuda_device().consumer(c).library(wheel);
}

std::vector<std::string> ids(const Snapshot& s) {
  std::vector<std::string> out;
  for (auto& f : run_checks(s, Knowledge::get(), CheckFilter{{"library.*"}, {}})) out.push_back(f.id);
  return out;
}

bool fires(const Snapshot& s, const std::string& id) {
  auto v = ids(s);
  return std::find(v.begin(), v.end(), id) != v.end();
}

TEST(LibraryChecks, HealthyH100TorchIsQuiet) { EXPECT_EQ(ids(base()), std::vector<std::string>{}); }

TEST(LibraryChecks, NotFoundNamesThePackage) {
  auto s = base();
  auto& c = s.libraries.consumers[0];
  auto r = res("libcudnn.so.8", "", "not found");
  r.considered = {"/x/libcudnn.so.8"};
  c.loads.push_back(r);
  auto f = run_checks(s, Knowledge::get(), CheckFilter{{"library.not-found"}, {}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].fix.find("nvidia-cudnn-cu13"), std::string::npos) << f[0].fix;
  EXPECT_NE(f[0].fix.find("libcudnn8-cuda-13"), std::string::npos) << f[0].fix;
  EXPECT_NE(f[0].cause.find("another major"), std::string::npos);
}

TEST(LibraryChecks, LdLibraryPathShadowingTheWheelsCudnn) {
  auto s = base();
  s.env["LD_LIBRARY_PATH"] = "/usr/lib/x86_64-linux-gnu:/usr/local/nvidia/lib64";
  auto& c = s.libraries.consumers[0];
  c.loads[2] = res("libcudnn_graph.so.9", "/usr/lib/x86_64-linux-gnu/libcudnn_graph.so.9",
                   "LD_LIBRARY_PATH: /usr/lib/x86_64-linux-gnu", "cudnn", "9.14.0", "init");
  LibraryCopy w;
  w.name = "cudnn";
  w.soname = "libcudnn_graph.so.9";
  w.path = w.realpath = "/opt/torch/.venv/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn_graph.so.9";
  w.version = "9.19.0.56";
  w.origin = "site-packages";
  s.libraries.copies.push_back(w);
  auto f = run_checks(s, Knowledge::get(), CheckFilter{{"library.*"}, {}});
  ASSERT_EQ(f.size(), 1u);  // one root cause: not also library.mixed-versions
  EXPECT_EQ(f[0].id, "library.ld-library-path-shadows-wheel");
  EXPECT_NE(f[0].fix.find("export LD_LIBRARY_PATH=/usr/local/nvidia/lib64"), std::string::npos) << f[0].fix;
}

TEST(LibraryChecks, MixedBuildsWithoutLdLibraryPath) {
  auto s = base();
  s.libraries.consumers[0].loads[2] = res("libcudnn_graph.so.9", "/usr/lib/x86_64-linux-gnu/libcudnn_graph.so.9",
                                          "ld.so.cache", "cudnn", "9.14.0", "init");
  EXPECT_EQ(ids(s), std::vector<std::string>{"library.mixed-versions"});
  auto s2 = base();
  s2.libraries.consumers[0].loads.push_back(
      res("libcudart.so.12", "/usr/local/cuda-12.8/lib64/libcudart.so.12", "ld.so.cache", "cudart", "12.8.90"));
  EXPECT_TRUE(fires(s2, "library.mixed-versions"));
}

TEST(LibraryChecks, RuntimeNeedsNewerDriver) {
  auto s = base();
  s.kernel.version = "550.54.14";  // CUDA 12.4 driver, a CUDA 13 runtime
  s.cuda.driver_version = 12040;
  EXPECT_EQ(ids(s), std::vector<std::string>{"library.driver-too-old"});
  // Minor-version compatibility: a 13.2 runtime on the 580 (13.0) driver runs.
  auto s2 = base();
  s2.libraries.consumers[0].loads[0].version = "13.2.51";
  EXPECT_FALSE(fires(s2, "library.driver-too-old"));
  // A forward-compatible libcuda (cuda-compat 13.0) on the path lets it run.
  auto s3 = s;
  s3.libraries.consumers[0].loads.push_back(
      res("libcuda.so.1", "/usr/local/cuda-13.0/compat/libcuda.so.1", "LD_LIBRARY_PATH: /usr/local/cuda-13.0/compat",
          "cuda", "580.95.05", "init"));
  EXPECT_FALSE(fires(s3, "library.driver-too-old"));
}

TEST(LibraryChecks, StubLibcudaThroughRunpath) {
  auto s = base();
  s.libraries.consumers[0].loads.push_back(res("libcuda.so.1", "/usr/local/cuda/lib64/stubs/libcuda.so.1",
                                               "RUNPATH of my_ext.so: /usr/local/cuda/lib64/stubs", "cuda", "", "init"));
  EXPECT_EQ(ids(s), std::vector<std::string>{"library.stub-libcuda"});
  // Through LD_LIBRARY_PATH it is driver.stub-libcuda's finding, not this one.
  auto s2 = base();
  s2.libraries.consumers[0].loads.push_back(res("libcuda.so.1", "/usr/local/cuda/lib64/stubs/libcuda.so.1",
                                                "LD_LIBRARY_PATH: /usr/local/cuda/lib64/stubs", "cuda", "", "init"));
  EXPECT_FALSE(fires(s2, "library.stub-libcuda"));
}

TEST(LibraryChecks, WrongArchitecture) {
  auto s = base();
  auto r = res("libnccl.so.2", "", "not found", "nccl");
  r.skipped = {"/opt/aarch64/libnccl.so.2 (aarch64)"};
  s.libraries.consumers[0].loads.push_back(r);
  EXPECT_EQ(ids(s), std::vector<std::string>{"library.wrong-arch"});  // not also library.not-found
  auto s2 = base();
  r.path = "/usr/lib/x86_64-linux-gnu/libnccl.so.2";
  s2.libraries.consumers[0].loads.push_back(r);
  auto f = run_checks(s2, Knowledge::get(), CheckFilter{{"library.wrong-arch"}, {}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::Warning);
}

TEST(LibraryChecks, DamagedWheelFileStopsTheLoader) {
  // An interrupted pip download left libcudnn.so.9 cut short: glibc stops at it ("file too short").
  auto s = base();
  auto& r = s.libraries.consumers[0].loads[1];
  std::string file = r.path;
  r.skipped = {file + " (invalid: the section headers lie beyond the end of the file (1000 bytes): truncated)"};
  r.considered = {file};
  r.path = r.realpath = "";
  r.reason = "not found";
  s.libraries.copies[0].package = "pip:nvidia-cudnn-cu13 9.19.0.56";
  s.libraries.copies[0].size = 1000;
  EXPECT_EQ(ids(s), std::vector<std::string>{"library.damaged"});  // not also library.not-found
  auto f = run_checks(s, Knowledge::get(), CheckFilter{{"library.damaged"}, {}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::Error);
  EXPECT_EQ(f[0].subject, file);
  EXPECT_NE(f[0].title.find("torch cannot load libcudnn.so.9"), std::string::npos) << f[0].title;
  EXPECT_EQ(f[0].fix, "/opt/torch/.venv/bin/python3 -m pip install --force-reinstall --no-deps nvidia-cudnn-cu13==9.19.0.56");
  // As the probe records it, the consumer's interpreter is the executable the venv's python resolves to; pip must
  // run from the venv (GPU machine, round 1: the fix said /usr/bin/python3.12, which installs into the system).
  {
    auto venv = s;
    venv.libraries.consumers[0].interpreter = "/usr/bin/python3.12";
    Framework fw;
    fw.name = "torch";
    fw.location = "/opt/torch/.venv/lib/python3.12/site-packages/torch";
    fw.cuda_build = true;
    Interpreter py;
    py.path = "/opt/torch/.venv/bin/python";
    py.realpath = "/usr/bin/python3.12";
    py.kind = "venv";
    py.prefix = "/opt/torch/.venv";
    py.frameworks.push_back(fw);
    venv.python.interpreters.push_back(py);
    venv.libraries.consumers[0].location = "/opt/torch/.venv/lib/python3.12/site-packages";
    auto g = run_checks(venv, Knowledge::get(), CheckFilter{{"library.damaged"}, {}});
    ASSERT_EQ(g.size(), 1u);
    EXPECT_EQ(g[0].fix, "/opt/torch/.venv/bin/python -m pip install --force-reinstall --no-deps nvidia-cudnn-cu13==9.19.0.56");
  }
  // Loaded by dlopen: the program may catch the failure (cuDNN opens the copy beside itself): a warning.
  auto soft = s;
  soft.libraries.consumers[0].loads[1].kind = "dlopen";
  f = run_checks(soft, Knowledge::get(), CheckFilter{{"library.damaged"}, {}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::Warning);
  // Cut after its headers: the loader maps it and the process dies with SIGBUS, dlopen or not.
  auto crash = base();
  auto& cr = crash.libraries.consumers[0].loads[1];
  cr.kind = "dlopen";
  // Found through LD_LIBRARY_PATH, with no version in its name: not also "an older cuDNN than the wheel".
  cr.path = cr.realpath = "/tmp/dmg/libcudnn.so.9";
  cr.reason = "LD_LIBRARY_PATH: /tmp/dmg";
  cr.version = "9";
  cr.damage = "the section headers lie beyond the end of the file (3000 bytes): truncated";
  f = run_checks(crash, Knowledge::get(), CheckFilter{{"library.*"}, {}});
  ASSERT_EQ(f.size(), 1u) << f[0].id << " " << (f.size() > 1 ? f[1].id : "");
  EXPECT_EQ(f[0].id, "library.damaged");
  EXPECT_EQ(f[0].severity, Severity::Error);
  EXPECT_NE(f[0].title.find("torch would crash loading libcudnn.so.9"), std::string::npos) << f[0].title;
  EXPECT_NE(f[0].cause.find("SIGBUS"), std::string::npos);
  // A Debian-owned copy: reinstall the owning package.
  s.libraries.copies[0].package = "deb";
  f = run_checks(s, Knowledge::get(), CheckFilter{{"library.damaged"}, {}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].fix.find("apt-get install --reinstall"), std::string::npos) << f[0].fix;
}

TEST(LibraryChecks, KernelCoverage) {
  auto s = base();
  s.cuda.devices[0].cc_major = 7;  // Volta: cu130 torch has no sm_70 and no PTX
  s.cuda.devices[0].cc_minor = 0;
  EXPECT_EQ(ids(s), std::vector<std::string>{"library.no-kernel-for-gpu"});
  auto s2 = base();
  s2.cuda.devices[0].cc_major = 12;  // sm_120 SASS present
  s2.cuda.devices[0].cc_minor = 1;
  EXPECT_EQ(ids(s2), std::vector<std::string>{});
  auto s3 = base();
  s3.libraries.consumers[0].kernels[0].sass = {"sm_80"};
  s3.libraries.consumers[0].kernels[0].ptx = {"compute_80"};
  EXPECT_EQ(ids(s3), std::vector<std::string>{"library.ptx-jit-only"});  // sm_80 SASS cannot run on 9.0; PTX can
  auto s4 = base();
  s4.libraries.consumers[0].kernels[0].sass = {"sm_90a"};
  s4.cuda.devices[0].cc_major = 10;
  EXPECT_EQ(ids(s4), std::vector<std::string>{"library.no-kernel-for-gpu"});  // "a" code runs on 9.0 only
}

}  // namespace
