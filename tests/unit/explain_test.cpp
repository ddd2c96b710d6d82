// The message matcher behind `gpuenv explain` and `doctor --deep`: real messages, verbatim as the
// programs print them (sources in src/knowledge/messages.toml), each to its check ID and a captured value.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include "checks/check.hpp"
#include "checks/explain.hpp"
#include "explain_corpus.hpp"
#include "knowledge/messages.hpp"

using namespace gpuenv;

namespace {

struct Case {
  const char* text;
  const char* id;       // reported ID (check, or explain.* entry)
  const char* entry;    // the entry of messages.toml
  const char* capture;  // a captured name ("" for none)
  const char* value;
};

const Case kCases[] = {
    // CUDA runtime / driver API
    {"RuntimeError: CUDA error: CUDA driver version is insufficient for CUDA runtime version", "library.driver-too-old",
     "explain.cuda-driver-insufficient", "", ""},
    {"cupy.cuda.runtime.CUDARuntimeError: cudaErrorInsufficientDriver: CUDA driver version is insufficient for CUDA runtime version",
     "library.driver-too-old", "explain.cupy-driver-insufficient", "", ""},
    {"UserWarning: CUDA initialization: The NVIDIA driver on your system is too old (found version 11040). Please update your "
     "GPU driver by downloading and installing a new version from the URL: http://www.nvidia.com/Download/index.aspx "
     "Alternatively, go to: https://pytorch.org to install a PyTorch version that has been compiled with your version of the "
     "CUDA driver. (Triggered internally at ../c10/cuda/CUDAFunctions.cpp:108.)",
     "library.driver-too-old", "explain.torch-driver-too-old", "driver_cuda", "11040"},
    {"RuntimeError: CUDA error: the provided PTX was compiled with an unsupported toolchain.", "library.driver-too-old",
     "explain.ptx-unsupported-toolchain", "", ""},
    {"AssertionError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver "
     "from http://www.nvidia.com/Download/index.aspx",
     "driver.libcuda-missing", "explain.torch-no-driver", "", ""},
    {"OSError: libcuda.so.1: cannot open shared object file: No such file or directory", "driver.libcuda-missing",
     "explain.libcuda-not-found", "library", "libcuda.so.1"},
    {"docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime "
     "create failed: runc create failed: unable to start container process: error during container init: error running hook "
     "#0: error running hook: exit status 1, stdout: , stderr: Auto-detected mode as 'legacy' nvidia-container-cli: mount "
     "error: stat failed: /usr/lib/wsl/lib/libcuda.so.1: no such file or directory: unknown.",
     "driver.libcuda-missing", "explain.wsl-libcuda-missing", "library", "/usr/lib/wsl/lib/libcuda.so.1"},
    {"cuInit failed: CUDA_ERROR_STUB_LIBRARY", "driver.stub-libcuda", "explain.stub-libcuda", "", ""},
    {"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver "
     "is installed and running.",
     "driver.module-not-loaded", "explain.nvidia-smi-no-driver", "", ""},
    // NVML and driver versions
    {"Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 570.124", "driver.version-mismatch",
     "explain.nvml-version-mismatch", "library_version", "570.124"},
    {"nvidia-container-cli: initialization error: nvml error: driver/library version mismatch: unknown.",
     "driver.version-mismatch", "explain.container-nvml-mismatch", "", ""},
    {"RuntimeError: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling "
     "NumCudaDevices() that might have already set an error? Error 803: system has unsupported display driver / cuda driver "
     "combination",
     "driver.version-mismatch", "explain.cuda-driver-mismatch-803", "", ""},
    {"RuntimeError: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling "
     "NumCudaDevices() that might have already set an error? Error 804: forward compatibility was attempted on non supported HW",
     "driver.cuinit-failed", "explain.forward-compat-unsupported", "", ""},
    {"RuntimeError: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling "
     "NumCudaDevices() that might have already set an error? Error 802: system not yet initialized",
     "driver.cuinit-failed", "explain.fabric-manager-not-ready", "", ""},
    {"UserWarning: CUDA initialization: CUDA unknown error - this may be due to an incorrectly set up environment, e.g. "
     "changing env variable CUDA_VISIBLE_DEVICES after program start. Setting the available devices to be zero.",
     "driver.uvm-missing", "explain.torch-cuda-unknown-error", "", ""},
    {"RuntimeError: CUDA driver initialization failed, you might not have a CUDA gpu.", "driver.cuinit-failed",
     "explain.torch-driver-init-failed", "", ""},
    {"cuInit returned CUDA_ERROR_OPERATING_SYSTEM (304)", "driver.cuinit-failed", "explain.cuda-os-call-failed", "", ""},
    // no device
    {"2017-06-21 13:37:39.505432: E tensorflow/stream_executor/cuda/cuda_driver.cc:406] failed call to cuInit: "
     "CUDA_ERROR_NO_DEVICE",
     "driver.no-visible-device", "explain.cuinit-no-device", "", ""},
    {"cupy_backends.cuda.api.runtime.CUDARuntimeError: cudaErrorNoDevice: no CUDA-capable device is detected",
     "driver.no-visible-device", "explain.runtime-no-device", "", ""},
    {"RuntimeError: No CUDA GPUs are available", "driver.no-visible-device", "explain.torch-no-gpus", "", ""},
    {"RuntimeError: CUDA error: all CUDA-capable devices are busy or unavailable", "driver.cuinit-failed",
     "explain.device-busy", "", ""},
    // GPU code
    {"UserWarning: \nNVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the current PyTorch "
     "installation.\nThe current PyTorch install supports CUDA capabilities sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 sm_90.",
     "library.no-kernel-for-gpu", "explain.torch-capability-unsupported", "sm", "sm_120"},
    {"RuntimeError: CUDA error: no kernel image is available for execution on the device\nCUDA kernel errors might be "
     "asynchronously reported at some other API call, so the stacktrace below might be incorrect.",
     "library.no-kernel-for-gpu", "explain.no-kernel-image", "", ""},
    // libraries
    {"2023-05-10 10:12:03.123456: W tensorflow/compiler/xla/stream_executor/platform/default/dso_loader.cc:64] Could not "
     "load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file: No such file or "
     "directory; LD_LIBRARY_PATH: /usr/local/nvidia/lib:/usr/local/nvidia/lib64",
     "library.not-found", "explain.tf-dlopen-failed", "library", "libcudnn.so.8"},
    {"W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudart.so.11.0'; "
     "dlerror: libcudart.so.11.0: cannot open shared object file: No such file or directory",
     "library.not-found", "explain.tf-dlopen-failed", "library", "libcudart.so.11.0"},
    {"2023-06-14 09:01:02.345678: W tensorflow/core/common_runtime/gpu/gpu_device.cc:1956] Cannot dlopen some GPU libraries. "
     "Please make sure the missing libraries mentioned above are installed properly if you would like to use GPU. Follow the "
     "guide at https://www.tensorflow.org/install/gpu for how to download and setup the required libraries for your "
     "platform.\nSkipping registering GPU devices...",
     "library.not-found", "explain.tf-cannot-dlopen-gpu-libraries", "", ""},
    {"2024-03-05 12:17:09.101010: I external/local_tsl/tsl/cuda/cudart_stub.cc:31] Could not find cuda drivers on your "
     "machine, GPU will not be used.",
     "library.not-found", "explain.tf-no-cuda-drivers", "", ""},
    {"RuntimeError: CuPy failed to load libnvrtc.so.12: OSError: libnvrtc.so.12: cannot open shared object file: No such "
     "file or directory",
     "library.not-found", "explain.cupy-nvrtc-missing", "library", "libnvrtc.so.12"},
    {"CUDA backend failed to initialize: Unable to load cuDNN. Is it installed? (Set TF_CPP_MIN_LOG_LEVEL=0 and rerun for "
     "more info.)",
     "library.not-found", "explain.jax-cudnn-not-found", "", ""},
    {"ImportError: libcublasLt.so.12: cannot open shared object file: No such file or directory", "library.not-found",
     "explain.shared-object-not-found", "library", "libcublasLt.so.12"},
    {"/usr/local/cuda/lib64/libcudnn.so.6: file too short", "library.damaged", "explain.shared-object-too-short",
     "library", "/usr/local/cuda/lib64/libcudnn.so.6"},
    {"OSError: /home/u/.venv/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn_graph.so.9: invalid ELF header",
     "library.damaged", "explain.shared-object-invalid-elf", "library",
     "/home/u/.venv/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn_graph.so.9"},
    {"RuntimeError: unable to allocate shared memory(shm) for file </torch_510_1425264003_0>: Resource temporarily "
     "unavailable (11)",
     "framework.shm-too-small", "explain.torch-shm-allocate-failed", "file", "/torch_510_1425264003_0"},
    {"ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm).",
     "framework.shm-too-small", "explain.dataloader-shm-bus-error", "", ""},
    // library versions
    {"RuntimeError: cuDNN version incompatibility: PyTorch was compiled  against (8, 7, 0) but found runtime version (8, 2, "
     "4). PyTorch already comes bundled with cuDNN. One option to resolving this error is to ensure PyTorch can find the "
     "bundled cuDNN.Looks like your LD_LIBRARY_PATH contains incompatible version of cudnnPlease either remove it from the "
     "path or install cudnn (8, 7, 0)",
     "library.ld-library-path-shadows-wheel", "explain.torch-cudnn-incompatible", "found_minor", "2"},
    {"2023-04-03 10:20:30.123456: E external/xla/xla/stream_executor/cuda/cuda_dnn.cc:429] Loaded runtime CuDNN library: "
     "8.5.0 but source was compiled with: 8.6.0.  CuDNN library needs to have matching major version and equal or higher "
     "minor version. If using a binary install, upgrade your CuDNN library.  If building from sources, make sure the library "
     "loaded at runtime is compatible with the version specified during compile configuration.",
     "library.ld-library-path-shadows-wheel", "explain.xla-cudnn-older-than-build", "found", "8.5.0"},
    {"CUDA backend failed to initialize: Found cuDNN version 8600, but JAX was built against version 8906, which is newer. "
     "The copy of cuDNN that is installed must be at least as new as the version against which JAX was built. (Set "
     "TF_CPP_MIN_LOG_LEVEL=0 and rerun for more info.)",
     "library.ld-library-path-shadows-wheel", "explain.jax-cudnn-older-than-build", "built", "8906"},
    {"RuntimeError: Unable to use CUDA because of the following issues with CUDA components:\nOutdated cuDNN installation "
     "found.\nVersion JAX was built against: 8907\nMinimum supported: 9100\nInstalled version: 8907\nThe local installation "
     "version must be no lower than 9100.",
     "library.ld-library-path-shadows-wheel", "explain.jax-outdated-component", "minimum", "9100"},
    {"jaxlib.xla_extension.XlaRuntimeError: FAILED_PRECONDITION: DNN library initialization failed. Look at the errors "
     "above for more details.",
     "library.ld-library-path-shadows-wheel", "explain.dnn-init-failed", "", ""},
    // framework builds
    {"AssertionError: Torch not compiled with CUDA enabled", "framework.cpu-only-build",
     "explain.torch-not-compiled-with-cuda", "", ""},
    {"RuntimeError: \nThe detected CUDA version (12.4) mismatches the version that was used to compile\nPyTorch (11.8). "
     "Please make sure to use the same CUDA versions.",
     "toolkit.cuda-major-mismatch", "explain.torch-extension-cuda-mismatch", "torch_cuda", "11.8"},
    {"WARNING:jax._src.xla_bridge:An NVIDIA GPU may be present on this machine, but a CUDA-enabled jaxlib is not installed. "
     "Falling back to cpu.",
     "framework.cpu-only-build", "explain.jax-cpu-jaxlib", "", ""},
    {"ERROR:jax._src.xla_bridge:Jax plugin configuration error: Exception when calling jax_plugins.xla_cuda12.initialize()",
     "explain.jax-plugin-init-failed", "explain.jax-plugin-init-failed", "plugin", "xla_cuda12"},
    {"RuntimeError: Backend 'cuda' failed to initialize: Unable to use CUDA because of the following issues with CUDA "
     "components. Available backends are ['cpu']",
     "explain.jax-backend-failed", "explain.jax-backend-failed", "backend", "cuda"},
    {"RuntimeError: Unknown backend: 'gpu' requested, but no platforms that are instances of gpu are present. Platforms "
     "present are: cpu",
     "explain.jax-no-gpu-platform", "explain.jax-no-gpu-platform", "", ""},
    {"WARNING:absl:No GPU/TPU found, falling back to CPU. (Set TF_CPP_MIN_LOG_LEVEL=0 and rerun for more info.)",
     "explain.jax-no-gpu-fallback", "explain.jax-no-gpu-fallback", "", ""},
    // resources and noise
    {"torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 79.19 GiB of "
     "which 3.56 MiB is free.",
     "explain.cuda-out-of-memory", "explain.cuda-out-of-memory", "request", "20.00 MiB"},
    {"2023-11-30 20:29:26.497571: E external/local_xla/xla/stream_executor/cuda/cuda_dnn.cc:9261] Unable to register cuDNN "
     "factory: Attempting to register factory for plugin cuDNN when one has already been registered",
     "explain.tf-duplicate-factory", "explain.tf-duplicate-factory", "library", "cuDNN"},
    {"2024-01-01 10:00:00.000000: I tensorflow/compiler/xla/stream_executor/cuda/cuda_gpu_executor.cc:894] successful NUMA "
     "node read from SysFS had negative value (-1), but there must be at least one NUMA node, so returning NUMA node zero.",
     "explain.tf-numa-node", "explain.tf-numa-node", "", ""},
    {"2024-01-01 10:00:00.000000: I tensorflow/core/platform/cpu_feature_guard.cc:182] This TensorFlow binary is optimized "
     "to use available CPU instructions in performance-critical operations.",
     "explain.tf-cpu-instructions", "explain.tf-cpu-instructions", "", ""},
};

}  // namespace

