// The nix.* checks and the generators as pure functions: the cases the fixture machines do not cover (a Nix-built
// Python on another distribution, the rules for staying quiet) and the generators' choices from PCI IDs alone.
#include <gtest/gtest.h>

#include <algorithm>

#include "checks/check.hpp"
#include "nix/generate.hpp"
#include "snapshot_builder.hpp"

using namespace gpuenv;

namespace {

Snapshot ubuntu_h100() {
  Snapshot s = test::SnapshotBuilder().host("ubuntu").driver("580.159.04").pci_gpu().library(
      {"cuda", "/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so.580.159.04", "libcuda.so.1",
       "580.159.04", "ld.so.conf", false, 1, "x86_64", 64, "", ""});
  s.host.os_pretty_name = "Ubuntu 24.04.3 LTS";
  return s;
}

// The active Python comes from /nix/store and has a CUDA torch.
void add_nix_python(Snapshot& s) {
  Interpreter py;
  py.path = "/nix/store/8m2k-python3-3.12.8-env/bin/python3";
  py.realpath = "/nix/store/q1w2-python3-3.12.8/bin/python3.12";
  py.kind = "nix";
  Framework fw;
  fw.name = "torch";
  fw.version = "2.9.1";
  fw.location = "/nix/store/z9x8-python3.12-torch-2.9.1/lib/python3.12/site-packages/torch";
  fw.cuda_build = true;
  py.frameworks.push_back(fw);
  s.python.interpreters.push_back(py);
  s.python.active = 0;
}

std::vector<std::string> nix_ids(const Snapshot& s) {
  std::vector<std::string> out;
  for (auto& f : run_checks(s, Knowledge::get(), CheckFilter{{"nix.*"}, {}})) out.push_back(f.id);
  return out;
}

}  // namespace

