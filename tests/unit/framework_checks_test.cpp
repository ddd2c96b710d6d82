// Framework builds against the machine: the knowledge in frameworks.toml, the build recommendation
// ("which build runs here?") on several machines, the framework.* and toolkit.* checks firing and staying
// quiet, and the toolkit probe on --root trees.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "checks/check.hpp"
#include "checks/recommend.hpp"
#include "probe/probes.hpp"
#include "run.hpp"
#include "snapshot_builder.hpp"
#include "util/strings.hpp"

namespace fs = std::filesystem;
using namespace gpuenv;

namespace {

const Knowledge& K() { return Knowledge::get(); }

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// An H100 with driver 580.95.05 (CUDA 13.0) and one venv interpreter.
Snapshot machine(const std::string& driver = "580.95.05", int driver_cuda = 13000, const std::string& gpu = "NVIDIA H100 80GB HBM3",
                 int cc_major = 9, int cc_minor = 0) {
  return test::SnapshotBuilder().host("ubuntu").driver(driver, driver_cuda).device_nodes().gpu(gpu, cc_major, cc_minor)
      .venv("/home/u/proj/.venv");
}

const std::string kSite = "/home/u/proj/.venv/lib/python3.12/site-packages";

Framework torch(const std::string& version, const std::string& cuda) {
  return test::framework("torch", version, cuda, kSite + "/torch");
}

Distribution dist(const std::string& name, const std::string& version, std::vector<std::string> requires_dist = {}) {
  Distribution d;
  d.name = name;
  d.version = version;
  d.location = kSite;
  d.metadata = kSite + "/" + replace_all(name, "-", "_") + "-" + version + ".dist-info";
  d.requires_dist = std::move(requires_dist);
  d.installer = "pip";
  return d;
}

std::vector<Finding> only(const Snapshot& s, const std::string& id) {
  CheckFilter f;
  f.only = {id};
  return run_checks(s, K(), f);
}

std::string evidence(const Finding& f, const std::string& key) {
  for (auto& e : f.evidence)
    if (e.key == key) return e.value;
  return "";
}

BuildQuery q(const std::string& fw, const std::string& driver, int driver_cuda, std::vector<std::string> ccs,
             const std::string& python, const std::string& kind = "pip") {
  BuildQuery x;
  x.framework = fw;
  x.driver = driver;
  x.driver_cuda = driver_cuda;
  x.ccs = std::move(ccs);
  x.python = python;
  x.env_kind = kind;
  x.python_cmd = "/home/u/.venv/bin/python";
  return x;
}

}  // namespace

// ---- knowledge --------------------------------------------------------------------------------------------

TEST(FrameworkKnowledge, TorchReleasesVariantsAndSources) {
  auto& f = K().frameworks();
  ASSERT_GE(f.torch.size(), 10u);
  EXPECT_EQ(f.torch.front().version, "2.13");  // newest first
  auto* r = f.torch_release("2.9.1+cu128");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->python_min, "3.10");
  EXPECT_EQ(r->python_max, "3.14");
  EXPECT_EQ(f.torch_release("9.9.0"), nullptr);
  for (auto& rel : f.torch) {
    EXPECT_FALSE(rel.source.empty()) << rel.version;
    for (auto& v : rel.variants) EXPECT_TRUE(f.torch_index.count(v)) << rel.version << " " << v << " has no wheel index";
  }
  for (auto& a : f.torch_arch) EXPECT_FALSE(a.source.empty()) << a.variant;
  EXPECT_EQ(f.torch_index.at("cu130"), "https://download.pytorch.org/whl/cu130");
  EXPECT_EQ(torch_variant_cuda("cu118"), "11.8");
  EXPECT_EQ(torch_variant_cuda("cu130"), "13.0");
  EXPECT_EQ(torch_variant_cuda("cpu"), "");
  EXPECT_EQ(torch_variant_cuda("rocm6.2"), "");
  auto* cov = f.torch_coverage("2.9", "cu130");
  ASSERT_NE(cov, nullptr);
  EXPECT_EQ(cov->sm.front(), "7.5");
  EXPECT_EQ(f.torch_coverage("2.8", "cu130"), nullptr);  // no cu130 before 2.9
}

TEST(FrameworkKnowledge, TensorflowJaxCupy) {
  auto& f = K().frameworks();
  auto* tf = f.tf_release("2.18.0");
  ASSERT_NE(tf, nullptr);
  EXPECT_EQ(tf->cuda, "12.5");
  EXPECT_EQ(tf->cudnn, "9.3");
  EXPECT_TRUE(tf->and_cuda);
  EXPECT_FALSE(f.tf_release("2.12.1")->and_cuda);
  for (auto& r : f.tensorflow) EXPECT_FALSE(r.source.empty()) << r.version;
  ASSERT_EQ(f.jax.size(), 2u);
  EXPECT_EQ(f.jax[0].extra, "cuda13");
  EXPECT_EQ(f.jax[0].min_cc, "7.5");
  ASSERT_NE(f.cupy_package("CuPy-CUDA12x"), nullptr);
  EXPECT_EQ(f.cupy_package("cupy-cuda12x")->cuda_major, 12);
  EXPECT_EQ(f.install.at("torch").nix, "python{py}Packages.torchWithCuda");
  for (auto& j : f.jax) EXPECT_FALSE(j.source.empty()) << j.extra;
  for (auto& c : f.cupy) EXPECT_FALSE(c.source.empty()) << c.package;
  for (auto* fw : {"torch", "tensorflow", "jax", "cupy"}) {
    ASSERT_TRUE(f.install.count(fw)) << fw;
    EXPECT_FALSE(f.install.at(fw).nix.empty()) << fw;
    EXPECT_FALSE(f.install.at(fw).conda.empty()) << fw;
  }
}

TEST(FrameworkKnowledge, MalformedOverrideIsAClearError) {
  auto dir = gpuenv::test::temp_dir("gpuenv-knowledge-bad");
  std::ofstream(dir + "/frameworks.toml") << "[[torch]]\nversion = \"2.9\"\npython = [\"3.10\"\n";  // unterminated array
  auto k = Knowledge::load_from_dir(dir);
  try {
    (void)k->frameworks();
    FAIL() << "a malformed frameworks.toml must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(has(e.what(), "knowledge file frameworks.toml is malformed")) << e.what();
  }
  fs::remove_all(dir);
}

