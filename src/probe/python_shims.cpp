// The static Python probe, version managers: a shim of pyenv, asdf or mise
// resolved to the executable it would run, the way the manager itself chooses
// it (its version sources in its order of precedence), read from files only;
// no shim and no manager is ever run. uv-managed Pythons and conda
// environments need no resolving: uv's links and conda's bin/python are the
// interpreters themselves (inspect_interpreter follows links).
#include <algorithm>
#include <cctype>
#include <optional>

#include "probe/python.hpp"
#include "probe/python_internal.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

namespace gpuenv {

namespace {

bool executable(const Fs& fs, const std::string& p) {
  auto st = fs.stat(p);
  return st.kind == FileKind::Regular && (st.mode & 0111);
}

// `name` on PATH, leaving out the shim directory (what every manager's "system" means).
std::string on_path_without(const ProbeContext& ctx, const std::string& name, const std::string& shim_dir) {
  for (auto& d : split(ctx.getenv_or("PATH"), ':', false)) {
    if (normalize_path(d) == normalize_path(shim_dir)) continue;
    if (executable(ctx.fs, d + "/" + name)) return d + "/" + name;
  }
  return "";
}

// The directory under `installs` for a version: the exact name, else the newest
// installed release it is a prefix of ("3.12" -> "3.12.7"; pre-releases left out).
std::string installed_version_dir(const Fs& fs, const std::string& installs, const std::string& version) {
  if (version.empty() || version.find('/') != std::string::npos || version == "..") return "";
  if (fs.is_dir(installs + "/" + version)) return installs + "/" + version;
  std::optional<Version> best;
  std::string best_name;
  for (auto& n : fs.list(installs)) {
    if (!n.starts_with(version + ".") || !python_probe::all_of_chars(n, "0123456789.")) continue;
    auto v = Version::parse(n);
    if (v && (!best || *v > *best)) best = v, best_name = n;
  }
  return best_name.empty() ? "" : installs + "/" + best_name;
}

// The first file named one of `names` from `dir` up to "/", with its text.
std::optional<std::pair<std::string, std::string>> find_up(const Fs& fs, std::string dir,
                                                          const std::vector<std::string>& names) {
  dir = dir.starts_with('/') ? normalize_path(dir) : "";
  while (!dir.empty()) {
    for (auto& n : names)
      if (auto t = fs.read_opt(path_join(dir, n), 1 << 16)) return std::make_pair(path_join(dir, n), *t);
    if (dir == "/") break;
    dir = dir_name(dir);
  }
  return std::nullopt;
}

struct Selection {
  std::vector<std::string> versions;
  std::string origin;
};

void resolve_versions(const ProbeContext& ctx, ShimResolution& r, const Selection& sel, const std::string& installs,
                      const std::string& shim_dir, bool system_last, bool prefixes) {
  auto name = base_name(r.shim);
  auto versions = sel.versions;
  if (system_last) versions.push_back("system");
  r.selected = join(sel.versions, ":") + " (" + sel.origin + ")";
  for (auto& v : versions) {
    std::string exe;
    if (v == "system") {
      exe = on_path_without(ctx, name, shim_dir);
    } else if (v.starts_with("path:")) {
      exe = v.substr(5) + "/bin/" + name;
    } else {
      auto dir = prefixes ? installed_version_dir(ctx.fs, installs, v)
                          : (ctx.fs.is_dir(installs + "/" + v) ? installs + "/" + v : "");
      if (dir.empty() && prefixes && v.starts_with("python-")) dir = installed_version_dir(ctx.fs, installs, v.substr(7));
      if (!dir.empty()) exe = dir + "/bin/" + name;
    }
    if (!exe.empty() && executable(ctx.fs, exe)) {
      r.target = exe;
      return;
    }
  }
}

// pyenv (libexec/pyenv-which, pyenv-version-name): PYENV_VERSION, else the first
// .python-version from $PYENV_DIR (default: the current directory) up, else
// $PYENV_ROOT/version, else system; each may be a prefix of an installed
// version; the command is looked up in each, then always in the system PATH.
void resolve_pyenv(const ProbeContext& ctx, ShimResolution& r) {
  std::string root = ctx.getenv_or("PYENV_ROOT");
  if (root.empty()) root = dir_name(dir_name(r.shim));
  Selection sel;
  std::string text;
  if (auto v = ctx.getenv_or("PYENV_VERSION"); !v.empty()) {
    text = v, sel.origin = "PYENV_VERSION";
  } else if (auto f = find_up(ctx.fs, ctx.getenv_or("PYENV_DIR", ctx.getenv_or("PWD")), {".python-version"})) {
    text = f->second, sel.origin = f->first;
  } else if (auto t = ctx.fs.read_opt(root + "/version", 1 << 12)) {
    text = *t, sel.origin = root + "/version";
  }
  sel.versions = pyenv_version_file_words(text);
  if (sel.versions.empty()) sel.versions = {"system"}, sel.origin = sel.origin.empty() ? "default" : sel.origin;
  resolve_versions(ctx, r, sel, root + "/versions", root + "/shims", true, true);
}

// asdf: ASDF_<TOOL>_VERSION, else the first .tool-versions naming the tool from
// the current directory up, else ~/.tool-versions; versions are exact names
// under $ASDF_DATA_DIR/installs/<tool>/, "system" or "path:DIR".
void resolve_asdf(const ProbeContext& ctx, ShimResolution& r, const std::string& tool) {
  std::string data = ctx.getenv_or("ASDF_DATA_DIR");
  if (data.empty()) data = dir_name(dir_name(r.shim));
  std::string file_name = ctx.getenv_or("ASDF_DEFAULT_TOOL_VERSIONS_FILENAME", ".tool-versions");
  Selection sel;
  std::string upper = tool;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return char(std::toupper(c)); });
  if (auto v = ctx.getenv_or("ASDF_" + upper + "_VERSION"); !v.empty()) {
    sel.versions = split(v, ' ', false), sel.origin = "ASDF_" + upper + "_VERSION";
  } else {
    std::string dir = normalize_path(ctx.getenv_or("PWD"));
    std::vector<std::string> dirs;
    while (dir.starts_with('/')) {
      dirs.push_back(dir);
      if (dir == "/") break;
      dir = dir_name(dir);
    }
    if (auto home = ctx.getenv_or("HOME"); !home.empty()) dirs.push_back(normalize_path(home));
    for (auto& d : dirs) {
      auto f = path_join(d, file_name);
      if (auto t = ctx.fs.read_opt(f, 1 << 16)) {
        sel.versions = tool_versions_entry(*t, tool);
        if (!sel.versions.empty()) {
          sel.origin = f;
          break;
        }
      }
    }
  }
  if (sel.versions.empty()) return;  // asdf: "No version is set for command python"
  resolve_versions(ctx, r, sel, data + "/installs/" + tool, data + "/shims", false, false);
}