TEST(NixChecks, NixPythonOnUbuntuWithoutWrapper) {
  auto s = ubuntu_h100();
  EXPECT_TRUE(nix_ids(s).empty());  // nothing Nix-built: quiet
  add_nix_python(s);
  auto f = run_checks(s, Knowledge::get(), CheckFilter{{"nix.*"}, {}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, "nix.no-driver-wrapper");
  EXPECT_NE(f[0].fix.find("gpuenv run -- /nix/store/8m2k-python3-3.12.8-env/bin/python3"), std::string::npos) << f[0].fix;
  EXPECT_EQ(f[0].subject, "/nix/store/8m2k-python3-3.12.8-env/bin/python3 (torch 2.9.1)");
  // A wrapper installed but not in use is named first.
  s.nix.wrappers.push_back("/home/u/.nix-profile/bin/nixglhost");
  f = run_checks(s, Knowledge::get(), CheckFilter{{"nix.*"}, {}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_TRUE(f[0].fix.starts_with("# a wrapper is installed; run through it:\n  nixglhost ")) << f[0].fix;
  // nixGL / nix-gl-host in use: libcuda is on LD_LIBRARY_PATH.
  s.libraries.copies.push_back({"cuda", "/home/u/.cache/nix-gl-host/abc/libcuda.so.1", "/home/u/.cache/nix-gl-host/abc/libcuda.so.1",
                                "libcuda.so.1", "580.159.04", "LD_LIBRARY_PATH", false, 1, "x86_64", 64, "", ""});
  EXPECT_TRUE(nix_ids(s).empty());
}

TEST(NixChecks, QuietOnNixOSAndWithoutGpu) {
  auto s = ubuntu_h100();
  add_nix_python(s);
  s.pci.clear();
  s.kernel = {};
  EXPECT_TRUE(nix_ids(s).empty());  // no GPU: nothing to reach
  s = ubuntu_h100();
  add_nix_python(s);
  s.host.nixos = true;
  s.host.opengl_driver_dir = true;
  EXPECT_TRUE(nix_ids(s).empty());
}

TEST(NixChecks, OpenglDriverMissingNeedsTheModule) {
  auto s = ubuntu_h100();
  s.host.nixos = true;
  s.host.os_id = "nixos";
  s.libraries.copies.clear();
  s.cuda.status = ProbeStatus::NotFound;
  EXPECT_EQ(nix_ids(s), std::vector<std::string>{"nix.opengl-driver-missing"});
  // driver.libcuda-missing stays quiet: one cause, one finding.
  auto all = run_checks(s, Knowledge::get());
  EXPECT_TRUE(std::none_of(all.begin(), all.end(), [](auto& f) { return f.id == "driver.libcuda-missing"; }));
  s.kernel.loaded = false;  // without the module, driver.module-not-loaded tells the whole configuration
  EXPECT_TRUE(nix_ids(s).empty());
}

TEST(NixChecks, RunpathRules) {
  auto s = ubuntu_h100();
  s.host.nixos = true;
  s.host.opengl_driver_dir = true;
  NixBinary b;
  b.path = "/home/u/app/build/saxpy";
  b.cuda_needed = {"libcudart.so.12"};
  b.runpath = {"/nix/store/qv4f-cuda_cudart-12.8.90-lib/lib"};
  b.nix_toolchain = true;
  s.nix.binaries.push_back(b);
  EXPECT_EQ(nix_ids(s), std::vector<std::string>{"nix.runpath-lacks-driver"});
  s.nix.binaries[0].runpath.push_back("/run/opengl-driver/lib");  // autoAddDriverRunpath did its work
  EXPECT_TRUE(nix_ids(s).empty());
  s.nix.binaries[0].runpath.pop_back();
  s.env["LD_LIBRARY_PATH"] = "/run/opengl-driver/lib";  // works in this shell: quiet (documented)
  EXPECT_TRUE(nix_ids(s).empty());
  s.env.clear();
  s.nix.binaries[0].nix_toolchain = false;  // built by the host's toolchain: not a Nix RUNPATH question
  EXPECT_TRUE(nix_ids(s).empty());
}

TEST(NixGenerate, GpusFromPciIdsAlone) {
  Snapshot s;
  s.host.nixos = true;
  s.pci.push_back({"0000:01:00.0", "0x10de", "0x1b80", "", "", "0x030000", "", "", -1});  // GTX 1080
  s.pci.push_back({"0000:02:00.0", "0x8086", "0x1234", "", "", "0x030000", "", "", -1});  // not NVIDIA
  auto m = nix::machine_facts(s, Knowledge::get());
  ASSERT_EQ(m.gpus.size(), 1u);
  EXPECT_EQ(m.gpus[0].name, "GeForce GTX 1080");
  EXPECT_EQ(m.gpus[0].cc, "6.1");
  EXPECT_EQ(m.gpus[0].last_driver_branch, "580");
  EXPECT_FALSE(m.gpus[0].open_module);
  EXPECT_EQ(m.capabilities, std::vector<std::string>{"6.1"});
  Spec spec;
  auto text = nix::render_system(spec, s, Knowledge::get(), {"test"});
  ASSERT_TRUE(text.ok()) << text.error();
  EXPECT_NE(text->find("hardware.nvidia.open = false;"), std::string::npos);
  EXPECT_NE(text->find("nvidiaPackages.legacy_580;"), std::string::npos);
}

TEST(NixGenerate, SpecErrors) {
  Snapshot s;
  Spec spec;
  spec.path = "/p/gpuenv.toml";
  spec.python_version = "3.8";
  auto r = nix::render_shell(spec, s, Knowledge::get(), {"test"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("Python 3.8"), std::string::npos);
  spec.python_version = "3.12";
  spec.frameworks.push_back({"mxnet", "cuda", ""});
  r = nix::render_flake(spec, s, Knowledge::get(), {"test"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("mxnet"), std::string::npos);
  spec.frameworks = {{"torch", "rocm", ""}};
  r = nix::render_shell(spec, s, Knowledge::get(), {"test"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("ROCm"), std::string::npos);
  spec.frameworks = {{"torch", "cpu", ""}};
  r = nix::render_shell(spec, s, Knowledge::get(), {"test"});
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_NE(r->find("ps.torch"), std::string::npos);
  EXPECT_NE(r->find("cudaSupport = false;"), std::string::npos);  // no GPU in the snapshot
}
