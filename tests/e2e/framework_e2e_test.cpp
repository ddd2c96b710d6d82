// The framework.* and toolkit.* checks end to end: JSON snapshots under tests/snapshots/ replayed with
// `gpuenv doctor --from FILE`, with the exact set of finding IDs and the exit code; the python.* and deep.*
// checks the same way; and the toolkit probe on a --root tree (never the machine's own /usr/local/cuda).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run.hpp"

namespace fs = std::filesystem;
using gpuenv::test::base_env;
using gpuenv::test::run_program;
using nlohmann::json;

namespace {

struct Case {
  const char* file;
  std::vector<std::string> ids;   // exact, sorted
  int exit;
  const char* fix_contains;       // in the first framework/toolkit finding's fix, "" for none
  // cases for checks other than framework.*/toolkit.*: the finding of this check must say each of `says` (in its title, evidence,
  // cause or fix); "" for none.
  const char* check = "";
  std::vector<std::string> says = {};
};

const Case kCases[] = {
    {"healthy-torch-h100.json", {}, 0, ""},
    {"cpu-torch-on-h100.json", {"framework.cpu-only-build"}, 0, "--index-url https://download.pytorch.org/whl/cu124"},
    {"cu130-on-driver-550.json", {"framework.cuda-too-new-for-driver"}, 1,
     "\"torch==2.11.*\" --index-url https://download.pytorch.org/whl/cu126"},
    {"wrong-major-wheels.json", {"framework.wheels-missing", "framework.wheels-wrong-major"}, 1,
     "pip install nvidia-cublas-cu12==12.4.5.8"},
    {"cu130-on-pascal.json", {"framework.arch-not-covered"}, 1,
     "\"torch==2.9.*\" --index-url https://download.pytorch.org/whl/cu126"},
    {"toolkit-13-torch-cu128.json", {"toolkit.cuda-major-mismatch"}, 0, "export CUDA_HOME=/usr/local/cuda-12.8"},
    {"no-gpu-cpu-torch.json", {"gpu.none-on-pci"}, 1, ""},
    {"torch-on-python39.json", {"framework.python-unsupported"}, 1,
     "\"torch==2.8.*\" --index-url https://download.pytorch.org/whl/cu129"},
    // The CPU copy in front is framework.shadowed's error alone: reinstalling would replace the CUDA copy behind it.
    {"cpu-torch-shadows-cuda-torch.json", {"framework.shadowed"}, 1, "unset PYTHONPATH"},
    {"docker-default-shm.json", {"framework.shm-too-small"}, 0, "--ipc=host or --shm-size=1g"},
    {"cpu-torch-on-pythonpath.json", {"framework.cpu-only-build"}, 0,
     "export PYTHONPATH=/home/u/proj/src   (/home/u/shared-torch on PYTHONPATH holds this copy)\nthen: "},
    // VIRTUAL_ENV declares the venv's 3.12; conda's base (3.13) comes first on PATH.
    // A cuDNN sub-library cut after its headers, reached through LD_LIBRARY_PATH: the loader maps it, SIGBUS.
    {"damaged-cudnn-on-ld-library-path.json", {"library.damaged"}, 1, "", "library.damaged",
     {"torch would crash loading libcudnn_graph.so.9", "SIGBUS", "or, if that directory should not be searched: unset LD_LIBRARY_PATH"}},
    // Issue 14. The cuDNN wheel's files gone, its dist-info left: the loader falls to ld.so.cache's cuDNN 9.14.
    {"cudnn-wheel-emptied.json", {"library.wrong-version", "python.wheel-incomplete"}, 1, "", "library.wrong-version",
     {"torch would load cuDNN from /usr/lib/x86_64-linux-gnu/libcudnn.so.9 (9.14.0), not the nvidia-cudnn-cu13 9.17.1.4",
      "/home/u/proj/.venv/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn.so.9 (missing)", "ld.so.cache",
      "/home/u/proj/.venv/bin/python -m pip install --force-reinstall --no-deps nvidia-cudnn-cu13==9.17.1.4"}},
    {"cudnn-wheel-emptied.json", {"library.wrong-version", "python.wheel-incomplete"}, 1, "", "python.wheel-incomplete",
     {"nvidia-cudnn-cu13 9.17.1.4 is partly deleted: 8 of its 12 files are missing", "nvidia/cudnn/lib/libcudnn.so.9",
      "/home/u/proj/.venv/bin/python -m pip install --force-reinstall --no-deps nvidia-cudnn-cu13==9.17.1.4"}},
    // One wheel file overwritten by another copy: same name, another size.
    {"cudnn-wheel-overwritten.json", {"python.wheel-incomplete"}, 1, "", "python.wheel-incomplete",
     {"is overwritten: 1 differs", "libcudnn_graph.so.9: 2304120 bytes, RECORD says 3118280", "--force-reinstall --no-deps"}},
    // LD_PRELOAD names the system cuDNN: the fix edits LD_PRELOAD, never LD_LIBRARY_PATH.
    {"cudnn-preloaded.json", {"library.wrong-version"}, 1, "", "library.wrong-version",
     {"via LD_PRELOAD: /usr/lib/x86_64-linux-gnu/libcudnn.so.9.14.0", "The copy is preloaded", "unset LD_PRELOAD"}},
    {"venv-behind-conda-base.json", {"python.not-declared"}, 1, "", "python.not-declared",
     {"/home/u/miniforge3/bin/python (Python 3.13.5, conda)", "source /home/u/proj/.venv/bin/activate && hash -r"}},
    // Same version, but the system python on PATH has no torch: exit 1 (an error), saying what it cannot import.
    {"venv-off-path-same-version.json", {"python.not-declared"}, 1, "", "python.not-declared",
     {"it cannot import: torch 2.11.0+cu130 (ModuleNotFoundError)", "source /home/u/proj/.venv/bin/activate"}},
    // A `uv venv` has no pip: `pip` is /usr/bin/pip, whose shebang runs the system Python.
    {"uv-venv-system-pip.json", {"python.pip-mismatch"}, 0, "", "python.pip-mismatch",
     {"pip's interpreter (shebang): /usr/bin/python3", "/home/u/proj/.venv/bin/python -m pip install"}},
    // A --user numpy 1.26 in ~/.local wins over the conda environment's 2.1.
    {"user-site-numpy-over-conda-env.json", {"python.user-site-shadows"}, 0, "", "python.user-site-shadows",
     {"numpy 1.26.4 in /home/u/.local/lib/python3.11/site-packages wins over 2.1.3 in "
      "/home/u/miniforge3/envs/ml/lib/python3.11/site-packages",
      "-m pip uninstall numpy"}},
    // import torch fails on libcudnn.so.9. framework.wheels-missing fires as well, legitimately: the cuDNN wheel
    // torch requires is not installed (the cause of that ImportError); since the static verdict agrees that torch
    // cannot work, deep.static-disagrees stays quiet.
    {"deep-torch-import-fails-cudnn.json", {"deep.framework-failed", "framework.wheels-missing"}, 1,
     "pip install nvidia-cudnn-cu13==9.17.1.4", "deep.framework-failed",
     {"torch cannot be imported", "libcudnn.so.9 cannot be loaded [library.not-found]",
      "install the package that provides libcudnn.so.9"}},
    // CUDA_VISIBLE_DEVICES="": torch sees no GPU. driver.no-visible-device fires as well, legitimately: the driver
    // probe inherits the same environment, so its cuInit says CUDA_ERROR_NO_DEVICE.
    {"deep-torch-cuda-visible-devices-empty.json", {"deep.no-gpu-seen", "driver.no-visible-device"}, 1, "",
     "deep.no-gpu-seen",
     {"torch 2.11.0+cu130 imports, but sees no GPU", "CUDA_VISIBLE_DEVICES is set to an empty string",
      "unset CUDA_VISIBLE_DEVICES"}},
    // A .pth import line (recorded, never run by the static probe) puts a nightly torch first on sys.path.
    {"deep-torch-from-pth-import.json", {"deep.static-disagrees"}, 0, "", "deep.static-disagrees",
     {"version: static 2.11.0+cu130, imported 2.12.0.dev20261130+cu130",
      "location: static /home/u/proj/.venv/lib/python3.12/site-packages/torch, imported "
      "/opt/pytorch-nightly/lib/python3.12/site-packages/torch",
      "gpuenv bug"}},
    // Variables against their grammar (variables.toml): PyTorch's lower-case true, an NCCL interface that is not here.
    {"env-alloc-conf-and-nccl-ifname.json", {"env.variable-invalid", "nccl.socket-ifname-missing"}, 1, "",
     "env.variable-invalid",
     {"Expected 'True' or 'False' at index 2 in ConfigTokenizer but got 'true'", "torch 2.11.0+cu130",
      "export PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True,max_split_size_mb:128"}},
    {"env-alloc-conf-and-nccl-ifname.json", {"env.variable-invalid", "nccl.socket-ifname-missing"}, 1, "",
     "nccl.socket-ifname-missing", {"docker0, eno1, lo", "export NCCL_SOCKET_IFNAME=eno1"}},
    {"jax-platforms-cpu.json", {"env.variable-hides-gpu"}, 0, "", "env.variable-hides-gpu",
     {"jax 0.11.0 will run on the CPU", "export JAX_PLATFORMS=cuda,cpu"}},
    {"healthy-tuned-variables.json", {}, 0, ""},
    // The interpreter the shell reaches has no torch; /opt/torch/.venv has it.
    {"torch-only-in-opt-venv.json", {"python.framework-unreachable"}, 0, "", "python.framework-unreachable",
     {"torch 2.11.0+cu130 is in /opt/torch/.venv", "`python3` (/usr/bin/python3)",
      "source /opt/torch/.venv/bin/activate"}},
    {"stale-virtual-env.json", {"python.env-var-stale"}, 0, "", "python.env-var-stale",
     {"VIRTUAL_ENV=/home/u/old-proj/.venv names no Python environment", "deactivate"}},
    // jax-cuda13-plugin's wheels behind `extra == "with-cuda"`, two of them absent, every library jax loads found (the
    // GPU machine's healthy venv): no alarm. With the cuDNN it loads found nowhere, the absent wheels are the cause.
    {"jax-plugin-extra-wheels-absent.json", {}, 0, ""},
    {"jax-plugin-cudnn-absent.json", {"framework.wheels-missing"}, 1, "", "framework.wheels-missing",
     {"jax 0.11.0 requires 3 NVIDIA wheels that are not installed", "nvidia-cudnn-cu13<10.0,>=9.12.0.46",
      "nvidia-nvvm"}},
};

std::string snapshot(const std::string& name) { return std::string(GPUENV_SOURCE_DIR) + "/tests/snapshots/" + name; }

}  // namespace