// mise: MISE_<TOOL>_VERSION, else the first config naming the tool from the
// current directory up (mise.local.toml, mise.toml and their dotted and .config
// forms, then .tool-versions), else the global config; a version may be a prefix.
void resolve_mise(const ProbeContext& ctx, ShimResolution& r, const std::string& tool) {
  std::string data = ctx.getenv_or("MISE_DATA_DIR");
  if (data.empty()) data = dir_name(dir_name(r.shim));
  Selection sel;
  std::string upper = tool;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return char(std::toupper(c)); });
  if (auto v = ctx.getenv_or("MISE_" + upper + "_VERSION"); !v.empty()) {
    sel.versions = {v}, sel.origin = "MISE_" + upper + "_VERSION";
  } else {
    static const std::vector<std::string> local = {"mise.local.toml", ".mise.local.toml",     "mise.toml",
                                                   ".mise.toml",      ".config/mise.toml",    ".mise/config.toml",
                                                   "mise/config.toml", ".config/mise/config.toml"};
    std::string dir = normalize_path(ctx.getenv_or("PWD"));
    std::vector<std::string> files;
    while (dir.starts_with('/')) {
      for (auto& n : local) files.push_back(path_join(dir, n));
      files.push_back(path_join(dir, ".tool-versions"));
      if (dir == "/") break;
      dir = dir_name(dir);
    }
    std::string config = ctx.getenv_or("MISE_CONFIG_DIR");
    if (config.empty()) config = ctx.getenv_or("XDG_CONFIG_HOME", ctx.getenv_or("HOME") + "/.config") + "/mise";
    files.push_back(config + "/config.toml");
    for (auto& f : files) {
      auto t = ctx.fs.read_opt(f, 1 << 16);
      if (!t) continue;
      sel.versions = base_name(f) == ".tool-versions" ? tool_versions_entry(*t, tool) : mise_toml_tool(*t, tool);
      if (!sel.versions.empty()) {
        sel.origin = f;
        break;
      }
    }
  }
  if (sel.versions.empty()) return;
  resolve_versions(ctx, r, sel, data + "/installs/" + tool, data + "/shims", false, true);
}

}  // namespace

