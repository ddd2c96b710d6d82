// One message per entry of messages.toml added with the explain corpus (issue 15), as the programs
// print it (the entry's source says where from). The corpus (tests/explain-corpus) has the real,
// messier reports; these pin down each entry's pattern, captures and severity.
#include <gtest/gtest.h>

#include <set>

#include "checks/explain.hpp"
#include "explain_corpus.hpp"
#include "knowledge/messages.hpp"

using namespace gpuenv;

namespace gpuenv::testing {

const std::vector<std::pair<std::string, std::string>>& explain_message_samples() {
  static const std::vector<std::pair<std::string, std::string>> samples = {
      // evidence elsewhere in the log
      {"File \"/nix/store/abc-python3-env/lib/python3.12/site-packages/x.py\"\nOSError: libcuda.so.1: cannot open shared object file: No such file or directory", "explain.nix-libcuda-missing"},
      {"$ which nvidia-smi\n/nix/var/nix/profiles/default/bin/nvidia-smi\nFailed to initialize NVML: Driver/library version mismatch", "explain.nix-driver-mismatch"},
      {"ImportError: libnvrtc-builtins.so.12.4: cannot open shared object file: No such file or directory\n/nix/store/xyz-torch-2.5/lib/libtorch_cuda.so", "explain.nix-runpath"},
      {"ImportError: /nix/store/q-python3-env/lib/python3.11/site-packages/torch/lib/libtorch.so: undefined symbol: nvrtcGetProgramLogSize", "explain.nix-undefined-symbol"},
      {"  File \"/usr/local/lib64/python3.12/site-packages/torch/__init__.py\", line 290\nImportError: libcublas.so.12: cannot open shared object file: No such file or directory", "explain.nvidia-wheel-lib64-split"},
      {"ImportError: libcudnn.so.8: cannot open shared object file: No such file or directory\n$ ls /opt/cudnn/lib/libcudnn.so.8\n/opt/cudnn/lib/libcudnn.so.8", "explain.shared-object-unreachable"},
      {"Server: Docker Desktop 4.30.0\nnvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: cannot open shared object file: no such file or directory: unknown", "explain.container-nvml-load-failed-desktop"},
      {"/snap/bin/docker run --gpus all ubuntu\nnvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: cannot open shared object file: no such file or directory: unknown", "explain.container-nvml-load-failed-snap"},
      {"nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: cannot open shared object file: no such file or directory: unknown", "explain.container-nvml-load-failed"},
      {"[E:onnxruntime:Default, provider_bridge_ort.cc:1480 TryGetProviderInfo_CUDA] Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.11: cannot open shared object file: No such file or directory", "explain.onnxruntime-cuda-provider"},
      {"ImportError: libtorch_cuda_cpp.so: cannot open shared object file: No such file or directory", "explain.torch-split-library-missing"},
      // NCCL
      {"node1:99:120 [0] misc/shmutils.cc:132 NCCL WARN Error while creating shared memory segment /dev/shm/nccl-Ab12 (size 9637888)", "explain.nccl-shm-segment"},
      {"node1:99:120 [1] include/shm.h:28 NCCL WARN Call to posix_fallocate failed : No space left on device", "explain.nccl-shm-fallocate"},
      {"node1:99:99 [0] NCCL WARN Bootstrap : no socket interface found", "explain.nccl-no-socket-interface"},
      {"node1:99:110 [0] misc/socket.cc:480 NCCL WARN Call to connect failed : Connection refused", "explain.nccl-socket-connect"},
      {"torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1970, unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version 2.20.5", "explain.nccl-system-error"},
      {"node1:99:99 [0] NCCL INFO NCCL_P2P_DISABLE set by environment to 1.", "explain.nccl-env-preset"},
      {"node1:99:120 [0] NCCL WARN Cuda failure 'peer access is not supported between these two devices'", "explain.nccl-p2p-unsupported"},
      {"[rank1]:[E ProcessGroupNCCL.cpp:563] [Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=12, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600012 milliseconds before timing out.", "explain.nccl-watchdog-timeout"},
      {"node1:99:99 [0] NCCL INFO NET/Plugin : Plugin load (libnccl-net.so) returned 2 : libnccl-net.so: cannot open shared object file: No such file or directory", "explain.nccl-net-plugin-missing"},
      // containers
      {"docker: Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]].", "explain.docker-no-gpu-runtime"},
      {"docker: Error response from daemon: unknown or invalid runtime name: nvidia.", "explain.docker-unknown-nvidia-runtime"},
      {"nvidia-container-cli: requirement error: unsatisfied condition: cuda>=12.8, please update your driver to a newer version, or use an earlier cuda container: unknown.", "explain.container-cuda-requirement"},
      {"root@1b2c:/# nvidia-smi\nFailed to initialize NVML: Unknown Error", "explain.container-nvml-unknown"},
      {"nvidia-container-cli: device error: 3: unknown device: unknown.", "explain.container-unknown-device"},
      {"Error: setting up CDI devices: unresolvable CDI devices nvidia.com/gpu=all", "explain.cdi-device-unresolvable"},
      {"Warning  FailedScheduling  default-scheduler  0/3 nodes are available: 3 Insufficient nvidia.com/gpu.", "explain.k8s-insufficient-gpu"},
      // two copies of a library
      {"OSError: /venv/lib/python3.11/site-packages/nvidia/cusparse/lib/libcusparse.so.12: undefined symbol: __nvJitLinkComplete_12_4, version libnvJitLink.so.12", "explain.undefined-versioned-symbol"},
      {"OSError: /venv/lib/python3.10/site-packages/nvidia/cublas/lib/libcublas.so.12: symbol cublasLtGetVersion version libcublasLt.so.12 not defined in file libcublasLt.so.12 with link time reference", "explain.symbol-version-not-defined"},
      {"/usr/bin/ld: /usr/local/cuda-12.4/lib64/libcusparse.so: undefined reference to `__nvJitLinkAddData_12_4@libnvJitLink.so.12'", "explain.link-undefined-versioned-reference"},
      {"ImportError: /venv/lib/python3.10/site-packages/flash_attn_2_cuda.cpython-310-x86_64-linux-gnu.so: undefined symbol: _ZN3c104cuda9SetDeviceEi", "explain.torch-extension-abi"},
      {"ImportError: /venv/lib/python3.12/site-packages/torch/lib/libtorch_cuda.so: undefined symbol: ncclCommWindowRegister", "explain.torch-nccl-symbol"},
      {"deepspeed.ops.op_builder.builder.MissingCUDAException: CUDA_HOME does not exist, unable to compile CUDA op(s)", "explain.cuda-home-unset"},
      // building extensions
      {"OSError: CUDA_HOME environment variable is not set. Please set it to your CUDA install root.", "explain.cuda-home-unset"},
      {"nvcc fatal   : Unsupported gpu architecture 'compute_89'", "explain.nvcc-unsupported-arch"},
      {"ptxas fatal   : Value 'sm_90a' is not defined for option 'gpu-name'", "explain.ptxas-unsupported-arch"},
      {"/usr/local/cuda-11.8/include/crt/host_config.h:132:2: error: #error -- unsupported GNU version! gcc versions later than 11 are not supported! The nvcc flag '-allow-unsupported-compiler' can be used to override this version check", "explain.unsupported-gnu-version"},
      {"csrc/ops.cu:1:10: fatal error: cuda_runtime.h: No such file or directory", "explain.cuda-header-missing"},
      {"/usr/bin/ld: cannot find -lcuda: No such file or directory", "explain.link-cannot-find-lcuda"},
      {"/usr/bin/ld: cannot find -lcudart: No such file or directory", "explain.link-cannot-find-cuda-lib"},
      {"CMake Error at CMakeLists.txt:3 (project):\n  No CMAKE_CUDA_COMPILER could be found.", "explain.cmake-no-cuda-compiler"},
      {"ValueError: Unknown CUDA arch (12.0a) or GPU not supported", "explain.torch-unknown-cuda-arch"},
      {"/bin/sh: 1: nvcc: not found", "explain.nvcc-not-found"},
      // JAX
      {"RuntimeError: Unable to initialize backend 'cuda': INVALID_ARGUMENT: Mismatched PJRT plugin PJRT API version (0.54) and framework PJRT API version 0.51).", "explain.jax-pjrt-mismatch"},
      {"RuntimeError: jaxlib is version 0.4.7, but this version of jax requires version >= 0.4.14.", "explain.jaxlib-too-old"},
      {"RuntimeError: jaxlib version 0.4.30 is newer than and incompatible with jax version 0.4.23. Please update your jax and/or jaxlib packages.", "explain.jaxlib-too-new"},
      {"Unable to initialize backend 'cuda': module 'jaxlib.xla_extension' has no attribute 'GpuAllocatorConfig'", "explain.jax-jaxlib-skew"},
      {"Unable to initialize backend 'cuda': Found cuSPARSE version 12100, but JAX was built against version 12200, which is newer.", "explain.jax-library-older-than-build"},
      {"RuntimeError: Unable to load cuSPARSE. Is it installed?", "explain.jax-library-not-found"},
      {"CUDA backend failed to initialize: jaxlib/cuda/versions_helpers.cc:98: operation cuInit(0) failed: CUDA_ERROR_NOT_INITIALIZED (Set TF_CPP_MIN_LOG_LEVEL=0 and rerun for more info.)", "explain.jax-backend-failed-legacy"},
      {"W external/xla/xla/service/gpu/nvptx_compiler.cc:718] The NVIDIA driver's CUDA version is 12.2 which is older than the ptxas CUDA version (12.4.131). Because the driver is older than the ptxas version, XLA is disabling parallel compilation, which may slow down compilation.", "explain.jax-ptxas-newer-than-driver"},
      {"I0105 14:05:05.750318 xla_bridge.py:660] Unable to initialize backend 'rocm': NOT_FOUND: Could not find registered platform with name: \"rocm\".", "explain.jax-backend-probe-noise"},
      // other frameworks
      {"RuntimeError: Failed to auto-detect CUDA root directory. Please specify `CUDA_PATH` environment variable if you are using CUDA versions not yet supported by CuPy.", "explain.cupy-cuda-root"},
      {"numba.cuda.cudadrv.error.CudaSupportError: Error at driver init: \nCUDA driver library cannot be found.", "explain.numba-no-driver"},
      {"numba.cuda.cudadrv.error.NvvmSupportError: libNVVM cannot be found. Do `conda install cudatoolkit`:", "explain.numba-nvvm-missing"},
      {"RuntimeError: CUDA Setup failed despite GPU being available. Please run the following command to get more information:", "explain.bnb-cuda-setup-failed"},
      {"UserWarning: The installed version of bitsandbytes was compiled without GPU support. 8-bit optimizers, 8-bit multiplication, and GPU quantization are unavailable.", "explain.bnb-no-gpu-support"},
      {"UserWarning: Specified provider 'CUDAExecutionProvider' is not in available provider names.Available providers: 'AzureExecutionProvider, CPUExecutionProvider'", "explain.onnxruntime-no-cuda-provider"},
      {"WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:\n    PyTorch 2.3.0+cu121 with CUDA 1201 (you have 2.4.0+cu121)", "explain.xformers-torch-mismatch"},
      {"RuntimeError: operator torchvision::nms does not exist", "explain.torchvision-torch-mismatch"},
      {"RuntimeError: Detected that PyTorch and torchvision were compiled with different CUDA major versions. PyTorch has CUDA Version=11.8 and torchvision has CUDA Version=12.1. Please reinstall the torchvision that matches your PyTorch install.", "explain.torch-torchvision-cuda-major"},
      {"W tensorflow/core/framework/op_kernel.cc:1830] OP_REQUIRES failed at xla_ops.cc:362 : INTERNAL: libdevice not found at ./libdevice.10.bc", "explain.xla-libdevice-not-found"},
      {"I tensorflow/stream_executor/dso_loader.cc:119] Couldn't open CUDA library libcudnn.so. LD_LIBRARY_PATH: /usr/local/cuda/lib64", "explain.tf-couldnt-open-cuda-library"},
      {"E tensorflow/stream_executor/cuda/cuda_driver.cc:326] failed call to cuInit: UNKNOWN ERROR (303)", "explain.tf-cuinit-303"},
      {"The TensorFlow library was compiled to use AVX instructions, but these aren't available on your machine.", "explain.tf-avx-missing"},
      {"[h264_nvenc @ 0x55d0] Cannot load libcuda.so.1", "explain.ffmpeg-libcuda"},
      // devices, driver, kernel module
      {"RuntimeError: CUDA error: invalid device ordinal", "explain.invalid-device-ordinal"},
      {"NVRM: API mismatch: the client has the version 550.90.07, but\nNVRM: this kernel module has the version 550.54.15.  Please\nNVRM: make sure that this kernel module and all NVIDIA driver", "explain.nvrm-api-mismatch"},
      {"modprobe: ERROR: could not insert 'nvidia': Key was rejected by service", "explain.module-key-rejected"},
      {"ERROR: Unable to load the kernel module 'nvidia.ko'.  This happens most frequently when this kernel module was built against the wrong or improperly configured kernel sources", "explain.nvidia-installer-module-load"},
      {"modprobe: FATAL: Module nvidia not found in directory /lib/modules/6.8.0-45-generic", "explain.modprobe-module-not-found"},
      {"ERROR: The Nouveau kernel driver is currently in use by your system.  This driver is incompatible with the NVIDIA driver", "explain.nouveau-in-use"},
      {"$ nvidia-smi\nNo devices were found", "explain.nvidia-smi-no-devices"},
      {"NVRM: GPU at PCI:0000:41:00: GPU-1a2b3c4d\nNVRM: GPU 0000:41:00.0: GPU has fallen off the bus.", "explain.gpu-fallen-off-bus"},
      {"pynvml.NVMLError_LibraryNotFound: NVML Shared Library Not Found", "explain.nvml-library-not-found"},
      {"pynvml.NVMLError_DriverNotLoaded: Driver Not Loaded", "explain.nvml-driver-not-loaded"},
      {"bash: nvidia-smi: command not found", "explain.nvidia-smi-not-found"},
      {"RuntimeError: DataLoader worker (pid 4321) is killed by signal: Bus error. It is possible that dataloader's workers are out of shared memory.", "explain.dataloader-bus-error"},
      {"numba: Mapped libcuda.so paths: /usr/local/cuda-12.4/targets/x86_64-linux/lib/stubs/libcuda.so", "explain.stub-libcuda-path"},
      // CUDA error names
      {"cuInit failed: CUDA_ERROR_INSUFFICIENT_DRIVER", "explain.cuda-error-insufficient-driver"},
      {"cupy_backends.cuda.api.runtime.CUDARuntimeError: cudaErrorSystemDriverMismatch: system has unsupported display driver / cuda driver combination", "explain.cuda-driver-mismatch-803"},
      {"CUDA_ERROR_SYSTEM_DRIVER_MISMATCH (803)", "explain.cuda-error-system-driver-mismatch"},
      {"cuInit: CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE", "explain.cuda-error-compat-not-supported"},
      {"jaxlib/cuda/versions_helpers.cc:135: operation cuInit(0) failed: CUDA_ERROR_SYSTEM_NOT_READY", "explain.cuda-error-system-not-ready"},
      {"XlaRuntimeError: INTERNAL: Failed to load PTX text as a module: CUDA_ERROR_UNSUPPORTED_PTX_VERSION", "explain.cuda-error-unsupported-ptx"},
      {"cuModuleLoadData failed: CUDA_ERROR_NO_BINARY_FOR_GPU", "explain.cuda-error-no-binary-for-gpu"},
      {"cudaSetDevice failed: CUDA_ERROR_INVALID_DEVICE", "explain.cuda-error-invalid-device"},
      {"cuCtxCreate: CUDA_ERROR_DEVICES_UNAVAILABLE", "explain.cuda-error-devices-unavailable"},
      {"RuntimeError: CUDA error: the launch timed out and was terminated", "explain.cuda-launch-timeout"},
      {"UserWarning: CUDA initialization: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling NumCudaDevices() that might have already set an error? Error 304: OS call failed or operation not supported on this OS", "explain.cuda-device-count-error"},
      {"UserWarning: \n    Found GPU0 Tesla K80 which is of cuda capability 3.7.\n    PyTorch no longer supports this GPU because it is too old.", "explain.torch-gpu-too-old"},
      {"RuntimeError: Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. If you are running on a CPU-only machine, please use torch.load with map_location=torch.device('cpu')", "explain.torch-deserialize-no-cuda"},
      {"No CUDA runtime is found, using CUDA_HOME='/usr/local/cuda'", "explain.torch-no-cuda-runtime"},
      {"RuntimeError: cuDNN error: CUDNN_STATUS_NOT_INITIALIZED", "explain.cudnn-not-initialized"},
      {"RuntimeError: CUDA error: CUBLAS_STATUS_NOT_INITIALIZED when calling `cublasCreate(handle)`", "explain.cublas-not-initialized"},
      {"E tensorflow/stream_executor/cuda/cuda_dnn.cc:329] Could not create cudnn handle: CUDNN_STATUS_INTERNAL_ERROR", "explain.tf-cudnn-handle"},
      {"W tensorflow/core/common_runtime/gpu/gpu_device.cc:1850] Skipping registering GPU devices...", "explain.tf-skipping-gpu"},
      {"W tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38] TF-TRT Warning: Could not find TensorRT", "explain.tf-tensorrt-missing"},
      {"I tensorflow/core/util/port.cc:113] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders.", "explain.tf-onednn-notice"},
      // not setup problems
      {"RuntimeError: CUDA error: out of memory", "explain.cuda-error-out-of-memory"},
      {"tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating tensor with shape[64,512,512] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc", "explain.tf-resource-exhausted"},
      {"jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 4770354232 bytes.", "explain.xla-resource-exhausted"},
      {"RuntimeError: CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`", "explain.cublas-alloc-failed"},
      {"RuntimeError: CUDA error: device-side assert triggered", "explain.device-side-assert"},
      {"RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!", "explain.tensors-on-different-devices"},
      {"RuntimeError: CUDA error: an illegal memory access was encountered", "explain.illegal-memory-access"},
      {"RuntimeError: Cannot re-initialize CUDA in forked subprocess. To use CUDA with multiprocessing, you must use the 'spawn' start method", "explain.cuda-fork-reinit"},
      {"RuntimeError: DataLoader worker (pid 1817) is killed by signal: Killed.", "explain.dataloader-killed"},
      {"/sbin/ldconfig.real: /usr/lib/wsl/lib/libcuda.so.1 is not a symbolic link", "explain.ldconfig-not-symlink"},
      // NixOS
      {"ERROR: No such file or directory: '/sbin/ldconfig'", "explain.nixos-no-ldconfig"},
      {"Could not start dynamically linked executable: ./venv/bin/ptxas\nNixOS cannot run dynamically linked executables intended for generic", "explain.nixos-stub-ld"},
      {"impure path `/usr/lib/x86_64-linux-gnu/libcuda.so' used in link", "explain.nix-impure-path"},
  };
  return samples;
}

}  // namespace gpuenv::testing

