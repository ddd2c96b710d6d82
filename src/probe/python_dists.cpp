// The static Python probe, distributions: the *.dist-info and *.egg-info of
// each sys.path directory (headers only) and the top-level modules that more
// than one directory provides.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <map>
#include <optional>

#include "probe/python_internal.hpp"
#include "util/strings.hpp"

namespace gpuenv {

// ---------------------------------------------------------------------------
// Distributions.

std::string normalize_dist_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool sep = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      sep = true;
      continue;
    }
    if (sep && !out.empty()) out += '-';
    sep = false;
    out += char(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::pair<std::string, std::string> split_metadata_dir_name(std::string_view name) {
  for (std::string_view ext : {".dist-info", ".egg-info"})
    if (name.ends_with(ext)) name.remove_suffix(ext.size());
  // name-version[-pyX.Y]: the version starts after the first '-' followed by a digit.
  for (size_t i = 0; i + 1 < name.size(); ++i)
    if (name[i] == '-' && std::isdigit(static_cast<unsigned char>(name[i + 1]))) {
      auto ver = name.substr(i + 1);
      if (auto py = ver.find("-py"); py != std::string_view::npos) ver = ver.substr(0, py);
      return {std::string(name.substr(0, i)), std::string(ver)};
    }
  return {std::string(name), ""};
}

void parse_metadata_headers(std::string_view text, Distribution& d) {
  size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the headers: the description follows
    if (line[0] == ' ' || line[0] == '\t') continue;  // continuation of a long header
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto key = line.substr(0, colon);
    auto val = trim(line.substr(colon + 1));
    if (key == "Name") d.name = std::string(val);
    else if (key == "Version") d.version = std::string(val);
    else if (key == "Requires-Dist") d.requires_dist.emplace_back(val);
  }
}

namespace {

// Headers only: read a first block, more only when it holds no blank line.
std::optional<std::string> read_headers(const Fs& fs, const std::string& path) {
  auto text = fs.read_opt(path, 16 << 10);
  if (text && text->size() == (16u << 10) && text->find("\n\n") == std::string::npos)
    text = fs.read_opt(path, 1 << 20);
  return text;
}

}  // namespace