TEST(Explain, MessagesFileLoads) {
  auto& k = Knowledge::get();
  ASSERT_GE(k.messages().size(), 40u);
  for (auto& m : k.messages()) {
    EXPECT_FALSE(m.source.empty()) << m.id;
    EXPECT_FALSE(m.emitter.empty()) << m.id;
    EXPECT_FALSE(m.cause.empty()) << m.id;
    EXPECT_FALSE(m.fix.empty()) << m.id;
    EXPECT_TRUE(m.id.starts_with("explain.")) << m.id;
    // A check an entry names exists; framework.* and toolkit.* arrive with the framework checks (until
    // then the entry's own ID is reported).
    for (auto& c : m.related) EXPECT_FALSE(c.empty()) << m.id;
    if (!m.check.empty() && !m.check.starts_with("framework.") && !m.check.starts_with("toolkit.")) {
      EXPECT_NE(find_check(m.check), nullptr) << m.id << " names unknown check " << m.check;
    }
  }
}

TEST(Explain, EveryRealMessageMatchesItsCheck) {
  auto& k = Knowledge::get();
  std::set<std::string> entries_hit;
  int n = 0;
  for (auto& c : kCases) {
    SCOPED_TRACE(c.text);
    auto ms = match_messages(k, c.text);
    ASSERT_FALSE(ms.empty()) << "no match";
    EXPECT_EQ(ms[0].id(), c.id);
    EXPECT_EQ(ms[0].fact->id, c.entry);
    // The reported ID: the check when this build has it, else the entry's own.
    std::string want = find_check(c.id) ? c.id : c.entry;
    EXPECT_EQ(explain_match(ms[0], k, {}).finding.id, want);
    if (*c.capture) {
      EXPECT_EQ(ms[0].capture(c.capture), c.value);
    }
    entries_hit.insert(ms[0].fact->id);
    ++n;
  }
  EXPECT_GE(n, 30);
  // Every entry of the knowledge file has at least one real message here.
  // The entries added with the corpus have theirs in explain_samples_test.cpp.
  for (auto& [text, entry] : gpuenv::testing::explain_message_samples()) entries_hit.insert(entry);
  for (auto& m : k.messages()) EXPECT_TRUE(entries_hit.count(m.id)) << m.id << " has no test message";
}