TEST(ExplainSamples, EachMatchesItsEntryFirst) {
  auto& k = Knowledge::get();
  for (auto& [text, entry] : gpuenv::testing::explain_message_samples()) {
    SCOPED_TRACE(text);
    auto ms = match_messages(k, text);
    ASSERT_FALSE(ms.empty()) << entry << ": no match";
    bool found = false;
    for (auto& m : ms) found |= m.fact->id == entry;
    EXPECT_TRUE(found) << "expected " << entry << ", first: " << ms[0].fact->id;
  }
}

TEST(ExplainSamples, EvidenceChoosesTheNarrowerCause) {
  auto& k = Knowledge::get();
  auto first = [&](const std::string& log) {
    auto ms = match_messages(k, log);
    return ms.empty() ? std::string("(none)") : ms[0].fact->id;
  };
  const std::string msg = "ImportError: libcudnn.so.9: cannot open shared object file: No such file or directory";
  // Alone: not installed.
  EXPECT_EQ(first(msg), "explain.shared-object-not-found");
  // The log shows it installed elsewhere: unreachable, and where.
  auto un = match_messages(k, msg + "\n/opt/venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn.so.9\n");
  ASSERT_FALSE(un.empty());
  EXPECT_EQ(un[0].fact->id, "explain.shared-object-unreachable");
  EXPECT_EQ(un[0].capture("found_at"), "/opt/venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn.so.9");
  // Its own path on the same line is no evidence.
  EXPECT_EQ(first("OSError: /opt/x/libfoo.so.1: cannot open shared object file"), "explain.shared-object-not-found");
  // A /nix/store path makes it a Nix answer.
  EXPECT_EQ(first("/nix/store/abc-env/bin/python\n" + msg), "explain.nix-runpath");
  EXPECT_EQ(first("OSError: libcuda.so.1: cannot open shared object file: No such file or directory"), "explain.libcuda-not-found");
  EXPECT_EQ(first("/nix/store/abc-env/bin/python\nOSError: libcuda.so.1: cannot open shared object file: No such file or directory"),
            "explain.nix-libcuda-missing");
}