// ---- arch coverage ----------------------------------------------------------------------------------------

TEST(Recommend, ArchCoverageRules) {
  using C = TargetCoverage;
  EXPECT_EQ(arch_coverage({"sm_60"}, "6.1"), C::Sass);  // same major, newer minor
  EXPECT_EQ(arch_coverage({"6.0"}, "6.1"), C::Sass);
  EXPECT_EQ(arch_coverage({"sm_61"}, "6.0"), C::None);  // older minor cannot run newer SASS
  EXPECT_EQ(arch_coverage({"sm_90a"}, "9.0"), C::Sass);
  EXPECT_EQ(arch_coverage({"sm_90a"}, "10.0"), C::None);
  EXPECT_EQ(arch_coverage({"sm_100f"}, "10.3"), C::Sass);
  EXPECT_EQ(arch_coverage({"sm_80", "compute_90"}, "12.0"), C::Ptx);
  EXPECT_EQ(arch_coverage({"12.0+PTX"}, "12.1"), C::Sass);
  EXPECT_EQ(arch_coverage({"9.0+PTX"}, "12.0"), C::Ptx);
  EXPECT_EQ(arch_coverage({"7.5", "8.0", "9.0"}, "6.1"), C::None);
  EXPECT_EQ(arch_coverage({"garbage", ""}, "9.0"), C::None);
  EXPECT_EQ(arch_coverage({"sm_90"}, "not a capability"), C::None);
}

// ---- "which build runs here?" -----------------------------------------------------------------------------

TEST(Recommend, H100WithDriver580) {
  auto a = recommend_build(K(), q("torch", "580.95.05", 13000, {"9.0"}, "3.12"));
  ASSERT_TRUE(a.found) << a.reason;
  EXPECT_TRUE(a.gpu);
  EXPECT_EQ(a.release, "2.13");
  EXPECT_EQ(a.variant, "cu130");
  EXPECT_FALSE(a.minor_compat);
  EXPECT_EQ(a.command, "/home/u/.venv/bin/python -m pip install \"torch==2.13.*\" --index-url https://download.pytorch.org/whl/cu130");
  auto j = recommend_build(K(), q("jax", "580.95.05", 13000, {"9.0"}, "3.12"));
  EXPECT_EQ(j.variant, "cuda13");
  EXPECT_TRUE(has(j.command, "\"jax[cuda13]\""));
  auto c = recommend_build(K(), q("cupy", "580.95.05", 13000, {"9.0"}, "3.12"));
  EXPECT_EQ(c.variant, "cupy-cuda13x");
  auto t = recommend_build(K(), q("tensorflow", "580.95.05", 13000, {"9.0"}, "3.12"));
  EXPECT_EQ(t.release, "2.20");
  EXPECT_TRUE(has(t.command, "\"tensorflow[and-cuda]==2.20.*\"")) << t.command;
  // Python 3.9 caps torch at 2.8, where cu129 is the newest variant with a known GPU list.
  auto old_py = recommend_build(K(), q("torch", "580.95.05", 13000, {"9.0"}, "3.9"));
  EXPECT_EQ(old_py.release, "2.8");
  EXPECT_EQ(old_py.variant, "cu129");
}

TEST(Recommend, OldDriver470AndPascal) {
  // 470 runs CUDA 11.x through minor-version compatibility (>= 450.80.02), no CUDA 12.
  auto a = recommend_build(K(), q("torch", "470.256.02", 11040, {"6.1"}, "3.10"));
  ASSERT_TRUE(a.found) << a.reason;
  EXPECT_EQ(a.release, "2.7");
  EXPECT_EQ(a.variant, "cu118");
  EXPECT_TRUE(a.minor_compat);
  EXPECT_TRUE(has(a.command, "--index-url https://download.pytorch.org/whl/cu118")) << a.command;
  auto t = recommend_build(K(), q("tensorflow", "470.256.02", 11040, {"6.1"}, "3.10"));
  EXPECT_EQ(t.release, "2.14");
  EXPECT_EQ(t.cuda, "11.8");
  auto j = recommend_build(K(), q("jax", "470.256.02", 11040, {"6.1"}, "3.10"));
  EXPECT_FALSE(j.found);
  EXPECT_TRUE(has(j.reason, "No JAX CUDA plugin runs here with driver 470.256.02")) << j.reason;
  auto c = recommend_build(K(), q("cupy", "470.256.02", 11040, {"6.1"}, "3.10"));
  EXPECT_EQ(c.variant, "cupy-cuda11x");
  // Python 3.13 has no torch with cu118 wheels and a Pascal-capable driver: nothing fits.
  auto none = recommend_build(K(), q("torch", "470.256.02", 11040, {"6.1"}, "3.14"));
  EXPECT_FALSE(none.found);
  EXPECT_TRUE(none.command.empty());
}

TEST(Recommend, Rtx4090WithDriver550) {
  auto a = recommend_build(K(), q("torch", "550.54.14", 12040, {"8.9"}, "3.11"));
  ASSERT_TRUE(a.found) << a.reason;
  EXPECT_EQ(a.release, "2.13");
  EXPECT_EQ(a.variant, "cu126");  // sm_86 SASS runs on 8.9; 12.6 through minor-version compatibility
  EXPECT_TRUE(a.minor_compat);
  auto j = recommend_build(K(), q("jax", "550.54.14", 12040, {"8.9"}, "3.11"));
  EXPECT_EQ(j.variant, "cuda12");
  auto c = recommend_build(K(), q("cupy", "550.54.14", 12040, {"8.9"}, "3.11"));
  EXPECT_EQ(c.variant, "cupy-cuda12x");
  // Keeping the installed release when it has a fitting variant.
  auto keep = q("torch", "550.54.14", 12040, {"8.9"}, "3.11");
  keep.prefer_release = "2.5";
  auto k = recommend_build(K(), keep);
  EXPECT_EQ(k.release, "2.5");
  EXPECT_EQ(k.variant, "cu124");
  EXPECT_FALSE(k.minor_compat);
}

