// The static Python probe, frameworks: how torch, TensorFlow, JAX and CuPy were
// built (CUDA or not, which CUDA, which NVIDIA wheels they require), read from
// their version files and their distributions' metadata.
#include <algorithm>
#include <cctype>
#include <map>

#include "probe/python_internal.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

bool has_name(const SiteScanCache::Dir& d, const std::string& n) {
  return std::binary_search(d.names.begin(), d.names.end(), n);
}

// The value assigned to `key` in a Python file: "key = 'v'", "key: Optional[str] = 'v'",
// "'key': 'v'" inside a dict. Quotes removed; "None" stays "None"; lists as written.
std::string py_assignment(std::string_view text, std::string_view key) {
  for (size_t pos = text.find(key); pos != std::string_view::npos; pos = text.find(key, pos + 1)) {
    bool quoted = pos > 0 && (text[pos - 1] == '\'' || text[pos - 1] == '"');
    bool line_start = pos == 0 || text[pos - 1] == '\n';
    if (!quoted && !line_start) continue;
    size_t i = pos + key.size();
    if (quoted) {
      if (i >= text.size() || text[i] != text[pos - 1]) continue;
      ++i;
      while (i < text.size() && text[i] == ' ') ++i;
      if (i >= text.size() || text[i] != ':') continue;
      ++i;
    } else {
      while (i < text.size() && text[i] == ' ') ++i;
      if (i < text.size() && text[i] == ':') {  // an annotation
        auto eq = text.find('=', i);
        auto nl = text.find('\n', i);
        if (eq == std::string_view::npos || (nl != std::string_view::npos && nl < eq)) continue;
        i = eq;
      }
      if (i >= text.size() || text[i] != '=') continue;
      ++i;
    }
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) return "";
    char c = text[i];
    if (c == '\'' || c == '"') {
      auto end = text.find(c, i + 1);
      if (end == std::string_view::npos) return "";
      return std::string(text.substr(i + 1, end - i - 1));
    }
    if (c == '[') {
      auto end = text.find(']', i);
      return end == std::string_view::npos ? "" : std::string(text.substr(i, end - i + 1));
    }
    size_t end = i;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_' || text[end] == '.')) ++end;
    return std::string(text.substr(i, end - i));
  }
  return "";
}

std::vector<std::string> py_string_list(const std::string& list) {
  std::vector<std::string> out;
  for (size_t i = 0; i < list.size(); ++i) {
    char c = list[i];
    if (c != '\'' && c != '"') continue;
    auto end = list.find(c, i + 1);
    if (end == std::string::npos) break;
    out.push_back(list.substr(i + 1, end - i - 1));
    i = end;
  }
  return out;
}

std::string local_tag(const std::string& version) {
  auto plus = version.find('+');
  return plus == std::string::npos ? "" : version.substr(plus + 1);
}

// "nvidia-cudnn-cu13==9.13.0.50" from "nvidia-cudnn-cu13==9.13.0.50; platform_system == 'Linux'".
std::string requirement_without_marker(const std::string& r) {
  return std::string(trim(std::string_view(r).substr(0, r.find(';'))));
}

std::string requirement_name(const std::string& r) {
  size_t end = 0;
  while (end < r.size() && (std::isalnum(static_cast<unsigned char>(r[end])) || r[end] == '-' || r[end] == '_' || r[end] == '.')) ++end;
  return normalize_dist_name(r.substr(0, end));
}

const Distribution* find_dist(const std::vector<Distribution>& dists, const std::string& location,
                              std::initializer_list<std::string_view> names) {
  for (auto n : names)
    for (auto& d : dists)
      if (d.location == location && normalize_dist_name(d.name) == n) return &d;
  return nullptr;
}

// The winning copy of a distribution anywhere on sys.path.
const Distribution* winning_dist(const Interpreter& py, std::string_view name) {
  for (auto& d : py.distributions)
    if (d.shadowed_by.empty() && normalize_dist_name(d.name) == name) return &d;
  return nullptr;
}