class FrameworkSnapshot : public ::testing::TestWithParam<Case> {};

TEST_P(FrameworkSnapshot, ReplaysToTheExpectedFindings) {
  auto& c = GetParam();
  auto r = run_program({GPUENV_BINARY, "doctor", "--json", "--from", snapshot(c.file)}, base_env());
  EXPECT_EQ(r.exit_code, c.exit) << r.err;
  auto doc = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out << r.err;
  std::vector<std::string> ids;
  std::string fix;
  for (auto& f : doc["findings"]) {
    auto id = f["id"].get<std::string>();
    ids.push_back(id);
    if (fix.empty() && (id.starts_with("framework.") || id.starts_with("toolkit."))) fix = f["fix"].get<std::string>();
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, c.ids) << r.out;
  if (*c.fix_contains) {
    EXPECT_NE(fix.find(c.fix_contains), std::string::npos) << fix;
  }
  // The text report names the same checks.
  auto text = run_program({GPUENV_BINARY, "doctor", "--from", snapshot(c.file)}, base_env());
  EXPECT_EQ(text.exit_code, c.exit);
  for (auto& id : c.ids) EXPECT_NE(text.out.find(id), std::string::npos) << id << "\n" << text.out;
  // The check's own finding says what it found and how to fix it.
  if (*c.check) {
    std::string said;
    for (auto& f : doc["findings"]) {
      if (f["id"] != c.check) continue;
      said = f["title"].get<std::string>() + "\n";
      for (auto& ev : f["evidence"]) said += ev["key"].get<std::string>() + ": " + ev["value"].get<std::string>() + "\n";
      said += f["cause"].get<std::string>() + "\n" + f["fix"].get<std::string>();
      break;
    }
    EXPECT_FALSE(said.empty()) << "no " << c.check << " finding\n" << r.out;
    for (auto& s : c.says) EXPECT_NE(said.find(s), std::string::npos) << s << "\n---\n" << said;
  }
}