TEST(Explain, TemplatesUseCapturedValues) {
  auto& k = Knowledge::get();
  auto es = explain_log(kCases[2].text, k);
  ASSERT_EQ(es.size(), 1u);
  EXPECT_NE(es[0].finding.title.find("CUDA 11.4"), std::string::npos) << es[0].finding.title;
  EXPECT_NE(es[0].finding.fix.find("cu114"), std::string::npos) << es[0].finding.fix;
  auto cudnn = explain_log("Found cuDNN version 8600, but JAX was built against version 90100, which is newer.", k);
  ASSERT_EQ(cudnn.size(), 1u);
  EXPECT_NE(cudnn[0].finding.title.find("8.6.0"), std::string::npos) << cudnn[0].finding.title;
  EXPECT_NE(cudnn[0].finding.title.find("9.1.0"), std::string::npos) << cudnn[0].finding.title;
  EXPECT_EQ(expand_message_template("{a} ${HOME} {b|cuda} {missing}", {{"a", "x"}, {"b", "12080"}}), "x ${HOME} 12.8 ?");
  EXPECT_EQ(expand_message_template("libnvidia-ml<< (library {v})>> differs", {}), "libnvidia-ml differs");
  EXPECT_EQ(expand_message_template("libnvidia-ml<< (library {v})>> differs", {{"v", "570.124"}}), "libnvidia-ml (library 570.124) differs");
  // The library family and its packages come from libraries.toml.
  auto lib = explain_log("ImportError: libcudnn.so.9: cannot open shared object file: No such file or directory", k);
  ASSERT_EQ(lib.size(), 1u);
  bool provided = false;
  for (auto& ev : lib[0].finding.evidence) provided |= ev.key == "provided by" && ev.value.find("cuDNN") != std::string::npos;
  EXPECT_TRUE(provided);
}