namespace {

// Reads `rel` under an open directory (openat: no lookup of the whole path per
// file). Stops at EOF, at `cap`, or, for METADATA headers, at the first blank line.
std::optional<std::string> read_at(int dfd, const std::string& rel, size_t cap, bool headers) {
  int fd = ::openat(dfd, rel.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[8192];
  while (out.size() < cap) {
    size_t want = std::min(sizeof buf, cap - out.size());
    ssize_t n = ::read(fd, buf, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    size_t from = out.size() > 2 ? out.size() - 2 : 0;
    out.append(buf, size_t(n));
    if (headers && out.find("\n\n", from) != std::string::npos) break;
    if (size_t(n) < want) break;  // a short read of a regular file: its end
  }
  ::close(fd);
  return out;
}

// The frameworks, their plugins and NVIDIA's wheels (directory names as on disk: torch-2.11.0.dist-info).
bool gpu_relevant_dist(const std::string& dir_name) {
  auto n = to_lower(dir_name);
  for (const char* p : {"torch", "tensorflow", "tf_", "tf-", "jax", "cupy", "nvidia", "triton", "tensorrt", "cuda"})
    if (n.starts_with(p)) return true;
  return false;
}

}  // namespace

const SiteScanCache::Dir& SiteScanCache::scan(const Fs& fs, const std::string& dir) {
  Dir& d = dirs[dir];
  if (d.scanned) return d;
  names(fs, dir);
  d.scanned = true;
  const bool debian_dir = contains(dir, "/dist-packages");
  // On the live machine, files are opened relative to the directory; under --root through Fs.
  int dfd = fs.is_live() ? ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  auto read = [&](const std::string& rel, size_t cap, bool headers) -> std::optional<std::string> {
    if (dfd >= 0) {
      auto t = read_at(dfd, rel, headers ? 16u << 10 : cap, headers);
      if (headers && t && t->size() == (16u << 10) && t->find("\n\n") == std::string::npos)
        t = read_at(dfd, rel, 1 << 20, true);
      return t;
    }
    return headers ? read_headers(fs, dir + "/" + rel) : fs.read_opt(dir + "/" + rel, cap);
  };
  for (auto& n : d.names) {
    bool dist_info = n.ends_with(".dist-info");
    if (!dist_info && !n.ends_with(".egg-info")) continue;
    Distribution dist;
    dist.location = dir;
    dist.metadata = dir + "/" + n;
    std::optional<std::string> text;
    if (dist_info) {
      text = read(n + "/METADATA", 0, true);
      // INSTALLER only where it matters (a second open per distribution otherwise doubles the scan).
      if (gpu_relevant_dist(n))
        if (auto inst = read(n + "/INSTALLER", 256, false)) dist.installer = std::string(trim(*inst));
    } else {
      text = read(n + "/PKG-INFO", 0, true);
      if (!text) text = read(n, 0, true);  // a single-file .egg-info
    }
    if (text) parse_metadata_headers(*text, dist);
    auto [name, version] = split_metadata_dir_name(n);
    if (dist.name.empty()) dist.name = name;
    if (dist.version.empty()) dist.version = version;
    if (dist.installer.empty() && debian_dir && dir.starts_with("/usr/lib/python")) dist.installer = "debian";
    d.dists.push_back(std::move(dist));
  }
  if (dfd >= 0) ::close(dfd);
  return d;
}

void scan_distributions(const ProbeContext& ctx, Interpreter& py, SiteScanCache& cache) {
  auto& fs = ctx.fs;
  py.distributions.clear();
  py.frameworks.clear();
  py.shadowed_modules.clear();
  python_probe::SiteDirs dirs;
  for (auto& e : py.sys_path) {
    if (!e.exists || e.origin == "stdlib" || e.origin == "lib-dynload" || e.origin == "PYTHONHOME") continue;
    if (e.path.ends_with(".zip") || e.path.ends_with(".egg") || e.path.ends_with(".whl")) continue;
    dirs.emplace_back(e.path, &cache.scan(fs, e.path));
  }
  std::map<std::string, std::string> first;  // normalized name -> location
  for (auto& [path, d] : dirs)
    for (auto& dist : d->dists) {
      auto n = normalize_dist_name(dist.name);
      py.distributions.push_back(dist);
      auto [it, fresh] = first.emplace(n, path);
      if (!fresh && it->second != path) py.distributions.back().shadowed_by = it->second;
    }
  // Top-level modules provided by several entries, from the listings already made:
  // packages (names without a dot), modules (x.py), extension modules (x.cpython-312-x86_64-linux-gnu.so, x.so).
  std::map<std::string, std::vector<std::pair<std::string, bool>>> providers;  // name -> (entry, is a file module)
  std::vector<std::string> order;
  for (auto& [path, d] : dirs)
    for (auto& n : d->names) {
      std::string mod;
      bool file = true;
      if (n.ends_with(".py")) mod = n.substr(0, n.size() - 3);
      else if (n.ends_with(".so")) mod = n.substr(0, n.find('.'));
      else if (n.find('.') == std::string::npos) mod = n, file = false;
      if (mod.empty() || mod == "__pycache__" || mod.find('-') != std::string::npos ||
          std::isdigit(static_cast<unsigned char>(mod[0])))
        continue;
      auto& v = providers[mod];
      if (v.empty()) order.push_back(mod);
      if (v.empty() || v.back().first != path) v.emplace_back(path, file);
    }
  for (auto& mod : order) {
    auto& v = providers[mod];
    if (v.size() < 2) continue;
    // The first module or regular package (with __init__.py) wins; directories without one are
    // namespace portions (PEP 420), merged only when no regular package exists anywhere.
    ShadowedModule sm;
    sm.name = mod;
    for (auto& [path, file] : v) {
      bool regular = file || fs.exists(path + "/" + mod + "/__init__.py");
      if (sm.wins.empty() && regular) sm.wins = path;
      else sm.shadowed.push_back(path);
    }
    if (!sm.wins.empty() && !sm.shadowed.empty()) py.shadowed_modules.push_back(std::move(sm));
  }

  python_probe::add_frameworks(fs, py, dirs);
}

}  // namespace gpuenv
