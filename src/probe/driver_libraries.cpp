// Copies of the user-space driver libraries (libcuda, libnvidia-ml) on disk,
// wherever they really live: the loader's configured directories,
// LD_LIBRARY_PATH, NixOS, WSL, container driver mounts, CUDA stubs and
// cuda-compat. Lets checks say "libcuda exists at X but the loader misses it".
#include <set>

#include "probe/probes.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

struct Dir {
  std::string path;
  std::string origin;
};

void read_ld_conf(const Fs& fs, const std::string& file, std::vector<std::string>& out, int depth = 0) {
  if (depth > 8) return;
  auto text = fs.read_opt(file, 1 << 20);
  if (!text) return;
  for (auto& raw : split_lines(*text)) {
    auto line = std::string(trim(raw.substr(0, raw.find('#'))));
    if (line.empty()) continue;
    if (line.starts_with("include")) {
      auto pattern = std::string(trim(std::string_view(line).substr(7)));
      if (!pattern.starts_with('/')) pattern = dir_name(file) + "/" + pattern;
      // Only the usual "dir/*.conf" form of glob.
      auto dir = dir_name(pattern);
      auto base = base_name(pattern);
      auto star = base.find('*');
      for (auto& name : fs.list(dir)) {
        bool match = star == std::string::npos
                         ? name == base
                         : name.starts_with(base.substr(0, star)) && name.ends_with(base.substr(star + 1));
        if (match) read_ld_conf(fs, dir + "/" + name, out, depth + 1);
      }
      continue;
    }
    for (auto& d : split(line, ' ', false)) out.push_back(d);
  }
}

bool is_driver_lib(const std::string& name, std::string& family) {
  for (const char* f : {"libcuda.so", "libnvidia-ml.so"}) {
    if (name == f || name.starts_with(std::string(f) + ".")) {
      family = std::string(f) == "libcuda.so" ? "cuda" : "nvidia-ml";
      return true;
    }
  }
  return false;
}

}  // namespace

void probe_driver_libraries(const ProbeContext& ctx, Snapshot& s) {
  auto& fs = ctx.fs;
  std::vector<Dir> dirs;
  if (auto* llp = ctx.getenv("LD_LIBRARY_PATH"))
    for (auto& d : split(*llp, ':', false)) dirs.push_back({d, "LD_LIBRARY_PATH"});
  std::vector<std::string> conf;
  read_ld_conf(fs, "/etc/ld.so.conf", conf);
  for (auto& d : conf) dirs.push_back({d, "ld.so.conf"});
  for (const char* d : {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                        "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"})
    dirs.push_back({d, "default"});
  dirs.push_back({"/run/opengl-driver/lib", "nixos-driver"});
  dirs.push_back({"/usr/lib/wsl/lib", "wsl"});
  for (const char* d : {"/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/usr/lib/nvidia", "/usr/lib64/nvidia",
                        "/usr/lib/x86_64-linux-gnu/nvidia/current"})
    dirs.push_back({d, "driver-dir"});
  for (auto& name : fs.list("/usr/local")) {
    if (!name.starts_with("cuda")) continue;
    std::string base = "/usr/local/" + name;
    dirs.push_back({base + "/lib64/stubs", "cuda-stubs"});
    dirs.push_back({base + "/compat", "cuda-compat"});
    for (auto& t : fs.list(base + "/targets")) dirs.push_back({base + "/targets/" + t + "/lib/stubs", "cuda-stubs"});
  }
  dirs.push_back({"/opt/cuda/lib64/stubs", "cuda-stubs"});

  std::set<std::string> seen_real;
  std::set<std::string> seen_dirs;
  for (auto& d : dirs) {
    auto canon = fs.realpath(d.path);
    if (!canon || !seen_dirs.insert(*canon).second) continue;
    for (auto& name : fs.list(d.path)) {
      std::string family;
      if (!is_driver_lib(name, family)) continue;
      std::string path = normalize_path(d.path + "/" + name);
      auto real = fs.realpath(path);
      if (!real) continue;  // dangling link
      if (!seen_real.insert(*real).second) continue;
      LibraryCopy c;
      c.name = family;
      c.path = path;
      c.realpath = *real;
      auto real_base = base_name(*real);
      auto prefix = family == "cuda" ? std::string("libcuda.so.") : std::string("libnvidia-ml.so.");
      if (real_base.starts_with(prefix)) c.version = real_base.substr(prefix.size());
      if (c.version == "1") c.version.clear();
      c.soname = family == "cuda" ? "libcuda.so.1" : "libnvidia-ml.so.1";
      c.stub = contains(*real, "/stubs/") || d.origin == "cuda-stubs";
      c.origin = c.stub ? "cuda-stubs" : d.origin;
      c.size = fs.stat(*real).size;
      s.libraries.copies.push_back(std::move(c));
    }
  }
}

}  // namespace gpuenv