TEST(Explain, AFailedJaxPluginIsNotAlsoCalledAMissingPlugin) {
  // JAX's stderr under CUDA_VISIBLE_DEVICES="" on the H200 machine (jax 0.11.2, jax-cuda13-plugin): the
  // plugin's failure is followed by the generic "CUDA-enabled jaxlib is not installed" line.
  auto& k = Knowledge::get();
  std::string log =
      "WARNING:jax._src.xla_bridge:Jax plugin configuration error: Exception when calling jax_plugins.xla_cuda13.initialize()\n"
      "RuntimeError: jaxlib/cuda/versions_helpers.cc:135: operation cuInit(0) failed: CUDA_ERROR_NO_DEVICE\n"
      "An NVIDIA GPU may be present on this machine, but a CUDA-enabled jaxlib is not installed. Falling back to cpu.\n";
  auto ms = match_messages(k, log);
  std::vector<std::string> ids;
  for (auto& m : ms) ids.push_back(m.fact->id);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "explain.jax-plugin-init-failed"), ids.end());
  EXPECT_EQ(std::find(ids.begin(), ids.end(), "explain.jax-cpu-jaxlib"), ids.end());
  // Alone, the generic line still means what it says.
  auto alone = match_messages(k, "An NVIDIA GPU may be present on this machine, but a CUDA-enabled jaxlib is not installed. Falling back to cpu.");
  ASSERT_EQ(alone.size(), 1u);
  EXPECT_EQ(alone[0].fact->title, "JAX has no CUDA plugin installed: it runs on the CPU");
}