void nvidia_requirements(const Distribution* d, Framework& fw) {
  if (!d) return;
  for (auto& r : d->requires_dist)
    if (requirement_name(r).starts_with("nvidia-")) fw.required_wheels.push_back(requirement_without_marker(r));
}

Framework read_torch(const Fs& fs, const Interpreter& py, const std::string& site) {
  Framework fw;
  fw.name = "torch";
  fw.location = site + "/torch";
  auto text = fs.read_opt(fw.location + "/version.py", 1 << 16).value_or("");
  fw.version = py_assignment(text, "__version__");
  auto cuda = py_assignment(text, "cuda");
  auto hip = py_assignment(text, "hip");
  auto* d = find_dist(py.distributions, site, {"torch"});
  if (d) {
    fw.distribution = d->name;
    if (fw.version.empty()) fw.version = d->version;
  }
  auto tag = local_tag(fw.version);
  if (!cuda.empty() && cuda != "None") {
    fw.cuda_build = true;
    fw.cuda_version = cuda;
    fw.variant = tag.empty() ? "cu" + replace_all(cuda, ".", "") : tag;
  } else if (!hip.empty() && hip != "None") {
    fw.variant = tag.empty() ? "rocm" : tag;
  } else {
    fw.variant = "cpu";
  }
  nvidia_requirements(d, fw);
  return fw;
}

Framework read_tensorflow(const Fs& fs, const Interpreter& py, const std::string& site) {
  Framework fw;
  fw.name = "tensorflow";
  fw.location = site + "/tensorflow";
  auto text = fs.read_opt(fw.location + "/python/platform/build_info.py", 1 << 16).value_or("");
  auto is_cuda = py_assignment(text, "is_cuda_build");
  auto is_rocm = py_assignment(text, "is_rocm_build");
  fw.cuda_build = is_cuda == "True";
  fw.cuda_version = py_assignment(text, "cuda_version");
  if (fw.cuda_version.empty()) fw.cuda_version = py_assignment(text, "cuda_version_number");
  fw.cudnn_version = py_assignment(text, "cudnn_version");
  if (fw.cudnn_version.empty()) fw.cudnn_version = py_assignment(text, "cudnn_version_number");
  if (!fw.cuda_build) fw.cuda_version = fw.cudnn_version = "";
  fw.arch_list = py_string_list(py_assignment(text, "cuda_compute_capabilities"));
  auto* d = find_dist(py.distributions, site,
                      {"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tf-nightly", "tensorflow-intel",
                       "tensorflow-rocm", "tensorflow-aarch64", "intel-tensorflow"});
  if (d) {
    fw.distribution = d->name;
    fw.version = d->version;
  }
  nvidia_requirements(d, fw);
  bool extra_installed = !fw.required_wheels.empty() &&
                         std::all_of(fw.required_wheels.begin(), fw.required_wheels.end(),
                                     [&](auto& r) { return winning_dist(py, requirement_name(r)) != nullptr; });
  if (is_rocm == "True") fw.variant = "rocm";
  else if (!fw.cuda_build || (d && normalize_dist_name(d->name) == "tensorflow-cpu")) fw.variant = "cpu";
  else fw.variant = extra_installed ? "and-cuda" : "cuda";
  return fw;
}

