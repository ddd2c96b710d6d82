#include "model/python_paths.hpp"

#include <algorithm>
#include <set>

#include "util/strings.hpp"

namespace gpuenv {

namespace {

bool digits(std::string_view s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos; }

// "3.12" if s starts with "3.12" followed by end, '.', '-' or '/'.
std::string leading_minor(std::string_view s) {
  size_t dot = s.find('.');
  if (dot == std::string_view::npos || !digits(s.substr(0, dot))) return "";
  size_t end = dot + 1;
  while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
  if (end == dot + 1) return "";
  if (end < s.size() && s[end] != '.' && s[end] != '-' && s[end] != '/' && s[end] != 't') return "";
  return std::string(s.substr(0, end));
}

// The store object name ("<hash>-<name>") of a /nix/store path, and its name part.
bool nix_store_name(std::string_view path, std::string_view& object, std::string_view& name) {
  constexpr std::string_view store = "/nix/store/";
  if (!path.starts_with(store)) return false;
  auto rest = path.substr(store.size());
  object = rest.substr(0, rest.find('/'));
  auto dash = object.find('-');
  if (dash == std::string_view::npos || dash < 8) return false;
  name = object.substr(dash + 1);
  return true;
}

}  // namespace

std::string python_minor_version(std::string_view version) {
  auto dot = version.find('.');
  if (dot == std::string_view::npos) return std::string(version);
  auto second = version.find('.', dot + 1);
  return std::string(version.substr(0, second));
}

std::string python_version_in_path(std::string_view path) {
  // A "python3.X" directory component (lib/python3.12, include/python3.12).
  size_t pos = 0;
  while ((pos = path.find("/python", pos)) != std::string_view::npos) {
    pos += 7;
    auto v = leading_minor(path.substr(pos));
    if (!v.empty() && (pos + v.size() == path.size() || path[pos + v.size()] == '/' ||
                       (path[pos + v.size()] == 't' && (pos + v.size() + 1 == path.size() || path[pos + v.size() + 1] == '/'))))
      return v;
  }
  // Nix store names: python3-3.12.4, python3.12-numpy-1.26.4, python3-3.12.4-env.
  std::string_view object, name;
  if (nix_store_name(path, object, name)) {
    if (name.starts_with("python3-") || name.starts_with("python2-")) {
      auto v = leading_minor(name.substr(8));
      if (!v.empty()) return v;
    }
    if (name.starts_with("python")) {
      auto v = leading_minor(name.substr(6));
      if (!v.empty()) return v;
    }
  }
  return "";
}

std::string nix_interpreter_prefix(std::string_view path) {
  std::string_view object, name;
  if (!nix_store_name(path, object, name)) return "";
  for (std::string_view impl : {"python3-", "python2-", "pypy3-"}) {
    if (!name.starts_with(impl)) continue;
    auto rest = name.substr(impl.size());
    auto v = leading_minor(rest);
    if (v.empty()) continue;
    // Only the interpreter (and its -env): "python3-3.11.9" or "python3-3.11.9-env".
    size_t end = v.size();
    while (end < rest.size() && (rest[end] == '.' || (rest[end] >= '0' && rest[end] <= '9'))) ++end;
    auto tail = rest.substr(end);
    if (tail.empty() || tail == "-env") return "/nix/store/" + std::string(object);
  }
  return "";
}

std::string python_prefix_in_path(std::string_view path) {
  auto nix = nix_interpreter_prefix(path);
  if (!nix.empty()) return nix;
  for (std::string_view lib : {"/lib/python", "/lib64/python"}) {
    auto pos = path.find(lib);
    if (pos == std::string_view::npos) continue;
    auto after = path.substr(pos + lib.size());
    auto v = leading_minor(after);
    std::string_view rest;
    if (!v.empty()) rest = after.substr(v.size());
    else if (after.starts_with("3/")) rest = after.substr(1);  // Debian's /usr/lib/python3/dist-packages
    else continue;
    if (rest.starts_with("t/")) rest = rest.substr(1);  // free-threaded python3.13t
    if (rest.starts_with("/site-packages") || rest.starts_with("/dist-packages"))
      return pos == 0 ? "/" : std::string(path.substr(0, pos));
  }
  return "";
}

namespace {

// The declared interpreter and the other prefixes, normalized once for a whole PYTHONPATH.
struct Judge {
  std::string mine;  // "3.11"
  std::vector<std::string> own, others;

  Judge(const PythonIdentity& self, const std::vector<std::string>& other_prefixes)
      : mine(python_minor_version(self.version)) {
    for (auto& o : self.own_prefixes)
      if (!o.empty()) own.push_back(normalize_path(o));
    for (auto& o : other_prefixes)
      if (!o.empty()) others.push_back(normalize_path(o));
  }
  bool is_own(const std::string& p) const { return std::find(own.begin(), own.end(), p) != own.end(); }

  EntryVerdict operator()(const std::string& entry) const {  // entry: normalized, not empty
    auto v = python_version_in_path(entry);
    if (!v.empty() && !mine.empty() && v != mine)
      return {false, "Python " + v + " packages; the declared interpreter is Python " + mine};
    auto nix = nix_interpreter_prefix(entry);
    if (!nix.empty() && !is_own(nix)) return {false, "inside another interpreter's store path " + nix};
    auto prefix = python_prefix_in_path(entry);
    if (!prefix.empty() && !is_own(prefix) && std::find(others.begin(), others.end(), prefix) != others.end())
      return {false, "site-packages of another interpreter (prefix " + prefix + ")"};
    return {};
  }
};

}  // namespace

EntryVerdict classify_pythonpath_entry(std::string_view entry, const PythonIdentity& self,
                                       const std::vector<std::string>& other_prefixes) {
  if (entry.empty()) return {};
  return Judge(self, other_prefixes)(normalize_path(entry));
}

PythonPathRepair repair_pythonpath(std::string_view value, const PythonIdentity& self,
                                   const std::vector<std::string>& other_prefixes) {
  PythonPathRepair r;
  Judge judge(self, other_prefixes);
  std::set<std::string> seen;
  for (auto& e : split(value, ':', true)) {
    if (e.empty()) {
      // An empty entry means the current directory: left alone, and only once.
      if (seen.insert("").second) r.kept.push_back(e);
      else r.removed.emplace_back(e, "repeats an earlier entry");
      continue;
    }
    auto [key, fresh] = seen.insert(normalize_path(e));
    if (!fresh) {
      r.removed.emplace_back(e, "repeats an earlier entry");
      continue;
    }
    auto verdict = judge(*key);
    if (verdict.keep) r.kept.push_back(e);
    else r.removed.emplace_back(e, std::move(verdict.reason));
  }
  return r;
}

}  // namespace gpuenv