TEST(Recommend, BlackwellNeedsCu128OrNewer) {
  auto a = recommend_build(K(), q("torch", "570.133.07", 12080, {"12.0"}, "3.12"));
  ASSERT_TRUE(a.found) << a.reason;
  // 570 is older than CUDA 12.9's toolkit driver; cu129's sm_120 SASS runs through minor-version compatibility.
  EXPECT_EQ(a.variant, "cu129");
  EXPECT_EQ(a.release, "2.13");
  EXPECT_TRUE(a.minor_compat);
}

TEST(Recommend, NoGpu) {
  auto a = recommend_build(K(), q("torch", "", 0, {}, "3.12"));
  ASSERT_TRUE(a.found);
  EXPECT_FALSE(a.gpu);
  EXPECT_EQ(a.variant, "cpu");
  EXPECT_TRUE(has(a.command, "--index-url https://download.pytorch.org/whl/cpu"));
  auto t = recommend_build(K(), q("tensorflow", "", 0, {}, "3.12"));
  EXPECT_TRUE(has(t.command, "tensorflow-cpu==2.20.*"));
  auto j = recommend_build(K(), q("jax", "", 0, {}, "3.12"));
  EXPECT_TRUE(has(j.command, "-U jax"));
  EXPECT_FALSE(recommend_build(K(), q("cupy", "", 0, {}, "3.12")).found);
}

TEST(Recommend, EnvironmentKinds) {
  auto uv = recommend_build(K(), q("torch", "580.95.05", 13000, {"9.0"}, "3.12", "uv"));
  EXPECT_TRUE(uv.command.starts_with("uv pip install --python /home/u/.venv/bin/python \"torch==2.13.*\"")) << uv.command;
  auto conda = recommend_build(K(), q("torch", "550.54.14", 12040, {"8.9"}, "3.11", "conda"));
  EXPECT_EQ(conda.command, "conda install -c conda-forge pytorch-gpu \"cuda-version<=12.4\"");
  auto nix = recommend_build(K(), q("torch", "580.95.05", 13000, {"9.0"}, "3.12", "nix"));
  EXPECT_TRUE(has(nix.command, "python312.withPackages (ps: [ ps.torchWithCuda ])")) << nix.command;
  EXPECT_TRUE(has(nix.command, "NIXPKGS_ALLOW_UNFREE=1"));
  auto sys = recommend_build(K(), q("torch", "580.95.05", 13000, {"9.0"}, "3.12", "system"));
  EXPECT_TRUE(sys.command.starts_with("python3 -m venv .venv && .venv/bin/python -m pip install")) << sys.command;
}

TEST(Recommend, QueryFromSnapshot) {
  auto s = machine();
  auto bq = build_query(s, K(), &s.python.interpreters[0], "torch");
  EXPECT_EQ(bq.driver, "580.95.05");
  EXPECT_EQ(bq.driver_cuda, 13000);
  ASSERT_EQ(bq.ccs.size(), 1u);
  EXPECT_EQ(bq.ccs[0], "9.0");
  EXPECT_EQ(bq.python, "3.12");
  EXPECT_EQ(bq.env_kind, "pip");
  s.python.interpreters[0].distributions.push_back(dist("numpy", "2.1.0"));
  s.python.interpreters[0].distributions.back().installer = "uv";
  EXPECT_EQ(build_query(s, K(), &s.python.interpreters[0], "torch").env_kind, "uv");
  // Without CUDA or NVML the PCI device table gives the capability.
  s.cuda.devices.clear();
  s.nvml.devices.clear();
  EXPECT_EQ(gpu_compute_capabilities(s, K()), std::vector<std::string>{"9.0"});
}

// ---- checks -----------------------------------------------------------------------------------------------

TEST(FrameworkChecks, HealthyTorchIsQuiet) {
  auto s = machine();
  auto& py = s.python.interpreters[0];
  py.frameworks.push_back(torch("2.11.0+cu130", "13.0"));
  py.distributions.push_back(dist("torch", "2.11.0+cu130", {"nvidia-cudnn-cu13==9.17.1.4; platform_system == \"Linux\"",
                                                              "nvidia-cublas==13.1.0.3; platform_system == \"Linux\"",
                                                              "filelock"}));
  py.distributions.push_back(dist("nvidia-cudnn-cu13", "9.17.1.4"));
  py.distributions.push_back(dist("nvidia-cublas", "13.1.0.3"));
  CheckFilter f;
  f.only = {"framework.", "toolkit."};
  EXPECT_TRUE(run_checks(s, K(), f).empty());
}

TEST(FrameworkChecks, CpuOnlyBuildOnAGpuMachine) {
  auto s = machine();
  s.python.interpreters[0].frameworks.push_back(torch("2.5.1+cpu", ""));
  auto f = only(s, "framework.cpu-only-build");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::Warning);
  EXPECT_TRUE(has(f[0].title, "torch 2.5.1+cpu is a CPU-only build")) << f[0].title;
  EXPECT_TRUE(has(evidence(f[0], "GPU"), "NVIDIA H100 80GB HBM3 (compute capability 9.0)"));
  EXPECT_TRUE(has(f[0].cause, "Torch not compiled with CUDA enabled"));
  // The installed release is kept where a variant fits: torch 2.5 cu124 on driver 580.
  EXPECT_TRUE(has(f[0].fix, "\"torch==2.5.*\" --index-url https://download.pytorch.org/whl/cu124")) << f[0].fix;
  // pip would keep 2.5.1+cpu as satisfying torch==2.5.*: the CPU build is removed first.
  EXPECT_TRUE(f[0].fix.starts_with("/home/u/proj/.venv/bin/python -m pip uninstall -y torch\n")) << f[0].fix;
  // No GPU: quiet.
  auto cpu = machine();
  cpu.python.interpreters[0].frameworks.push_back(torch("2.5.1+cpu", ""));
  cpu.pci.clear();
  cpu.kernel = {};
  cpu.cuda = {};
  cpu.nvml = {};
  EXPECT_TRUE(only(cpu, "framework.cpu-only-build").empty());
  // A Debian python3-torch is named as such.
  auto deb = machine();
  deb.python.interpreters[0].kind = "system";
  deb.python.interpreters[0].path = "/usr/bin/python3";
  deb.python.interpreters[0].frameworks.push_back(torch("2.6.0", ""));
  deb.python.interpreters[0].distributions.push_back(dist("torch", "2.6.0"));
  deb.python.interpreters[0].distributions.back().installer = "debian";
  auto d = only(deb, "framework.cpu-only-build");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_TRUE(has(d[0].cause, "Debian's python3-torch"));
  EXPECT_TRUE(d[0].fix.starts_with("python3 -m venv .venv")) << d[0].fix;
  // uv: uninstall and install through uv, CuPy's other package removed first.
  auto cu = machine("550.54.14", 12040);
  Framework cp;
  cp.name = "cupy";
  cp.version = "13.6.0";
  cp.location = kSite + "/cupy";
  cp.distribution = "cupy-cuda13x";
  cp.cuda_build = true;
  cp.cuda_version = "13.0";
  cu.python.interpreters[0].frameworks.push_back(cp);
  cu.python.interpreters[0].distributions.push_back(dist("cupy-cuda13x", "13.6.0"));
  cu.python.interpreters[0].distributions.back().installer = "uv";
  auto c = only(cu, "framework.cuda-too-new-for-driver");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(has(c[0].fix, "uv pip uninstall --python /home/u/proj/.venv/bin/python cupy-cuda13x\n"
                            "uv pip install --python /home/u/proj/.venv/bin/python cupy-cuda12x")) << c[0].fix;
}