INSTANTIATE_TEST_SUITE_P(Snapshots, FrameworkSnapshot, ::testing::ValuesIn(kCases), [](const auto& info) {
  std::string n = info.param.file;
  n = n.substr(0, n.find('.'));
  // A snapshot with several cases: one test per check it names.
  if (std::count_if(std::begin(kCases), std::end(kCases), [&](auto& c) { return std::string(c.file) == info.param.file; }) > 1)
    n += std::string("_") + info.param.check;
  for (auto& ch : n)
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
});

TEST(FrameworkSnapshot, WarningsFailUnderStrict) {
  auto r = run_program({GPUENV_BINARY, "doctor", "--strict", "--from", snapshot("cpu-torch-on-h100.json")}, base_env());
  EXPECT_EQ(r.exit_code, 1) << r.out;
}

TEST(ToolkitProbeE2e, RootTreeAndCudaHome) {
  auto root = fs::path(gpuenv::test::temp_dir("gpuenv-toolkit-e2e"));
  auto write = [&](const std::string& rel, const std::string& text) {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << text;
  };
  write("usr/local/cuda-12.8/version.json", R"({"cuda": {"name": "CUDA SDK", "version": "12.8.93"}})");
  write("usr/local/cuda-12.8/bin/nvcc", "");
  write("usr/local/cuda-13.0/version.json", R"({"cuda": {"name": "CUDA SDK", "version": "13.0.88"}})");
  write("usr/local/cuda-13.0/bin/nvcc", "");
  fs::create_symlink("cuda-13.0", root / "usr/local/cuda");
  auto env = base_env();
  env["CUDA_HOME"] = "/usr/local/cuda-12.8";
  auto r = run_program({GPUENV_BINARY, "doctor", "--json", "--no-driver", "--root", root.string()}, env);
  auto doc = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out << r.err;
  auto& tk = doc["snapshot"]["toolkit"];
  ASSERT_EQ(tk["toolkits"].size(), 2u) << tk.dump(1);
  EXPECT_EQ(tk["selected_by"], "CUDA_HOME");
  EXPECT_EQ(tk["toolkits"][tk["selected"].get<int>()]["version"], "12.8.93");
  // Replaying the document keeps the toolkit facts.
  auto replay = run_program({GPUENV_BINARY, "doctor", "--json", "--from", "-"}, base_env(), r.out);
  auto again = json::parse(replay.out, nullptr, false);
  ASSERT_FALSE(again.is_discarded()) << replay.err;
  EXPECT_EQ(again["snapshot"]["toolkit"], tk);
  fs::remove_all(root);
}

