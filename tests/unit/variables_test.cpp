// The variable grammar (checks/variable_grammar.hpp, knowledge/variables.toml) and the env.* / nccl.* checks on
// hand-built snapshots: what no snapshot under tests/snapshots covers.
#include <gtest/gtest.h>

#include "checks/check.hpp"
#include "checks/variable_grammar.hpp"
#include "knowledge/variables.hpp"
#include "probe/probes.hpp"
#include "snapshot_builder.hpp"

using namespace gpuenv;
using Status = VariableVerdict::Status;

namespace {

const VariableFacts& facts() { return Knowledge::get().variables(); }

VariableVerdict judge(const std::string& name, const std::string& value) {
  auto* r = facts().rule(name);
  EXPECT_TRUE(r) << name;
  return r ? judge_variable(*r, facts(), value) : VariableVerdict{};
}

Snapshot healthy() {
  test::SnapshotBuilder b;
  b.driver("580.159.04", 13000).device_nodes().gpu();
  b.snapshot().kernel.flavour = "open";
  return b;
}

// An interpreter on PATH with the named CUDA frameworks.
void with_frameworks(Snapshot& s, const std::vector<std::string>& names) {
  Interpreter py;
  py.path = "/v/bin/python";
  py.prefix = "/v";
  py.kind = "venv";
  py.found_as = {"PATH:python", "PATH:python3"};
  for (auto& n : names) {
    Framework f;
    f.name = n;
    f.version = "1.0";
    f.location = "/v/lib/python3.12/site-packages/" + n;
    f.cuda_build = true;
    f.cuda_version = "13.0";
    py.frameworks.push_back(f);
  }
  s.python.interpreters.push_back(py);
  s.python.active = 0;
}

std::vector<Finding> run(const Snapshot& s, const std::string& only) {
  return run_checks(s, Knowledge::get(), CheckFilter{{only}, {}});
}

}  // namespace

TEST(VariableFacts, EveryRowHasASourceAndIsRecordedByTheEnvProbe) {
  ASSERT_GE(facts().variables.size(), 15u);
  for (auto& r : facts().variables) {
    EXPECT_TRUE(r.source.starts_with("https://")) << r.name;
    EXPECT_TRUE(env_var_recorded(r.name)) << r.name << " is checked but the env probe does not record it";
    if (!r.conflicts_with.empty()) {
      EXPECT_TRUE(env_var_recorded(r.conflicts_with));
    }
  }
  for (auto& k : facts().torch_alloc_keys) EXPECT_TRUE(k.source.starts_with("https://")) << k.name;
}

TEST(VariableGrammar, TorchAllocConfAsPyTorchTokenisesIt) {
  auto& f = facts();
  EXPECT_EQ(judge_torch_alloc_conf(f, "expandable_segments:True").status, Status::Ok);
  EXPECT_EQ(judge_torch_alloc_conf(f, " expandable_segments : True , max_split_size_mb:512 ").status, Status::Ok);
  EXPECT_EQ(judge_torch_alloc_conf(f, "roundup_power2_divisions:[256:1,512:2,>:4]").status, Status::Ok);
  EXPECT_EQ(judge_torch_alloc_conf(f, "roundup_power2_divisions:4,backend:native").status, Status::Ok);
  EXPECT_EQ(judge_torch_alloc_conf(f, "").status, Status::Ok);
  auto v = judge_torch_alloc_conf(f, "expandable_segments:true");
  EXPECT_EQ(v.status, Status::Rejected);
  EXPECT_EQ(v.message, "Expected 'True' or 'False' at index 2 in ConfigTokenizer but got 'true'");
  v = judge_torch_alloc_conf(f, "max_split_size_mb=128");
  EXPECT_EQ(v.message, "Unrecognized key 'max_split_size_mb=128' in CUDA allocator config.");
  EXPECT_NE(v.problem.find("key:value"), std::string::npos);
  v = judge_torch_alloc_conf(f, "max_split_size_mb:10");
  EXPECT_EQ(v.message, "CachingAllocator option max_split_size_mb too small, must be >= 20");
  EXPECT_EQ(judge_torch_alloc_conf(f, "garbage_collection_threshold:1.0").message,
            "garbage_collect_threshold is invalid, set it in (0.0, 1.0)");
  EXPECT_EQ(judge_torch_alloc_conf(f, "backend:cudaMallocAsyncc").message,
            "Unknown allocator backend, options are native and cudaMallocAsync");
  EXPECT_EQ(judge_torch_alloc_conf(f, "roundup_power2_divisions:[256:3]").status, Status::Rejected);
  EXPECT_EQ(judge_torch_alloc_conf(f, "roundup_power2_divisions:[256:1").status, Status::Rejected);
  EXPECT_EQ(judge_torch_alloc_conf(f, "expandable_segments").status, Status::Rejected);
  EXPECT_EQ(judge_torch_alloc_conf(f, "pinned_num_register_threads:256").status, Status::Rejected);
  EXPECT_EQ(judge_torch_alloc_conf(f, "expandable_segments_reserve:nonsense").status, Status::Ok);  // only warned
}