TEST(FrameworkChecks, CudaTooNewForDriver) {
  auto s = machine("550.54.14", 12040);
  s.python.interpreters[0].frameworks.push_back(torch("2.11.0+cu130", "13.0"));
  auto f = only(s, "framework.cuda-too-new-for-driver");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::Error);
  EXPECT_EQ(f[0].title, "torch 2.11.0+cu130 is built for CUDA 13.0, which driver 550.54.14 (CUDA 12.4) cannot run");
  EXPECT_TRUE(has(evidence(f[0], "needs"), "driver >= 580.0 (minor-version compatibility; 580.65.06 for every feature)"));
  EXPECT_TRUE(has(f[0].fix, "Upgrade the NVIDIA driver to 580.0 or newer"));
  // Torch 2.11 keeps its release: cu126 runs on 550 through minor-version compatibility.
  EXPECT_TRUE(has(f[0].fix, "\"torch==2.11.*\" --index-url https://download.pytorch.org/whl/cu126")) << f[0].fix;
  // Same major (12.8 on a 12.4 driver): minor-version compatibility, quiet.
  auto ok = machine("550.54.14", 12040);
  ok.python.interpreters[0].frameworks.push_back(torch("2.9.1+cu128", "12.8"));
  EXPECT_TRUE(only(ok, "framework.cuda-too-new-for-driver").empty());
  // When the library analysis knows the runtime it loads, library.driver-too-old decides.
  Consumer c;
  c.name = "torch";
  c.kind = "framework";
  c.location = kSite;
  Resolution r;
  r.name = "libcudart.so.13";
  r.family = "cudart";
  r.path = kSite + "/nvidia/cu13/lib/libcudart.so.13";
  r.version = "13.0.96";
  c.loads.push_back(r);
  s.libraries.consumers.push_back(c);
  EXPECT_TRUE(only(s, "framework.cuda-too-new-for-driver").empty());
  // Only the driver's CUDA known (no kernel version): another major is still caught.
  auto nodrv = machine("", 12040);
  nodrv.nvml.driver_version.clear();
  nodrv.python.interpreters[0].frameworks.push_back(torch("2.11.0+cu130", "13.0"));
  EXPECT_EQ(only(nodrv, "framework.cuda-too-new-for-driver").size(), 1u);
}

TEST(FrameworkChecks, WheelsMissingAndWrongMajor) {
  auto s = machine("570.133.07", 12080);
  auto& py = s.python.interpreters[0];
  py.frameworks.push_back(torch("2.5.1+cu124", "12.4"));
  py.distributions.push_back(dist("torch", "2.5.1+cu124",
                                  {"nvidia-cudnn-cu12==9.1.0.70; platform_system == \"Linux\" and platform_machine == \"x86_64\"",
                                   "nvidia-cublas-cu12==12.4.5.8; platform_system == \"Linux\" and platform_machine == \"x86_64\"",
                                   "nvidia-nccl-cu12==2.21.5; platform_system == \"Linux\" and platform_machine == \"x86_64\"",
                                   "nvidia-cufft-cu12==11.2.1.3; platform_machine == \"aarch64\"",
                                   "opt-einsum>=3.3; extra == \"opt-einsum\"", "filelock"}));
  py.distributions.push_back(dist("nvidia-cudnn-cu13", "9.17.1.4"));      // another CUDA major
  py.distributions.push_back(dist("nvidia-nccl-cu12", "2.21.5"));         // right
  auto miss = only(s, "framework.wheels-missing");
  ASSERT_EQ(miss.size(), 1u);
  EXPECT_EQ(miss[0].severity, Severity::Error);
  EXPECT_EQ(miss[0].title, "torch 2.5.1+cu124 requires 1 NVIDIA wheel that is not installed");
  EXPECT_EQ(evidence(miss[0], "missing"), "nvidia-cublas-cu12==12.4.5.8");  // not the aarch64-only cufft
  EXPECT_EQ(miss[0].fix, "/home/u/proj/.venv/bin/python -m pip install nvidia-cublas-cu12==12.4.5.8");
  auto wrong = only(s, "framework.wheels-wrong-major");
  ASSERT_EQ(wrong.size(), 1u);
  EXPECT_EQ(wrong[0].title, "torch 2.5.1+cu124 needs nvidia-cudnn-cu12 but nvidia-cudnn-cu13 (another CUDA major) is installed");
  EXPECT_EQ(evidence(wrong[0], "installed"), "nvidia-cudnn-cu13 9.17.1.4");
  EXPECT_EQ(wrong[0].fix, "/home/u/proj/.venv/bin/python -m pip uninstall -y nvidia-cudnn-cu13\n"
                         "/home/u/proj/.venv/bin/python -m pip install nvidia-cudnn-cu12==9.1.0.70");
  // A library major mismatch of the same wheel name (cuDNN 8 where 9 is pinned).
  py.distributions[1] = dist("nvidia-cudnn-cu12", "8.9.2.26");
  auto w2 = only(s, "framework.wheels-wrong-major");
  ASSERT_EQ(w2.size(), 1u);
  EXPECT_TRUE(has(w2[0].title, "version 8.9.2.26 (another major) is installed")) << w2[0].title;
  // Everything installed: quiet.
  py.distributions[1] = dist("nvidia-cudnn-cu12", "9.1.0.70");
  py.distributions.push_back(dist("nvidia-cublas-cu12", "12.4.5.8"));
  EXPECT_TRUE(only(s, "framework.wheels-missing").empty());
  EXPECT_TRUE(only(s, "framework.wheels-wrong-major").empty());
}