TEST(Explain, LogListsEachMessageOnceInOrderWithLines) {
  auto& k = Knowledge::get();
  std::string log =
      "epoch 1\n"
      "\x1b[33mW dso_loader.cc:64] Could not load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file\x1b[0m\r\n"
      "W dso_loader.cc:64] Could not load dynamic library 'libcublas.so.11'; dlerror: x\n"
      "progress 10%\rprogress 20%\r"
      "W dso_loader.cc:64] Could not load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file\n"
      "Traceback (most recent call last):\n"
      "RuntimeError: No CUDA GPUs are available\n"
      "Failed to initialize NVML: Driver/library version mismatch\n"
      "NVML library version: 570.124\n"
      "RuntimeError: No CUDA GPUs are available\n";
  auto ms = match_messages(k, log);
  ASSERT_EQ(ms.size(), 4u);
  EXPECT_EQ(ms[0].capture("library"), "libcudnn.so.8");
  EXPECT_EQ(ms[0].line, 2);
  EXPECT_EQ(ms[0].lines, (std::vector<int>{2, 6}));
  EXPECT_EQ(ms[1].capture("library"), "libcublas.so.11");
  EXPECT_EQ(ms[1].line, 3);
  EXPECT_EQ(ms[2].id(), "driver.no-visible-device");
  EXPECT_EQ(ms[2].lines, (std::vector<int>{8, 11}));
  EXPECT_EQ(ms[3].id(), "driver.version-mismatch");
  EXPECT_EQ(ms[3].line, 9);
  EXPECT_EQ(ms[3].capture("library_version"), "570.124");
}