std::vector<std::string> pyenv_version_file_words(std::string_view text) {
  std::vector<std::string> out;
  for (auto& line : split_lines(text)) {
    auto l = std::string(trim(line));
    if (l.empty() || l.starts_with('#')) continue;
    for (auto& w : split(replace_all(replace_all(l, "\t", " "), ":", " "), ' ', false))
      if (w != ".." && w.find('/') == std::string::npos) out.push_back(w);
  }
  return out;
}

std::vector<std::string> tool_versions_entry(std::string_view text, const std::string& tool) {
  for (auto& line : split_lines(text)) {
    auto l = std::string(trim(line.substr(0, line.find('#'))));
    auto words = split(replace_all(l, "\t", " "), ' ', false);
    if (words.size() > 1 && words[0] == tool) return {words.begin() + 1, words.end()};
  }
  return {};
}

std::vector<std::string> mise_toml_tool(std::string_view text, const std::string& tool) {
  bool in_tools = false;
  for (auto& line : split_lines(text)) {
    auto l = std::string(trim(line));
    if (l.starts_with('[')) {
      in_tools = l == "[tools]";
      continue;
    }
    if (!in_tools) continue;
    auto eq = l.find('=');
    if (eq == std::string::npos) continue;
    auto key = std::string(trim(std::string_view(l).substr(0, eq)));
    if (key.size() >= 2 && key.front() == '"' && key.back() == '"') key = key.substr(1, key.size() - 2);
    if (key != tool) continue;
    auto value = std::string_view(l).substr(eq + 1);
    bool table = trim(value).starts_with('{');
    if (table) {  // { version = "3.12", virtualenv = ".venv" }: the version's string only
      auto v = value.find("version");
      if (v == std::string_view::npos) return {};
      value = value.substr(v + 7);
    }
    // Every quoted string of the value, in order: "3.12", ["3.12", "3.11"], { version = "3.12" }.
    std::vector<std::string> out;
    for (size_t i = 0; i < value.size();) {
      auto q = value.find('"', i);
      if (q == std::string_view::npos) break;
      auto e = value.find('"', q + 1);
      if (e == std::string_view::npos) break;
      out.emplace_back(value.substr(q + 1, e - q - 1));
      if (table) break;
      i = e + 1;
    }
    return out;
  }
  return {};
}

ShimResolution resolve_shim(const ProbeContext& ctx, const std::string& path) {
  ShimResolution r;
  r.shim = path;
  if (!contains(path, "/shims/")) return r;
  auto& fs = ctx.fs;
  auto link = fs.realpath(path);
  auto head = fs.read_opt(path, 4096);
  auto name = base_name(path);
  if (link && base_name(*link) == "mise") {
    r.manager = "mise";  // mise's shims are links to the mise binary
  } else if (head && head->starts_with("#!")) {
    if (contains(*head, "asdf exec") || contains(*head, "asdf-plugin")) r.manager = "asdf";
    else if (contains(*head, "mise")) r.manager = "mise";
    else if (contains(*head, "pyenv")) r.manager = "pyenv";
  }
  if (r.manager == "pyenv") {
    resolve_pyenv(ctx, r);
  } else if (r.manager == "asdf") {
    std::string tool = "python";  // "# asdf-plugin: python 3.12.1" lines name the plugins providing it
    for (auto& l : split_lines(*head))
      if (l.starts_with("# asdf-plugin: ")) {
        auto w = split(l.substr(15), ' ', false);
        if (!w.empty()) tool = w[0];
        break;
      }
    resolve_asdf(ctx, r, tool);
  } else if (r.manager == "mise") {
    resolve_mise(ctx, r, name.starts_with("python") || name.starts_with("pip") ? "python" : name);
  }
  return r;
}

std::string ShimResolution::describe() const {
  std::string s = shim + " is " + manager + "'s shim";
  s += target.empty() ? ", and " + manager + " would find no " + base_name(shim) : " for " + target;
  s += " (selected: " + (selected.empty() ? std::string("nothing") : selected) + ")";
  return s;
}

}  // namespace gpuenv