TEST(FrameworkChecks, TensorflowWithoutAndCuda) {
  auto s = machine();
  auto& py = s.python.interpreters[0];
  Framework tf;
  tf.name = "tensorflow";
  tf.version = "2.18.0";
  tf.location = kSite + "/tensorflow";
  tf.distribution = "tensorflow";
  tf.cuda_build = true;
  tf.cuda_version = "12.5.1";
  tf.cudnn_version = "9";
  py.frameworks.push_back(tf);
  py.distributions.push_back(dist("tensorflow", "2.18.0", {"nvidia-cublas-cu12==12.5.3.2; extra == \"and-cuda\"",
                                                            "nvidia-cudnn-cu12==9.3.0.75; extra == \"and-cuda\""}));
  auto f = only(s, "framework.wheels-missing");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::Warning);
  EXPECT_EQ(f[0].title, "tensorflow 2.18.0 was installed without its [and-cuda] wheels");
  EXPECT_TRUE(has(f[0].fix, "\"tensorflow[and-cuda]==2.18.0\""));
  py.distributions.push_back(dist("nvidia-cudnn-cu12", "9.3.0.75"));
  EXPECT_TRUE(only(s, "framework.wheels-missing").empty());
}

TEST(FrameworkChecks, ArchNotCoveredFromKnowledge) {
  // A GTX 1080 (Pascal, 6.1) under torch 2.9 cu130: CUDA 13 builds start at Turing.
  auto s = machine("580.95.05", 13000, "NVIDIA GeForce GTX 1080", 6, 1);
  s.pci[0].device_id = "0x1b80";
  s.python.interpreters[0].frameworks.push_back(torch("2.9.1+cu130", "13.0"));
  auto f = only(s, "framework.arch-not-covered");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].title, "torch 2.9.1+cu130 has no GPU code for compute capability 6.1 (sm_61)");
  EXPECT_EQ(evidence(f[0], "build covers"), "7.5 8.0 8.6 9.0 10.0 12.0 12.0+PTX");
  EXPECT_TRUE(has(f[0].cause, "no kernel image is available for execution on the device"));
  EXPECT_TRUE(has(f[0].fix, "\"torch==2.9.*\" --index-url https://download.pytorch.org/whl/cu126")) << f[0].fix;
  // The same torch on an H100: covered.
  auto h = machine();
  h.python.interpreters[0].frameworks.push_back(torch("2.9.1+cu130", "13.0"));
  EXPECT_TRUE(only(h, "framework.arch-not-covered").empty());
  // With the fatbin analysis available, library.no-kernel-for-gpu decides.
  Consumer c;
  c.name = "torch";
  c.kind = "framework";
  c.location = kSite;
  c.kernels.push_back({kSite + "/torch/lib/libtorch_cuda.so", {"sm_75", "sm_90"}, {}, ""});
  s.libraries.consumers.push_back(c);
  EXPECT_TRUE(only(s, "framework.arch-not-covered").empty());
  // A release/variant the knowledge files do not list: unknown, quiet.
  auto u = machine("580.95.05", 13000, "NVIDIA GeForce GTX 1080", 6, 1);
  u.python.interpreters[0].frameworks.push_back(torch("2.10.0+cu130", "13.0"));
  EXPECT_TRUE(only(u, "framework.arch-not-covered").empty());
}

TEST(FrameworkChecks, ArchFromBuildInfoAndPtxUnderMinorCompat) {
  // TensorFlow's build_info list: PTX compute_90 covers a 12.0 GPU only where the driver can JIT it.
  Framework tf;
  tf.name = "tensorflow";
  tf.version = "2.18.0";
  tf.location = kSite + "/tensorflow";
  tf.cuda_build = true;
  tf.cuda_version = "12.5.1";
  tf.arch_list = {"sm_60", "sm_70", "sm_80", "sm_89", "compute_90"};
  auto full = machine("570.133.07", 12080, "NVIDIA GeForce RTX 5090", 12, 0);
  full.python.interpreters[0].frameworks.push_back(tf);
  EXPECT_TRUE(only(full, "framework.arch-not-covered").empty());
  auto compat = machine("550.54.14", 12040, "NVIDIA GeForce RTX 5090", 12, 0);
  compat.python.interpreters[0].frameworks.push_back(tf);
  auto f = only(compat, "framework.arch-not-covered");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_TRUE(has(f[0].cause, "the provided PTX was compiled with an unsupported toolchain")) << f[0].cause;
  EXPECT_EQ(evidence(f[0], "from"), "recorded by the build");
}

TEST(FrameworkChecks, PythonUnsupported) {
  auto s = machine();
  s.python.interpreters[0].frameworks.push_back(torch("2.1.2+cu121", "12.1"));
  auto f = only(s, "framework.python-unsupported");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].title, "torch 2.1.2+cu121 does not support Python 3.12 (torch 2.1 supports 3.8 to 3.11)");
  EXPECT_TRUE(has(f[0].fix, "\"torch==2.13.*\" --index-url https://download.pytorch.org/whl/cu130")) << f[0].fix;
  EXPECT_TRUE(has(f[0].fix, "# or run it with a Python from 3.8 to 3.11"));
  s.python.interpreters[0].version = "3.11.9";
  EXPECT_TRUE(only(s, "framework.python-unsupported").empty());
  // Unknown release: quiet.
  s.python.interpreters[0].version = "3.12.3";
  s.python.interpreters[0].frameworks[0] = torch("3.7.0+cu150", "15.0");
  EXPECT_TRUE(only(s, "framework.python-unsupported").empty());
}

