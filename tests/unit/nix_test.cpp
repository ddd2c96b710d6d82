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

namespace {

Snapshot nixos_with_gpu(const std::string& device_id, const std::string& version_id) {
  Snapshot s;
  s.host.nixos = true;
  s.host.os_version_id = version_id;
  s.pci.push_back({"0000:01:00.0", "0x10de", device_id, "", "", "0x030000", "", "", -1});
  return s;
}

}  // namespace

// Issue 16: the release a file is written for, and what each release names the R580 driver.
TEST(NixGenerate, ReleaseAware) {
  auto& k = Knowledge::get();
  auto all = nix::releases(k);
  ASSERT_GE(all.size(), 6u);
  for (auto& r : all) {
    SCOPED_TRACE(r.name);
    EXPECT_FALSE(r.driver_attrs.empty());
    EXPECT_NE(std::find(r.driver_attrs.begin(), r.driver_attrs.end(), r.driver_580), r.driver_attrs.end());
    EXPECT_NE(std::find(r.driver_attrs.begin(), r.driver_attrs.end(), r.driver_datacenter), r.driver_attrs.end());
    EXPECT_NE(std::find(r.python_versions.begin(), r.python_versions.end(), r.python_default), r.python_versions.end());
    for (auto& pre : r.python_prerelease)  // a version is either final or a pre-release in one release
      EXPECT_EQ(std::find(r.python_versions.begin(), r.python_versions.end(), pre), r.python_versions.end()) << pre;
  }
  auto s = nixos_with_gpu("0x1b80", "25.11");  // GTX 1080 on NixOS 25.11
  auto m = nix::machine_facts(s, k);
  nix::Options o{"test"};
  o.today = "2026-12-03";
  auto r = nix::target_release(nix::Target::System, m, k, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("end of support on 2026-06-30"), std::string::npos) << r.error();
  o.today = "2026-06-30";  // the last day is still supported
  ASSERT_TRUE(nix::target_release(nix::Target::System, m, k, o).ok());
  o.today = "2026-12-03";
  o.allow_eol = true;
  auto text = nix::render_system(Spec{}, s, k, o);
  ASSERT_TRUE(text.ok()) << text.error();
  EXPECT_NE(text->find("nvidiaPackages.production;"), std::string::npos);  // 25.11 has no legacy_580
  EXPECT_EQ(text->find("nvidiaPackages.legacy_580"), std::string::npos);
  // A flake pins the current release whatever the host runs; --nixpkgs and --nixos-release choose another.
  o.allow_eol = false;
  r = nix::target_release(nix::Target::Flake, m, k, o);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->branch, "nixos-26.05");
  o.nixpkgs_branch = "nixos-unstable";
  r = nix::target_release(nix::Target::Flake, m, k, o);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->name, "unstable");
  o.nixpkgs_branch.clear();
  o.nixos_release = "26.05";
  text = nix::render_system(Spec{}, s, k, o);
  ASSERT_TRUE(text.ok()) << text.error();
  EXPECT_NE(text->find("nvidiaPackages.legacy_580;"), std::string::npos);
  // 26.11 is known but has no release date here: written with master's names, and said so.
  std::vector<std::string> warnings;
  o.warnings = &warnings;
  o.nixos_release = "26.11";
  ASSERT_TRUE(nix::target_release(nix::Target::System, m, k, o).ok());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("no release date"), std::string::npos);
}