TEST(VariableGrammar, ChoicesListsNumbersAndCpu) {
  EXPECT_EQ(judge("XLA_PYTHON_CLIENT_ALLOCATOR", "PLATFORM").status, Status::Ok);  // JAX lowercases it
  auto v = judge("XLA_PYTHON_CLIENT_ALLOCATOR", "cuda_malloc_async");
  EXPECT_EQ(v.status, Status::Rejected);
  EXPECT_NE(v.message.find("got \"cuda_malloc_async\""), std::string::npos);
  EXPECT_EQ(judge("CUPY_ACCELERATORS", "cub,cutensor").status, Status::Ok);
  v = judge("CUPY_ACCELERATORS", "cub, cutensor");
  EXPECT_EQ(v.status, Status::Rejected);
  EXPECT_EQ(v.message, "Unknown accelerator:  cutensor");
  EXPECT_EQ(judge("JAX_PLATFORMS", "cpu").status, Status::Cpu);
  EXPECT_EQ(judge("JAX_PLATFORMS", "cuda,cpu").status, Status::Ok);
  EXPECT_EQ(judge("JAX_PLATFORMS", "cuda,metal2").status, Status::Rejected);
  EXPECT_EQ(judge("JAX_PLATFORM_NAME", "cpu").status, Status::Cpu);
  EXPECT_EQ(judge("XLA_PYTHON_CLIENT_MEM_FRACTION", ".5").status, Status::Ok);
  EXPECT_EQ(judge("XLA_PYTHON_CLIENT_MEM_FRACTION", "50%").status, Status::Rejected);
  EXPECT_EQ(judge("XLA_PYTHON_CLIENT_MEM_FRACTION", "1.5").status, Status::Undocumented);
  EXPECT_EQ(judge("XLA_PYTHON_CLIENT_PREALLOCATE", "false").status, Status::Ok);
  EXPECT_EQ(judge("XLA_PYTHON_CLIENT_PREALLOCATE", "no").status, Status::MeansOn);
  EXPECT_EQ(judge("CUPY_GPU_MEMORY_LIMIT", "80%").status, Status::Ok);
  EXPECT_EQ(judge("CUPY_GPU_MEMORY_LIMIT", "48GB").status, Status::Rejected);
  EXPECT_EQ(judge("TF_FORCE_GPU_ALLOW_GROWTH", "True").status, Status::Ignored);
  EXPECT_EQ(judge("CUDA_DEVICE_ORDER", "PCI").status, Status::Undocumented);
  EXPECT_EQ(judge("NVIDIA_VISIBLE_DEVICES", "void").status, Status::Cpu);
  EXPECT_EQ(judge("NVIDIA_VISIBLE_DEVICES", "0,GPU-429e").status, Status::Ok);
  EXPECT_EQ(judge("NVIDIA_VISIBLE_DEVICES", "gpu0").status, Status::Undocumented);
}

TEST(VariableGrammar, NcclInterfaces) {
  std::vector<std::string> ifs{"docker0", "eno1", "ib0", "lo"};
  EXPECT_EQ(nccl_selected_interfaces("eno", ifs), (std::vector<std::string>{"eno1"}));
  EXPECT_EQ(nccl_selected_interfaces("^docker,lo", ifs), (std::vector<std::string>{"eno1", "ib0"}));
  EXPECT_EQ(nccl_selected_interfaces("=ib", ifs), (std::vector<std::string>{}));
  EXPECT_EQ(nccl_selected_interfaces("=ib0,eth", ifs), (std::vector<std::string>{"ib0"}));
  EXPECT_TRUE(nccl_selected_interfaces("eth0", ifs).empty());
}