TEST(FrameworkChecks, ToolkitMajorMismatch) {
  auto s = machine();
  s.python.interpreters[0].frameworks.push_back(torch("2.9.1+cu128", "12.8"));
  s.env["CUDA_HOME"] = "/usr/local/cuda";
  s.toolkit.toolkits.push_back({"/usr/local/cuda", "/usr/local/cuda-13.0", "13.0.88", "/usr/local/cuda/version.json",
                                "/usr/local/cuda/bin/nvcc", {"CUDA_HOME", "/usr/local/cuda"}});
  s.toolkit.selected = 0;
  s.toolkit.selected_by = "CUDA_HOME";
  auto f = only(s, "toolkit.cuda-major-mismatch");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::Warning);
  EXPECT_TRUE(has(f[0].cause, "The detected CUDA version (13.0) mismatches the version that was used to compile PyTorch (12.8)"));
  EXPECT_EQ(evidence(f[0], "chosen by"), "CUDA_HOME=/usr/local/cuda");
  EXPECT_TRUE(has(f[0].fix, "sudo apt install cuda-toolkit-12-8")) << f[0].fix;
  // A matching toolkit is installed: point CUDA_HOME at it.
  s.toolkit.toolkits.push_back({"/usr/local/cuda-12.8", "/usr/local/cuda-12.8", "12.8.93", "/usr/local/cuda-12.8/version.json",
                                "/usr/local/cuda-12.8/bin/nvcc", {"/usr/local/cuda-12.8"}});
  f = only(s, "toolkit.cuda-major-mismatch");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_TRUE(f[0].fix.starts_with("export CUDA_HOME=/usr/local/cuda-12.8")) << f[0].fix;
  // Same major (minor differences only warn in torch): quiet.
  s.python.interpreters[0].frameworks[0] = torch("2.11.0+cu130", "13.0");
  EXPECT_TRUE(only(s, "toolkit.cuda-major-mismatch").empty());
}

// ---- the toolkit probe ------------------------------------------------------------------------------------

namespace {

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

Snapshot probe_tree(const std::string& root, Environment env) {
  Snapshot s;
  ProbeContext ctx{Fs(root), std::move(env)};
  probe_toolkit(ctx, s);
  return s;
}

}  // namespace

TEST(ToolkitProbe, ReadsVersionsAndPicksLikeTorch) {
  auto root = fs::path(gpuenv::test::temp_dir("gpuenv-toolkit"));
  write(root / "usr/local/cuda-12.8/version.json", R"({"cuda": {"name": "CUDA SDK", "version": "12.8.1"}})");
  write(root / "usr/local/cuda-12.8/bin/nvcc", "#!/bin/sh\n");
  write(root / "usr/local/cuda-11.2/version.txt", "CUDA Version 11.2.152\n");
  write(root / "usr/local/cuda-11.2/bin/nvcc", "");
  write(root / "opt/cuda13/include/cuda.h", "/* header */\n#define CUDA_VERSION 13000\n");
  write(root / "opt/cuda13/bin/nvcc", "");
  fs::create_symlink("cuda-12.8", root / "usr/local/cuda");

  // Nothing set: the nvcc on PATH, else /usr/local/cuda.
  auto a = probe_tree(root.string(), {{"PATH", "/usr/bin:/bin"}});
  ASSERT_GE(a.toolkit.selected, 0);
  auto& sel = a.toolkit.toolkits[size_t(a.toolkit.selected)];
  EXPECT_EQ(a.toolkit.selected_by, "/usr/local/cuda");
  EXPECT_EQ(sel.version, "12.8.1");
  EXPECT_EQ(sel.realpath, "/usr/local/cuda-12.8");
  EXPECT_EQ(a.toolkit.toolkits.size(), 2u);  // cuda -> cuda-12.8 once, cuda-11.2
  EXPECT_EQ(sel.found_as, (std::vector<std::string>{"/usr/local/cuda", "/usr/local/cuda-12.8"}));

  auto b = probe_tree(root.string(), {{"PATH", "/usr/local/cuda-11.2/bin:/usr/bin"}});
  EXPECT_EQ(b.toolkit.selected_by, "PATH:nvcc");
  EXPECT_EQ(b.toolkit.nvcc_on_path, "/usr/local/cuda-11.2/bin/nvcc");
  EXPECT_EQ(b.toolkit.toolkits[size_t(b.toolkit.selected)].version, "11.2.152");

  auto c = probe_tree(root.string(), {{"PATH", "/usr/local/cuda-11.2/bin"}, {"CUDA_HOME", "/opt/cuda13"}});
  EXPECT_EQ(c.toolkit.selected_by, "CUDA_HOME");
  EXPECT_EQ(c.toolkit.toolkits[size_t(c.toolkit.selected)].version, "13.0");
  EXPECT_EQ(c.toolkit.toolkits[size_t(c.toolkit.selected)].version_file, "/opt/cuda13/include/cuda.h");

  // CUDA_HOME naming nothing decides anyway (torch uses it), and says so.
  auto d = probe_tree(root.string(), {{"PATH", "/usr/bin"}, {"CUDA_HOME", "/no/such"}});
  EXPECT_EQ(d.toolkit.selected, -1);
  ASSERT_EQ(d.toolkit.problems.size(), 1u);
  EXPECT_TRUE(has(d.toolkit.problems[0], "CUDA_HOME=/no/such names no CUDA toolkit"));
  fs::remove_all(root);
}