TEST(ExplainSamples, WrappedMessagesAreJoined) {
  auto& k = Knowledge::get();
  for (const char* log : {"RuntimeError: DataLoader worker (pid 13) is killed by signa\nl: Bus error.",
                          "RuntimeError: DataLoader work\ner (pid 13) is killed by signal: Bus error.",
                          "RuntimeError: DataLoader worker (pid 1\r\n3) is killed by signal: Bus\n error."}) {
    SCOPED_TRACE(log);
    auto ms = match_messages(k, log);
    ASSERT_EQ(ms.size(), 1u);
    EXPECT_EQ(ms[0].fact->id, "explain.dataloader-bus-error");
    EXPECT_EQ(ms[0].line, 1);
  }
  auto ms = match_messages(k, "stderr: nvidia-container-cli: requirement error: unsatisfied condi\ntion: cuda>=12.4, please update your driver");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].capture("cuda"), "12.4");
}

TEST(ExplainSamples, OutOfMemoryAndUserErrorsAreNotSetupErrors) {
  auto& k = Knowledge::get();
  for (auto id : {"explain.cuda-out-of-memory", "explain.cuda-error-out-of-memory", "explain.tf-resource-exhausted",
                  "explain.xla-resource-exhausted", "explain.cublas-alloc-failed", "explain.device-side-assert",
                  "explain.tensors-on-different-devices", "explain.dataloader-killed"}) {
    bool found = false;
    for (auto& m : k.messages())
      if (m.id == id) {
        found = true;
        EXPECT_EQ(m.severity, "info") << id;
      }
    EXPECT_TRUE(found) << id;
  }
}