Framework read_jax(const Fs& fs, const Interpreter& py, const std::string& site) {
  Framework fw;
  fw.name = "jax";
  fw.location = site + "/jax";
  auto* d = find_dist(py.distributions, site, {"jax"});
  if (d) fw.version = d->version;
  if (fw.version.empty()) fw.version = py_assignment(fs.read_opt(fw.location + "/version.py", 1 << 16).value_or(""), "_version");
  std::vector<std::string> parts{d ? d->name : "jax"};
  if (auto* jl = winning_dist(py, "jaxlib")) {
    parts.push_back(jl->name);
    // Old jaxlib wheels carried CUDA themselves: 0.4.20+cuda12.cudnn89.
    auto tag = local_tag(jl->version);
    if (tag.starts_with("cuda")) {
      fw.cuda_build = true;
      fw.variant = tag;
      auto dot = tag.find('.');
      fw.cuda_version = tag.substr(4, dot == std::string::npos ? std::string::npos : dot - 4);
      if (auto c = tag.find("cudnn"); c != std::string::npos && tag.size() > c + 6)
        fw.cudnn_version = tag.substr(c + 5, 1) + "." + tag.substr(c + 6);
    }
  }
  for (const char* major : {"13", "12", "11"}) {
    auto* plugin = winning_dist(py, std::string("jax-cuda") + major + "-plugin");
    auto* pjrt = winning_dist(py, std::string("jax-cuda") + major + "-pjrt");
    if (!plugin && !pjrt) continue;
    if (plugin) parts.push_back(plugin->name);
    if (pjrt) parts.push_back(pjrt->name);
    if (!fw.cuda_build) {
      fw.cuda_build = true;
      fw.cuda_version = major;
      fw.variant = std::string("cuda") + major;
    }
    nvidia_requirements(plugin, fw);
    nvidia_requirements(pjrt, fw);
  }
  if (fw.variant.empty()) fw.variant = "cpu";
  fw.distribution = join(parts, " + ");
  return fw;
}

Framework read_cupy(const Fs& fs, const Interpreter&, const std::string& site, const SiteScanCache::Dir& dir) {
  Framework fw;
  fw.name = "cupy";
  fw.location = site + "/cupy";
  const Distribution* d = nullptr;
  for (auto& x : dir.dists)
    if (normalize_dist_name(x.name).starts_with("cupy")) d = &x;
  if (d) {
    fw.distribution = d->name;
    fw.version = d->version;
    auto n = normalize_dist_name(d->name);
    if (n.starts_with("cupy-cuda")) {
      auto v = n.substr(9);  // 12x, 13x, 114, 102
      fw.cuda_build = true;
      fw.variant = "cuda" + v;
      if (v.ends_with('x')) fw.cuda_version = v.substr(0, v.size() - 1);
      else if (v.size() >= 3) fw.cuda_version = v.substr(0, v.size() - 1) + "." + v.substr(v.size() - 1);
    } else if (n.starts_with("cupy-rocm")) {
      fw.variant = "rocm";
    } else {
      fw.cuda_build = true;
      fw.variant = "source";  // built against the local toolkit at install time
    }
    nvidia_requirements(d, fw);
  }
  if (fw.version.empty())
    fw.version = py_assignment(fs.read_opt(fw.location + "/_version.py", 1 << 12).value_or(""), "__version__");
  return fw;
}

}  // namespace

void python_probe::add_frameworks(const Fs& fs, Interpreter& py, const SiteDirs& dirs) {
  std::map<std::string, std::string> winner;  // framework -> location
  for (auto& [path, d] : dirs) {
    std::vector<Framework> found;
    if (has_name(*d, "torch") && (fs.exists(path + "/torch/version.py") || fs.exists(path + "/torch/__init__.py")))
      found.push_back(read_torch(fs, py, path));
    if (has_name(*d, "tensorflow") && (fs.exists(path + "/tensorflow/__init__.py") ||
                                       fs.exists(path + "/tensorflow/python/platform/build_info.py")))
      found.push_back(read_tensorflow(fs, py, path));
    if (has_name(*d, "jax") && fs.exists(path + "/jax/__init__.py")) found.push_back(read_jax(fs, py, path));
    if (has_name(*d, "cupy") && fs.exists(path + "/cupy/__init__.py")) found.push_back(read_cupy(fs, py, path, *d));
    for (auto& fw : found) {
      auto [it, fresh] = winner.emplace(fw.name, fw.location);
      if (!fresh) fw.shadowed_by = it->second;
      py.frameworks.push_back(std::move(fw));
    }
  }
}

}  // namespace gpuenv