TEST(ToolkitProbe, MalformedFilesAreProblemsNotCrashes) {
  auto root = fs::path(gpuenv::test::temp_dir("gpuenv-toolkit-bad"));
  write(root / "usr/local/cuda-12.4/version.json", "{\"cuda\": ");  // truncated
  write(root / "usr/local/cuda-12.4/version.txt", "garbage\n");
  write(root / "usr/local/cuda-12.4/bin/nvcc", "");
  write(root / "usr/local/cuda-12.6/version.json", "[1, 2]");
  write(root / "usr/local/cuda-12.6/include/cuda.h", "#define CUDA_VERSION 12060\n");
  auto s = probe_tree(root.string(), {{"PATH", "/usr/bin"}});
  ASSERT_EQ(s.toolkit.toolkits.size(), 2u);
  EXPECT_EQ(s.toolkit.toolkits[0].version, "12.4");  // no readable file: the directory's name
  EXPECT_EQ(s.toolkit.toolkits[0].version_file, "/usr/local/cuda-12.4");
  EXPECT_EQ(s.toolkit.toolkits[1].version, "12.6");  // from cuda.h after the unusable version.json
  EXPECT_EQ(s.toolkit.selected, -1);               // no /usr/local/cuda, no nvcc on PATH
  EXPECT_GE(s.toolkit.problems.size(), 3u);
  fs::remove_all(root);
}

TEST(ToolkitProbe, SlimImageVersionFromNvccItself) {
  // A container with only cuda-nvcc: no version.json/txt, no headers; the directory is not versioned.
  auto root = fs::path(gpuenv::test::temp_dir("gpuenv-toolkit-slim"));
  std::string nvcc(4096, '\0');
  nvcc += "Cuda compilation tools, release 13.0, V13.0.88";
  nvcc += std::string(16, '\0');
  write(root / "opt/cuda/bin/nvcc", nvcc);
  write(root / "opt/plain/bin/nvcc", "#!/bin/sh\necho no version here\n");
  auto s = probe_tree(root.string(), {{"PATH", "/usr/bin"}, {"CUDA_HOME", "/opt/cuda"}});
  ASSERT_GE(s.toolkit.selected, 0);
  auto& t = s.toolkit.toolkits[size_t(s.toolkit.selected)];
  EXPECT_EQ(t.version, "13.0.88");
  EXPECT_EQ(t.version_file, "/opt/cuda/bin/nvcc");
  auto p = probe_tree(root.string(), {{"PATH", "/usr/bin"}, {"CUDA_HOME", "/opt/plain"}});
  ASSERT_GE(p.toolkit.selected, 0);
  EXPECT_EQ(p.toolkit.toolkits[size_t(p.toolkit.selected)].version, "");  // nothing to read: unknown, not guessed
  fs::remove_all(root);
}

TEST(ToolkitProbe, RealCudaIfPresent) {
  if (access("/usr/local/cuda/bin/nvcc", X_OK) != 0) GTEST_SKIP() << "no CUDA toolkit at /usr/local/cuda on this machine";
  auto s = probe_tree("/", {{"PATH", "/usr/bin:/bin"}});
  ASSERT_GE(s.toolkit.selected, 0);
  auto& t = s.toolkit.toolkits[size_t(s.toolkit.selected)];
  EXPECT_FALSE(t.version.empty());
  EXPECT_FALSE(t.nvcc.empty());
}

TEST(FrameworkChecks, WheelsFromTheProbesListTakePinsFromMetadata) {
  auto s = machine();
  auto& py = s.python.interpreters[0];
  auto fw = torch("2.11.0+cu130", "13.0");
  fw.required_wheels = {"nvidia-cudnn-cu13", "nvidia-nccl-cu13==2.28.9; platform_machine == \"aarch64\"",
                        "nvidia-cublas; extra == \"cuda\""};
  py.frameworks.push_back(fw);
  py.distributions.push_back(dist("torch", "2.11.0+cu130", {"nvidia-cudnn-cu13==9.17.1.4; platform_system == \"Linux\""}));
  auto f = only(s, "framework.wheels-missing");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].title, "torch 2.11.0+cu130 requires 2 NVIDIA wheels that are not installed");
  EXPECT_EQ(f[0].evidence[1].value, "nvidia-cudnn-cu13==9.17.1.4");  // pinned from Requires-Dist
  EXPECT_EQ(f[0].evidence[2].value, "nvidia-cublas");                // the probe's list decides extras
  EXPECT_EQ(f[0].severity, Severity::Error);
  // The loader finds every library elsewhere (a system toolkit): still worth fixing, but a warning.
  Consumer c;
  c.name = "torch";
  c.kind = "framework";
  c.location = kSite;
  Resolution r;
  r.name = "libcudnn.so.9";
  r.family = "cudnn";
  r.path = "/usr/lib/x86_64-linux-gnu/libcudnn.so.9";
  c.loads.push_back(r);
  s.libraries.consumers.push_back(c);
  f = only(s, "framework.wheels-missing");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::Warning);
  EXPECT_TRUE(has(f[0].cause, "loads copies from elsewhere"));
}

TEST(FrameworkChecks, MissingWheelIsReportedOnceNotAlsoAsAMissingLibrary) {
  auto s = machine("570.133.07", 12080);
  auto& py = s.python.interpreters[0];
  py.frameworks.push_back(torch("2.5.1+cu124", "12.4"));
  py.distributions.push_back(dist("torch", "2.5.1+cu124", {"nvidia-cudnn-cu12==9.1.0.70; platform_system == \"Linux\""}));
  Consumer c;
  c.name = "torch";
  c.kind = "framework";
  c.location = kSite;
  Resolution r;
  r.name = "libcudnn.so.9";
  r.kind = "needed";
  r.when = "import";
  r.family = "cudnn";
  r.reason = "not found";
  c.loads.push_back(r);
  s.libraries.consumers.push_back(c);
  CheckFilter f;
  f.only = {"library.not-found", "framework.wheels-missing"};
  auto got = run_checks(s, K(), f);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, "framework.wheels-missing");
  EXPECT_EQ(got[0].severity, Severity::Error);
  // With the wheel installed the library is still not found: that is library.not-found's to explain.
  py.distributions.push_back(dist("nvidia-cudnn-cu12", "9.1.0.70"));
  got = run_checks(s, K(), f);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, "library.not-found");
}

