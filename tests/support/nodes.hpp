#pragma once
// Generated node documents (doctor --json) for fleet tests and benchmarks: a
// healthy H100 node like the real test machine, with knobs to plant outliers.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "model/json.hpp"
#include "snapshot_builder.hpp"

namespace gpuenv::test {

struct NodeSpec {
  std::string host = "gpu001";
  std::string driver = "580.159.04";
  int cuda_api = 13000;
  int gpus = 8;
  std::string gpu_name = "NVIDIA H100 80GB HBM3";
  int cc_major = 9, cc_minor = 0;
  std::string torch = "2.11.0+cu130";  // "" for no torch
  std::string torch_cuda = "13.0";
  std::vector<std::string> torch_arch = {"sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120", "compute_120"};
  std::string cudnn = "9.19.0";
  bool uvm_missing = false;  // plants a driver.uvm-missing error
  int distributions = 0;     // extra Python distributions (makes the document realistically large)
  int extra_libraries = 0;   // extra library copies
};

inline Snapshot make_node_snapshot(const NodeSpec& n) {
  SnapshotBuilder b;
  b.host("ubuntu").driver(n.driver, n.cuda_api).venv("/opt/venv", "3.12.3", "python3");
  for (int i = 0; i < n.gpus; ++i)
    b.driver_gpu(n.gpu_name, n.cc_major, n.cc_minor, fmt::format("0000:{:02x}:00.0", 0x18 + i),
                 fmt::format("GPU-{}-{:04d}", n.host, i));
  Snapshot& s = b.snapshot();
  s.tool_version = "0.1.0";
  s.created = "2026-11-24T10:00:00Z";
  s.host.hostname = n.host;
  s.host.os_pretty_name = "Ubuntu 24.04.1 LTS";
  s.host.kernel_release = "6.8.0-48-generic";
  s.host.glibc_version = "2.39";
  s.kernel.flavour = "open";
  s.cuda.stage = "done";
  s.cuda.library_path = "/usr/lib/x86_64-linux-gnu/libcuda.so." + n.driver;
  s.nvml.init_result = -1;
  s.nvml.cuda_driver_version = n.cuda_api;
  s.libraries.copies.push_back({"cuda", "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
                                "/usr/lib/x86_64-linux-gnu/libcuda.so." + n.driver, "libcuda.so.1", n.driver,
                                "ld.so.cache", false, 30000000});
  s.libraries.copies.push_back({"nvidia-ml", "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
                                "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so." + n.driver, "libnvidia-ml.so.1",
                                n.driver, "ld.so.cache", false, 2000000});
  if (!n.cudnn.empty())
    s.libraries.copies.push_back({"cudnn", "/opt/venv/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn.so.9",
                                  "/opt/venv/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn.so.9", "libcudnn.so.9",
                                  n.cudnn, "python-wheel", false, 100000});
  for (int i = 0; i < n.extra_libraries; ++i)
    s.libraries.copies.push_back({fmt::format("extra{}", i), fmt::format("/usr/lib/x86_64-linux-gnu/libextra{}.so.1", i),
                                  fmt::format("/usr/lib/x86_64-linux-gnu/libextra{}.so.1.2.3", i),
                                  fmt::format("libextra{}.so.1", i), "1.2.3", "ld.so.cache", false, 123456});
  auto& py = s.python.interpreters[0];
  py.base_prefix = "/usr";
  py.sys_path.push_back({"/usr/lib/python3.12", "stdlib", "", true});
  py.sys_path.push_back({"/opt/venv/lib/python3.12/site-packages", "site-packages", "", true});
  for (int i = 0; i < n.distributions; ++i)
    py.distributions.push_back({fmt::format("package-{}", i), fmt::format("1.{}.0", i),
                                "/opt/venv/lib/python3.12/site-packages",
                                fmt::format("/opt/venv/lib/python3.12/site-packages/package_{}-1.{}.0.dist-info", i, i),
                                {"numpy>=1.26", "typing-extensions>=4.8; python_version < \"3.13\"", "filelock"},
                                "uv"});
  if (!n.torch.empty()) {
    auto t = framework("torch", n.torch, n.torch_cuda, "/opt/venv/lib/python3.12/site-packages/torch");
    t.cudnn_version = "9.19.0";
    t.variant = n.torch_cuda.empty() ? "cpu" : "cu130";
    t.required_wheels = {"nvidia-cudnn-cu13", "nvidia-cublas"};
    t.arch_list = n.torch_arch;
    py.frameworks.push_back(t);
  }
  return s;
}

inline std::vector<Finding> make_node_findings(const NodeSpec& n) {
  std::vector<Finding> out;
  if (n.uvm_missing) {
    Finding f;
    f.id = "driver.uvm-missing";
    f.severity = Severity::Error;
    f.title = "/dev/nvidia-uvm is missing: CUDA cannot start";
    f.add("device node", "/dev/nvidia-uvm (missing)");
    f.cause = "The nvidia-uvm kernel module is not loaded.";
    f.fix = "sudo modprobe nvidia-uvm";
    out.push_back(f);
  }
  return out;
}

inline std::string make_node_json(const NodeSpec& n) {
  return doctor_to_json(make_node_snapshot(n), make_node_findings(n)).dump(2) + "\n";
}

}  // namespace gpuenv::test
