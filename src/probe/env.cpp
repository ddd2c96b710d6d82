// The environment variables that matter for GPU stacks; only these are
// recorded, so a report can be pasted into a public bug tracker.
#include <unistd.h>

#include <array>
#include <string_view>

#include "probe/probes.hpp"

namespace gpuenv {

bool env_var_recorded(const std::string& name) {
  // Never a credential, whatever its prefix: deny by default any name (in any case) that suggests one.
  std::string upper(name);
  for (auto& c : upper) c = (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c;
  for (std::string_view bad : {"KEY", "TOKEN", "SECRET", "PASS", "CREDENTIAL", "AUTH", "PRIVATE", "CERT",
                               "COOKIE", "SESSION", "LOGIN", "BEARER"})
    if (upper.find(bad) != std::string::npos) return false;
  // TensorFlow's variables only (TF_ alone would take Terraform's TF_VAR_* and TF_TOKEN_*).
  static constexpr std::array<std::string_view, 20> prefixes = {
      "CUDA_", "NVIDIA_", "PYTHON", "CUDNN_", "NCCL_", "XLA_", "JAX_", "CUPY_", "TORCH_", "PYTORCH_", "GPUENV_",
      "TF_CPP_", "TF_FORCE_", "TF_GPU_", "TF_ENABLE_", "TF_XLA_", "TF_USE_", "TF_CUDNN_", "TF_DETERMINISTIC_",
      "__NV_"};
  static constexpr std::array<std::string_view, 20> exact = {
      "LD_LIBRARY_PATH", "LD_PRELOAD", "PATH", "LIBRARY_PATH", "VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV",
      "PYENV_VERSION", "IN_NIX_SHELL", "NIX_PROFILES", "NIX_LD_LIBRARY_PATH", "NIX_LD", "WSL_DISTRO_NAME",
      "KUBERNETES_SERVICE_HOST", "SLURM_JOB_ID", "SLURM_STEP_GPUS", "SLURM_JOB_GPUS", "GPU_DEVICE_ORDINAL",
      "ROCR_VISIBLE_DEVICES", "container"};
  for (auto p : prefixes)
    if (std::string_view(name).starts_with(p)) return true;
  for (auto e : exact)
    if (name == e) return true;
  return false;
}

void probe_env(const ProbeContext& ctx, Snapshot& s) {
  for (auto& [k, v] : ctx.env)
    if (env_var_recorded(k)) s.env[k] = v;
}

}  // namespace gpuenv