TEST(FrameworkChecks, GarbageFieldsGiveNoCrashAndNoAdviceFromNothing) {
  auto s = machine("580.95.05", 13000, "NVIDIA GeForce GTX 1080", 6, 1);
  auto& py = s.python.interpreters[0];
  py.version = "garbage";
  Framework t;
  t.name = "torch";
  t.cuda_build = true;
  t.cuda_version = "abc";
  t.variant = "cu";
  t.arch_list = {"sm_", "compute_x", "9.0+PTX+PTX", ""};
  t.required_wheels = {"", ";", "[x]"};
  py.frameworks.push_back(t);
  Framework tf;
  tf.name = "tensorflow";
  tf.version = "2.18";
  tf.distribution = "+ +";
  py.frameworks.push_back(tf);
  py.distributions.push_back(dist("", "", {"", "nvidia-cudnn-cu12 (>=9)", "nvidia-a-cu12==; extra == 'x'"}));
  s.toolkit.toolkits.push_back({"/x", "/x", "zz", "", "", {}});
  s.toolkit.selected = 5;  // out of range
  s.python.active = 7;     // out of range: every interpreter counts
  CheckFilter f;
  f.only = {"framework.", "toolkit."};
  auto got = run_checks(s, K(), f);
  for (auto& x : got) EXPECT_FALSE(x.title.empty()) << x.id;
  // The CPU TensorFlow is still named; the unparsable torch gets no arch verdict from garbage targets alone
  // (none of them covers 6.1, so it is reported, with the targets as evidence).
  EXPECT_TRUE(std::any_of(got.begin(), got.end(), [](auto& x) { return x.id == "framework.cpu-only-build"; }));
  auto bad = q("torch", "not-a-driver", 0, {"x.y"}, "three");
  auto a = recommend_build(K(), bad);
  EXPECT_FALSE(a.reason.empty());
  EXPECT_FALSE(recommend_build(K(), q("paddle", "580.95.05", 13000, {"9.0"}, "3.12")).found);
}

// ---- /dev/shm -----------------------------------------------------------------------------------------------

TEST(SharedMemory, ProbeReadsTheTmpfsSizeFromMounts) {
  auto root = test::temp_dir("gpuenv-shm");
  std::filesystem::create_directories(root + "/proc/self");
  auto probe = [&](const std::string& mounts) {
    std::ofstream(root + "/proc/self/mounts") << mounts;
    Snapshot s;
    probe_host(ProbeContext{Fs(root), {}}, s);
    return s.host.shm_bytes;
  };
  EXPECT_EQ(probe("overlay / overlay rw 0 0\nshm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=65536k 0 0\n"),
            64ull << 20);
  EXPECT_EQ(probe("tmpfs /dev/shm tmpfs rw,size=8G 0 0\n"), 8ull << 30);
  EXPECT_EQ(probe("tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0\n"), 0u);         // no size: half the RAM, unknown
  EXPECT_EQ(probe("tmpfs /dev/shm tmpfs rw,size=50% 0 0\n"), 0u);             // a share of RAM: unknown
  EXPECT_EQ(probe("tmpfs /dev/shm tmpfs rw,size=64m 0 0\ntmpfs /dev/shm tmpfs rw,size=2g 0 0\n"), 2ull << 30);  // last wins
  EXPECT_EQ(probe("proc /proc proc rw 0 0\n"), 0u);
  std::filesystem::remove_all(root);
}

TEST(SharedMemory, SmallShmWithTorchInAContainer) {
  auto s = machine();
  s.python.interpreters[0].frameworks.push_back(torch("2.11.0+cu130", "13.0"));
  EXPECT_TRUE(only(s, "framework.shm-too-small").empty());  // unknown size: quiet
  s.host.shm_bytes = 64ull << 20;
  s.host.container = "docker";
  auto f = only(s, "framework.shm-too-small");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::Warning);
  EXPECT_EQ(evidence(f[0], "/dev/shm"), "64 MiB (a container's default)");
  EXPECT_NE(f[0].fix.find("--ipc=host or --shm-size=1g"), std::string::npos) << f[0].fix;
  s.host.container = "kubernetes";
  EXPECT_NE(only(s, "framework.shm-too-small")[0].fix.find("emptyDir with medium: Memory"), std::string::npos);
  s.host.container = "";
  EXPECT_NE(only(s, "framework.shm-too-small")[0].fix.find("mount -o remount,size=1G /dev/shm"), std::string::npos);
  s.host.shm_bytes = 8ull << 30;
  EXPECT_TRUE(only(s, "framework.shm-too-small").empty());
  auto no_torch = machine();
  no_torch.host.shm_bytes = 64ull << 20;
  EXPECT_TRUE(only(no_torch, "framework.shm-too-small").empty());
}

// ---- JAX and CuPy Python ranges ------------------------------------------------------------------------------

TEST(FrameworkKnowledge, JaxAndCupyPythonRangesByRelease) {
  auto& k = K().frameworks();
  auto* j = k.python_support_for("jax", "0.4.35");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->python_min, "3.10");
  EXPECT_EQ(j->python_max, "3.13");
  EXPECT_EQ(k.python_support_for("jax", "0.4.33")->python_max, "3.12");  // 3.13 wheels from 0.4.34
  EXPECT_EQ(k.python_support_for("jax", "0.11.2")->python_min, "3.12");
  EXPECT_EQ(k.python_support_for("jax", "0.3.25"), nullptr);            // not recorded: quiet
  EXPECT_EQ(k.python_support_for("cupy", "13.4.1")->python_max, "3.13");
  EXPECT_EQ(k.python_support_for("cupy", "13.3.0")->python_max, "3.12");
  EXPECT_EQ(k.python_support_for("cupy", "14.2.0")->python_min, "3.10");
  for (auto& r : k.python_support) EXPECT_FALSE(r.source.empty()) << r.framework << " " << r.from;
}

TEST(FrameworkChecks, JaxOnAPythonItsReleaseDoesNotSupport) {
  auto s = machine();
  s.python.interpreters[0].version = "3.10.14";
  Framework jax;
  jax.name = "jax";
  jax.version = "0.7.2";
  jax.location = kSite + "/jax";
  jax.distribution = "jax";
  jax.cuda_build = true;
  jax.cuda_version = "13";
  s.python.interpreters[0].frameworks.push_back(jax);
  auto f = only(s, "framework.python-unsupported");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].title.find("jax 0.7.2 does not support Python 3.10 (jax 0.7.1-0.10.2 supports 3.11 to 3.14)"),
            std::string::npos) << f[0].title;
  s.python.interpreters[0].version = "3.12.3";
  EXPECT_TRUE(only(s, "framework.python-unsupported").empty());
}
