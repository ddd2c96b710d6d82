// Checks as pure functions over hand-built snapshots: the cases no fixture
// machine covers, and the rules for staying quiet.
#include <gtest/gtest.h>

#include <set>

#include "checks/check.hpp"
#include "probe/driver_probe.hpp"
#include "snapshot_builder.hpp"

using namespace gpuenv;

namespace {

Snapshot healthy() {
  test::SnapshotBuilder b;
  b.driver("580.159.04", 13000).device_nodes().gpu();
  b.snapshot().kernel.flavour = "open";
  return b;
}

std::vector<std::string> ids(const Snapshot& s) {
  std::vector<std::string> out;
  for (auto& f : run_checks(s, Knowledge::get())) out.push_back(f.id);
  return out;
}

}  // namespace

TEST(Checks, HealthyMachineHasNoFindings) { EXPECT_TRUE(ids(healthy()).empty()); }

TEST(Checks, EveryCheckHasAUniqueWellFormedId) {
  std::set<std::string> seen;
  for (auto& c : all_checks()) {
    std::string id = c.id;
    EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
    EXPECT_NE(id.find('.'), std::string::npos) << id;
    EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-"), std::string::npos) << id;
    EXPECT_FALSE(std::string(c.summary).empty()) << id;
  }
}

TEST(Checks, UnboundGpuWhileTheModuleIsLoaded) {
  auto s = healthy();
  s.pci[0].driver = "";
  s.cuda.status = ProbeStatus::InitFailed;
  s.cuda.init_result = 100;
  s.cuda.devices.clear();
  auto got = ids(s);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got[0], "gpu.unbound");
}

TEST(Checks, CuinitFailureIsMappedThroughKnowledge) {
  auto s = healthy();
  s.cuda.status = ProbeStatus::InitFailed;
  s.cuda.init_result = 802;
  s.cuda.init_error_name = "CUDA_ERROR_SYSTEM_NOT_READY";
  s.cuda.devices.clear();
  auto f = run_checks(s, Knowledge::get());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, "driver.cuinit-failed");
  EXPECT_NE(f[0].fix.find("nvidia-fabricmanager"), std::string::npos);
  // An unknown code still gets a finding with a generic next step.
  s.cuda.init_result = 12345;
  s.cuda.init_error_name = "";
  f = run_checks(s, Knowledge::get());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].fix.find("dmesg"), std::string::npos);
}

TEST(Checks, NvmlFailureIsAWarning) {
  auto s = healthy();
  s.nvml.status = ProbeStatus::InitFailed;
  s.nvml.init_result = 999;
  s.nvml.init_error = "Unknown Error";
  auto f = run_checks(s, Knowledge::get());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, "driver.nvml-failed");
  EXPECT_EQ(f[0].severity, Severity::Warning);
  s.nvml.status = ProbeStatus::NotFound;
  s.nvml.dlerror = "libnvidia-ml.so.1: cannot open shared object file";
  f = run_checks(s, Knowledge::get());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].fix.find("580.159.04"), std::string::npos);
}

TEST(Checks, MismatchFromFileVersionsAlone) {
  auto s = healthy();
  s.cuda.library_version = "580.95.05";
  s.kernel.version = "570.133.20";
  auto got = ids(s);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "driver.version-mismatch");
}

TEST(Checks, ComputeModeAndCompatFixes) {
  auto s = healthy();
  s.cuda.status = ProbeStatus::InitFailed;
  s.cuda.init_result = 803;
  s.cuda.library_path = "/usr/local/cuda-12.8/compat/libcuda.so.1";
  s.cuda.library_version = "570.124.06";
  s.env["LD_LIBRARY_PATH"] = "/usr/local/cuda-12.8/compat:/usr/local/nvidia/lib64";
  auto f = run_checks(s, Knowledge::get());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, "driver.version-mismatch");
  EXPECT_NE(f[0].cause.find("cuda-compat"), std::string::npos);
  EXPECT_NE(f[0].fix.find("export LD_LIBRARY_PATH=/usr/local/nvidia/lib64"), std::string::npos) << f[0].fix;
}

TEST(Checks, VisibleDevicesByUuidAreAccepted) {
  auto s = healthy();
  s.env["CUDA_VISIBLE_DEVICES"] = "GPU-429e";
  EXPECT_TRUE(ids(s).empty());
  s.cuda.status = ProbeStatus::InitFailed;
  s.cuda.init_result = 100;
  s.cuda.devices.clear();
  s.env["CUDA_VISIBLE_DEVICES"] = "gpu0";
  auto f = run_checks(s, Knowledge::get());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].cause.find("neither a list of indices"), std::string::npos);
}

TEST(Checks, FilterByFamilyAndId) {
  CheckFilter f{{"driver.*"}, {"driver.stub-libcuda"}};
  EXPECT_TRUE(f.selects("driver.version-mismatch"));
  EXPECT_FALSE(f.selects("driver.stub-libcuda"));
  EXPECT_FALSE(f.selects("gpu.nouveau"));
  EXPECT_TRUE(unknown_check_ids(f).empty());
  EXPECT_EQ(unknown_check_ids(CheckFilter{{"nope.*"}, {}}).size(), 1u);
  EXPECT_EQ(suggest_check_id("gpu.noveau"), "gpu.nouveau");
}

TEST(DriverProbe, ParsesTheChildProtocolEvenWhenCutShort) {
  CudaProbe p;
  parse_cuda_child_output(
      "requested\tlibcuda.so.1\nstage\tdlopen\nlibrary_path\t/usr/lib/libcuda.so.1\nstage\tversion\n"
      "driver_version\t13000\nstage\tinit\n",
      p);
  EXPECT_EQ(p.stage, "init");
  EXPECT_EQ(p.driver_version, 13000);
  EXPECT_EQ(p.library_path, "/usr/lib/libcuda.so.1");
  CudaProbe q;
  parse_cuda_child_output("device\t0|NVIDIA H100|9|0|1024|GPU-1|0000:00:06.0\ndevice\tbroken\nstatus\tok\n", q);
  ASSERT_EQ(q.devices.size(), 1u);
  EXPECT_EQ(q.devices[0].cc_major, 9);
  EXPECT_EQ(q.status, ProbeStatus::Ok);
  NvmlProbe n;
  parse_nvml_child_output("init_result\t18\ninit_error\tDriver/library version mismatch\nstatus\tinit_failed\n", n);
  EXPECT_EQ(n.init_result, 18);
  EXPECT_EQ(n.status, ProbeStatus::InitFailed);
}