TEST(ExplainSamples, NewFamiliesAreNarrowedByTheMachine) {
  auto& k = Knowledge::get();
  Snapshot s;
  s.host.container = "docker";
  s.host.shm_bytes = 64ull << 20;
  s.host.os_id = "nixos";
  s.env["NCCL_SOCKET_IFNAME"] = "eth9";
  s.nvml.driver_version = "550.90.07";
  std::vector<Finding> none;
  ExplainContext ctx{&s, &none};
  auto notes = [&](const std::string& log) {
    std::string all;
    for (auto& e : explain_log(log, k, ctx))
      for (auto& m : e.machine) all += m + "\n";
    return all;
  };
  auto nccl = notes("node1:99:99 [0] NCCL WARN Bootstrap : no socket interface found");
  EXPECT_NE(nccl.find("NCCL_SOCKET_IFNAME=eth9"), std::string::npos) << nccl;
  EXPECT_NE(nccl.find("/dev/shm is 64 MiB"), std::string::npos) << nccl;
  auto shm = notes("RuntimeError: DataLoader worker (pid 7) is killed by signal: Bus error.");
  EXPECT_NE(shm.find("/dev/shm is 64 MiB in a docker container: too small"), std::string::npos) << shm;
  auto container = notes("Failed to initialize NVML: Unknown Error");
  EXPECT_NE(container.find("inside a docker container"), std::string::npos) << container;
  EXPECT_NE(container.find("NVIDIA driver 550.90.07"), std::string::npos) << container;
  auto toolkit = notes("OSError: CUDA_HOME environment variable is not set. Please set it to your CUDA install root.");
  EXPECT_NE(toolkit.find("CUDA_HOME is not set"), std::string::npos) << toolkit;
  EXPECT_NE(toolkit.find("no CUDA toolkit found"), std::string::npos) << toolkit;
  auto nix = notes("/nix/store/x-env/bin/python\nOSError: libcuda.so.1: cannot open shared object file: No such file or directory");
  EXPECT_NE(nix.find("this machine: NixOS"), std::string::npos) << nix;
  EXPECT_NE(nix.find("no libcuda found (NixOS: /run/opengl-driver/lib)"), std::string::npos) << nix;
  // Installed but unreachable: no "install the package" advice.
  auto un = explain_log("ImportError: libcudnn.so.9: cannot open shared object file\n/opt/x/lib/libcudnn.so.9\n", k, {});
  ASSERT_FALSE(un.empty());
  for (auto& ev : un[0].finding.evidence) EXPECT_NE(ev.key, "provided by");
  EXPECT_NE(un[0].finding.fix.find("export LD_LIBRARY_PATH=$(dirname /opt/x/lib/libcudnn.so.9)"), std::string::npos)
      << un[0].finding.fix;
}
