// CUDA toolkits: the one CUDA_HOME / CUDA_PATH names, the one whose nvcc is on PATH, /usr/local/cuda and its
// versioned siblings. Versions come from the toolkit's version.json or version.txt, an nvidia_cuda_nvcc dist-info, else CUDA_VERSION in
// include/cuda.h; nvcc is never run. Every read goes through the --root Fs.
#include <nlohmann/json.hpp>

#include "probe/probes.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

#include <utility>

namespace gpuenv {

namespace {

// "13.0.2" from version.json, "11.2.152" from version.txt ("CUDA Version 11.2.152"), "12.4" from cuda.h.
void read_version(const Fs& fs, CudaToolkit& t, std::vector<std::string>& problems) {
  auto json_path = path_join(t.path, "version.json");
  if (auto text = fs.read_opt(json_path, 1 << 20)) {
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("cuda") && j["cuda"].is_object() &&
        j["cuda"].contains("version") && j["cuda"]["version"].is_string()) {
      t.version = j["cuda"]["version"].get<std::string>();
      t.version_file = json_path;
      return;
    }
    problems.push_back(json_path + ": no cuda.version in it (not the JSON of a CUDA toolkit)");
  }
  auto txt_path = path_join(t.path, "version.txt");
  if (auto text = fs.read_opt(txt_path, 1 << 16)) {
    auto pos = text->find("CUDA Version ");
    if (pos != std::string::npos && Version::parse(text->substr(pos + 13))) {
      t.version = Version::parse(text->substr(pos + 13))->str();
      t.version_file = txt_path;
      return;
    }
    problems.push_back(txt_path + ": no \"CUDA Version\" line");
  }
  // A toolkit assembled from NVIDIA's wheels (dist-info/nvidia_cuda_nvcc-13.0.88.dist-info).
  for (auto& name : fs.list(path_join(t.path, "dist-info")))
    if (name.starts_with("nvidia_cuda_nvcc-") && name.ends_with(".dist-info")) {
      auto v = Version::parse(name.substr(17));
      if (!v) continue;
      t.version = v->str();
      t.version_file = path_join(t.path, "dist-info/" + name);
      return;
    }
  // The headers: cuda.h (driver API, cuda-driver-dev) or cuda_runtime_api.h (cuda-cudart-dev).
  for (auto [file, macro] : {std::pair{"include/cuda.h", "#define CUDA_VERSION "},
                             std::pair{"include/cuda_runtime_api.h", "#define CUDART_VERSION "}}) {
    auto header = path_join(t.path, file);
    auto text = fs.read_opt(header, 4 << 20);
    if (!text) continue;
    auto pos = text->find(macro);
    if (pos == std::string::npos) continue;
    if (auto n = parse_int(trim(std::string_view(*text).substr(pos + std::string_view(macro).size(), 8)))) {
      t.version = cuda_version_string(int(*n));
      t.version_file = header;
      return;
    }
  }
  // Slim images (a container with only cuda-nvcc) keep neither version files nor headers: nvcc itself
  // carries "Cuda compilation tools, release 13.0, V13.0.88" (what `nvcc --version` prints).
  if (!t.nvcc.empty())
    if (auto bin = fs.read_opt(t.nvcc, 64 << 20)) {
      auto pos = bin->find("Cuda compilation tools, release ");
      if (pos != std::string::npos) {
        auto rest = std::string_view(*bin).substr(pos, 80);
        auto v = rest.find(", V");
        if (v != std::string_view::npos)
          if (auto ver = Version::parse(rest.substr(v + 3))) {
            t.version = ver->str();
            t.version_file = t.nvcc;
            return;
          }
      }
    }
  // Last: the versioned directory name (/usr/local/cuda -> /usr/local/cuda-13.0).
  auto dir = base_name(t.realpath.empty() ? t.path : t.realpath);
  if (dir.starts_with("cuda-"))
    if (auto v = Version::parse(dir.substr(5))) {
      t.version = v->str();
      t.version_file = t.realpath.empty() ? t.path : t.realpath;
    }
}

}  // namespace

void probe_toolkit(const ProbeContext& ctx, Snapshot& s) {
  auto& out = s.toolkit;
  auto add = [&](const std::string& dir, const std::string& how) -> int {
    if (dir.empty() || !ctx.fs.is_dir(dir)) return -1;
    std::string real = ctx.fs.realpath(dir).value_or(dir);
    for (size_t i = 0; i < out.toolkits.size(); ++i)
      if (out.toolkits[i].realpath == real) {
        out.toolkits[i].found_as.push_back(how);
        return int(i);
      }
    CudaToolkit t;
    t.path = normalize_path(dir);
    t.realpath = real;
    if (ctx.fs.exists(path_join(dir, "bin/nvcc"))) t.nvcc = path_join(t.path, "bin/nvcc");
    read_version(ctx.fs, t, out.problems);
    // A directory with neither nvcc nor a version is not a toolkit (CUDA_HOME=/usr on a machine without one).
    if (t.nvcc.empty() && t.version.empty()) return -1;
    t.found_as.push_back(how);
    out.toolkits.push_back(std::move(t));
    return int(out.toolkits.size() - 1);
  };
  auto select = [&](int idx, const std::string& by) {
    if (out.selected < 0 && idx >= 0) {
      out.selected = idx;
      out.selected_by = by;
    }
  };

  // torch.utils.cpp_extension._find_cuda_home and CuPy: CUDA_HOME, then CUDA_PATH, then nvcc on PATH, then
  // /usr/local/cuda. A variable that is set decides, even when it names nothing usable.
  bool env_decides = false;
  for (const char* var : {"CUDA_HOME", "CUDA_PATH"}) {
    auto* v = ctx.getenv(var);
    if (!v || v->empty() || env_decides) continue;
    env_decides = true;
    int idx = add(*v, var);
    if (idx < 0)
      out.problems.push_back(std::string(var) + "=" + *v + " names no CUDA toolkit (no bin/nvcc, no version file)");
    select(idx, var);
  }
  if (auto* path = ctx.getenv("PATH"))
    for (auto& dir : split(*path, ':', false)) {
      auto nvcc = path_join(dir, "nvcc");
      if (!ctx.fs.exists(nvcc)) continue;
      out.nvcc_on_path = nvcc;
      // The toolkit of a /usr/local/cuda-12.8/bin/nvcc; a link (/usr/bin/nvcc -> ...) counts where it points.
      std::string bin = dir_name(nvcc);
      if (auto real = ctx.fs.realpath(nvcc); real && *real != nvcc) {
        int idx = add(dir_name(dir_name(*real)), "PATH:nvcc");
        if (idx < 0) idx = add(dir_name(bin), "PATH:nvcc");
        if (!env_decides) select(idx, "PATH:nvcc");
      } else {
        int idx = add(dir_name(bin), "PATH:nvcc");
        if (!env_decides) select(idx, "PATH:nvcc");
      }
      break;
    }
  int idx = add("/usr/local/cuda", "/usr/local/cuda");
  if (!env_decides && out.nvcc_on_path.empty()) select(idx, "/usr/local/cuda");
  for (auto& name : ctx.fs.list("/usr/local"))
    if (name.starts_with("cuda-")) add("/usr/local/" + name, "/usr/local/" + name);
}

}  // namespace gpuenv