TEST(Explain, NothingMatchesOrdinaryText) {
  auto& k = Knowledge::get();
  EXPECT_TRUE(match_messages(k, "").empty());
  EXPECT_TRUE(match_messages(k, "epoch 1 loss 0.25\nsaved checkpoint to /tmp/x.pt\n").empty());
  EXPECT_TRUE(match_messages(k, std::string("\0\1\2binary\xff", 10)).empty());
}

TEST(Explain, HugeLinesAndLogsStayFast) {
  auto& k = Knowledge::get();
  // A 1 MB progress-bar line with the message in the middle, then 50k ordinary lines.
  std::string huge(500'000, '#');
  huge += " RuntimeError: No CUDA GPUs are available ";
  huge += std::string(500'000, '#');
  std::string log = huge + "\n";
  for (int i = 0; i < 50000; ++i) log += "step " + std::to_string(i) + " loss 0.1 lr 3e-4\n";
  log += "OSError: libcuda.so.1: cannot open shared object file: No such file or directory\n";
  auto t0 = std::chrono::steady_clock::now();
  auto ms = match_messages(k, log);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[0].id(), "driver.no-visible-device");
  EXPECT_EQ(ms[1].line, 50002);
  EXPECT_LT(s, 20.0);  // Debug or sanitizer build on a shared machine (a release build: see NOTES)
}

TEST(Explain, SnapshotNarrowsTheCause) {
  auto& k = Knowledge::get();
  Snapshot s;
  s.kernel.loaded = true;
  s.kernel.version = "535.183.01";
  s.nvml.status = ProbeStatus::Ok;
  s.nvml.driver_version = "535.183.01";
  s.nvml.cuda_driver_version = 12020;
  Interpreter py;
  py.path = "/home/u/.venv/bin/python";
  Framework torch;
  torch.name = "torch";
  torch.version = "2.9.0+cu130";
  torch.cuda_build = true;
  torch.cuda_version = "13.0";
  py.frameworks.push_back(torch);
  s.python.interpreters.push_back(py);
  std::vector<Finding> none;
  ExplainContext ctx{&s, &none};
  auto es = explain_log("CUDA driver version is insufficient for CUDA runtime version", k, ctx);
  ASSERT_EQ(es.size(), 1u);
  std::string notes;
  for (auto& m : es[0].machine) notes += m + "\n";
  EXPECT_NE(notes.find("driver 535.183.01 supports CUDA 12.2"), std::string::npos) << notes;
  EXPECT_NE(notes.find("torch 2.9.0+cu130 in /home/u/.venv/bin/python is built for CUDA 13.0: it needs driver >= 580"),
            std::string::npos) << notes;
  EXPECT_NE(es[0].finding.fix.find("upgrade the NVIDIA driver to >= 580"), std::string::npos) << es[0].finding.fix;
  // Without a GPU in the snapshot no build can be recommended: the general advice.
  EXPECT_NE(es[0].finding.fix.find("for CUDA 12.2 or older"), std::string::npos) << es[0].finding.fix;
  {
    // With the GPU and the interpreter's version known, the exact command for a build that runs here.
    Snapshot g = s;
    NvmlDevice d;
    d.name = "NVIDIA GeForce RTX 4090";
    d.cc_major = 8;
    d.cc_minor = 9;
    g.nvml.devices.push_back(d);
    g.python.interpreters[0].version = "3.11.9";
    g.python.interpreters[0].frameworks[0].distribution = "torch";
    ExplainContext gctx{&g, &none};
    auto ge = explain_log("CUDA driver version is insufficient for CUDA runtime version", k, gctx);
    ASSERT_EQ(ge.size(), 1u);
    auto& fix = ge[0].finding.fix;
    EXPECT_NE(fix.find("upgrade the NVIDIA driver to >= 580"), std::string::npos) << fix;
    EXPECT_NE(fix.find("--index-url https://download.pytorch.org/whl/cu12"), std::string::npos) << fix;
    EXPECT_NE(fix.find("uninstall"), std::string::npos) << fix;  // the CUDA 13 build goes first
  }
  // A build that runs through minor-version compatibility (12.8 on 535, >= 525) is said to run.
  s.python.interpreters[0].frameworks[0].cuda_version = "12.8";
  auto compat = explain_log("CUDA driver version is insufficient for CUDA runtime version", k, ctx);
  std::string cn;
  for (auto& m : compat[0].machine) cn += m + "\n";
  EXPECT_NE(cn.find("runs on this driver through minor-version compatibility"), std::string::npos) << cn;
  // No finding of library.driver-too-old on that snapshot: said so.
  EXPECT_TRUE(es[0].snapshot_disagrees);

  // CUDA_VISIBLE_DEVICES="" is named.
  s.env["CUDA_VISIBLE_DEVICES"] = "";
  auto nv = explain_log("RuntimeError: No CUDA GPUs are available", k, ctx);
  ASSERT_EQ(nv.size(), 1u);
  EXPECT_NE(nv[0].machine.at(0).find("CUDA_VISIBLE_DEVICES is set to an empty string"), std::string::npos);
  EXPECT_EQ(nv[0].finding.fix.rfind("unset CUDA_VISIBLE_DEVICES", 0), 0u);

  // A finding of the same check on the machine supplies its exact fix.
  Finding f;
  f.id = "driver.no-visible-device";
  f.title = "CUDA_VISIBLE_DEVICES hides every GPU";
  f.fix = "unset CUDA_VISIBLE_DEVICES  # from the check";
  std::vector<Finding> fs{f};
  ExplainContext ctx2{&s, &fs};
  auto c = explain_log("RuntimeError: No CUDA GPUs are available", k, ctx2);
  ASSERT_EQ(c[0].confirmed.size(), 1u);
  EXPECT_EQ(c[0].finding.fix, f.fix);
  EXPECT_FALSE(c[0].snapshot_disagrees);
}

TEST(Explain, InvalidEntriesAreClearErrors) {
  auto dir = std::string("/tmp/gpuenv-explain-bad-") + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& body) { std::ofstream(dir + "/messages.toml") << body; };
  write("[[message]]\nid = \"explain.x\"\nneedle = \"x\"\npattern = \"(unclosed\"\ntitle = \"t\"\n");
  auto k = Knowledge::load_from_dir(dir);
  try {
    k->messages();
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("explain.x': invalid pattern"), std::string::npos) << e.what();
  }
  write("[[message]]\nid = \"explain.y\"\nneedle = \"x\"\npattern = \"(x)\"\ntitle = \"t\"\n");
  try {
    Knowledge::load_from_dir(dir)->messages();
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("1 groups but 0 capture names"), std::string::npos) << e.what();
  }
  write("[[message]]\nid = \"explain.z\"\n");
  EXPECT_THROW(Knowledge::load_from_dir(dir)->messages(), std::runtime_error);
  write("[[message]\nbroken");
  EXPECT_THROW(Knowledge::load_from_dir(dir)->messages(), std::runtime_error);
  std::filesystem::remove_all(dir);
}