TEST(VariableChecks, RejectedIsAnErrorOnlyWhereTheFrameworkIsInstalled) {
  auto s = healthy();
  s.env["XLA_PYTHON_CLIENT_ALLOCATOR"] = "cuda_malloc_async";
  auto f = run(s, "env.variable-invalid");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::Warning);  // no jax here
  with_frameworks(s, {"jax"});
  f = run(s, "env.variable-invalid");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::Error);
  EXPECT_NE(f[0].cause.find("must be one of \"default\""), std::string::npos) << f[0].cause;
  // Both fraction variables: JAX refuses the pair.
  s.env.erase("XLA_PYTHON_CLIENT_ALLOCATOR");
  s.env["XLA_PYTHON_CLIENT_MEM_FRACTION"] = ".5";
  s.env["XLA_CLIENT_MEM_FRACTION"] = ".6";
  f = run(s, "env.variable-invalid");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].cause.find("Remove the latter one, it is deprecated."), std::string::npos);
  EXPECT_EQ(f[0].fix.rfind("unset XLA_PYTHON_CLIENT_MEM_FRACTION", 0), 0u) << f[0].fix;
}

TEST(VariableChecks, CorrectedValueInTheFix) {
  auto s = healthy();
  with_frameworks(s, {"cupy"});
  s.env["CUPY_ACCELERATORS"] = "cub, cutensor";
  auto f = run(s, "env.variable-invalid");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].fix.rfind("export CUPY_ACCELERATORS=cub,cutensor", 0), 0u) << f[0].fix;
}

TEST(VariableChecks, NvidiaVisibleDevicesVoidOnlyInAContainer) {
  auto s = healthy();
  s.env["NVIDIA_VISIBLE_DEVICES"] = "void";
  EXPECT_TRUE(run(s, "env.variable-hides-gpu").empty());  // the host: the runtime never reads it here
  s.host.container = "docker";
  auto f = run(s, "env.variable-hides-gpu");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].title.find("this container was started without a GPU"), std::string::npos);
  EXPECT_NE(f[0].fix.find("--gpus all"), std::string::npos);
}

TEST(VariableChecks, JaxPlatformsCpuQuietWithoutJax) {
  auto s = healthy();
  s.env["JAX_PLATFORMS"] = "cpu";
  EXPECT_TRUE(run(s, "env.*").empty());
}

TEST(VariableChecks, NcclTransportsTurnedOff) {
  auto s = healthy();
  s.env["NCCL_P2P_DISABLE"] = "1";
  s.env["NCCL_IB_DISABLE"] = "1";
  EXPECT_TRUE(run(s, "nccl.*").empty());  // one GPU, no InfiniBand: nothing is turned off
  GpuLink l;
  l.a = 0;
  l.b = 1;
  l.p2p_read = 0;
  l.nvlinks = 18;
  s.nvml.links.push_back(l);
  s.host.ib_devices = {"mlx5_0", "mlx5_1"};
  auto f = run(s, "nccl.transport-disabled");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_NE(f[0].title.find("NCCL_P2P_DISABLE=1"), std::string::npos);
  EXPECT_EQ(f[0].evidence[1].value, "GPU 0 - GPU 1 (18 NVLink)");
  EXPECT_NE(f[1].title.find("mlx5_0, mlx5_1"), std::string::npos);
  s.env["NCCL_P2P_DISABLE"] = "0";
  EXPECT_EQ(run(s, "nccl.transport-disabled").size(), 1u);
}

TEST(VariableChecks, SocketIfnameUnknownInterfacesStayQuiet) {
  auto s = healthy();
  s.env["NCCL_SOCKET_IFNAME"] = "ib0";
  EXPECT_TRUE(run(s, "nccl.*").empty());  // an older snapshot: no interface list
  s.host.net_interfaces = {"eth0", "ib0", "lo"};
  EXPECT_TRUE(run(s, "nccl.*").empty());
  s.host.net_interfaces = {"eth0", "lo"};
  EXPECT_EQ(run(s, "nccl.socket-ifname-missing").size(), 1u);
}