// Issue 16 point 9: no advice to keep cudaPackages at 11.x when the release has no cudaPackages_11.
TEST(NixGenerate, CudaSetTheGpuNeedsIsMissing) {
  auto s = nixos_with_gpu("0x1001", "26.05");  // GeForce GTX TITAN Z, Kepler: CUDA 11.8 is the last for it
  Spec spec;
  spec.path = "/p/gpuenv.toml";
  spec.frameworks.push_back({"torch", "cuda", ""});
  auto r = nix::render_shell(spec, s, Knowledge::get(), {"test"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("no cudaPackages_11"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("accelerator = \"cpu\""), std::string::npos) << r.error();
  spec.frameworks = {{"torch", "cpu", ""}};  // on the CPU it is fine
  r = nix::render_shell(spec, s, Knowledge::get(), {"test"});
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_NE(r->find("cudaSupport = false;"), std::string::npos);
  // Pascal: cudaPackages_12 still exists; the cached packages lack its capability: said in the file and on stderr.
  s = nixos_with_gpu("0x1b80", "26.05");
  spec.frameworks = {{"torch", "cuda", ""}};
  std::vector<std::string> warnings;
  nix::Options o{"test"};
  o.warnings = &warnings;
  r = nix::render_shell(spec, s, Knowledge::get(), o);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_NE(r->find("still has cudaPackages_12"), std::string::npos) << *r;
  EXPECT_NE(r->find("not in nixpkgs' default capabilities"), std::string::npos) << *r;
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("--cuda-capabilities"), std::string::npos);
}

// Issue 16 point 5: every framework on the CPU -> no CUDA at all; next to a CUDA one -> the WithoutCuda variants.
TEST(NixGenerate, CpuFrameworksOnAGpuMachine) {
  auto s = nixos_with_gpu("0x2684", "26.05");  // RTX 4090
  Spec spec;
  spec.path = "/p/gpuenv.toml";
  spec.frameworks = {{"torch", "cpu", ""}, {"tensorflow", "cpu", ""}};
  auto r = nix::render_flake(spec, s, Knowledge::get(), {"test"});
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_NE(r->find("cudaSupport = false;"), std::string::npos);
  EXPECT_EQ(r->find("nixConfig"), std::string::npos) << "no CUDA, no CUDA cache";
  EXPECT_NE(r->find("ps.torch\n"), std::string::npos);
  EXPECT_NE(r->find("ps.tensorflow-bin\n"), std::string::npos);
  spec.frameworks = {{"torch", "cpu", ""}, {"jax", "cuda", ""}};
  r = nix::render_flake(spec, s, Knowledge::get(), {"test"});
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_NE(r->find("cudaSupport = true;"), std::string::npos);
  EXPECT_NE(r->find("ps.torchWithoutCuda\n"), std::string::npos);
  EXPECT_NE(r->find("ps.jax-cuda12-plugin\n"), std::string::npos);
}

// The release a flake.lock pins: its nixpkgs input's branch, which then decides the release and the branch.
TEST(NixGenerate, ReleaseFromFlakeLock) {
  const char* lock = R"({"nodes": {"nixpkgs": {"locked": {"rev": "abc"}, "original": {"owner": "NixOS",
      "ref": "nixos-26.05-small", "repo": "nixpkgs", "type": "github"}}, "root": {"inputs": {"nixpkgs": "nixpkgs"}}},
      "root": "root", "version": 7})";
  EXPECT_EQ(nix::nixpkgs_branch_of_lock(lock), "nixos-26.05-small");
  EXPECT_EQ(nix::nixpkgs_branch_of_lock(R"({"nodes": {"root": {"inputs": {}}}, "root": "root"})"), "");
  EXPECT_EQ(nix::nixpkgs_branch_of_lock(R"({"nodes": {"root": {"inputs": {"nixpkgs": ["other", "nixpkgs"]}}}})"), "");
  EXPECT_EQ(nix::nixpkgs_branch_of_lock("not json"), "");
  auto s = nixos_with_gpu("0x1b80", "25.11");  // the host still runs 25.11; its flake.lock is on 26.05 already
  nix::Options o{"test"};
  o.today = "2026-12-03";
  o.lock_branch = nix::nixpkgs_branch_of_lock(lock);
  o.lock_file = "/etc/nixos/flake.lock";
  auto m = nix::machine_facts(s, Knowledge::get());
  auto r = nix::target_release(nix::Target::System, m, Knowledge::get(), o);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->name, "26.05");
  r = nix::target_release(nix::Target::Flake, m, Knowledge::get(), o);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->branch, "nixos-26.05-small");
  o.lock_branch = "nixos-25.11";  // an old lock is refused like an old host, naming the file
  r = nix::target_release(nix::Target::Flake, m, Knowledge::get(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("/etc/nixos/flake.lock"), std::string::npos) << r.error();
}