TEST(WhichBuild, AnswersForTheSnapshotAndForGivenValues) {
  auto r = run_program({GPUENV_BINARY, "which-build", "--from", snapshot("cu130-on-pascal.json"), "torch"}, base_env());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("torch: 2.13 cu126 (CUDA 12.6)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--index-url https://download.pytorch.org/whl/cu126"), std::string::npos) << r.out;
  // An old driver and a Pascal GPU: torch and CuPy have a build, JAX has none (exit 1).
  auto j = run_program({GPUENV_BINARY, "which-build", "--json", "--from", snapshot("healthy-torch-h100.json"), "--driver",
                        "470.256.02", "--cc", "6.1", "--python", "3.10", "torch", "jax", "cupy"},
                       base_env());
  EXPECT_EQ(j.exit_code, 1) << j.err;
  auto doc = json::parse(j.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << j.out;
  ASSERT_EQ(doc.size(), 3u);
  EXPECT_EQ(doc[0]["variant"], "cu118");
  EXPECT_EQ(doc[0]["release"], "2.7");
  EXPECT_EQ(doc[0]["minor_compat"], true);
  EXPECT_EQ(doc[1]["found"], false);
  EXPECT_EQ(doc[2]["variant"], "cupy-cuda11x");
  EXPECT_EQ(doc[0]["query"]["env"], "pip");
  // Bad input is a usage error.
  EXPECT_EQ(run_program({GPUENV_BINARY, "which-build", "--no-driver", "paddle"}, base_env()).exit_code, 2);
  EXPECT_EQ(run_program({GPUENV_BINARY, "which-build", "--no-driver", "--cc", "nine", "torch"}, base_env()).exit_code, 2);
}
