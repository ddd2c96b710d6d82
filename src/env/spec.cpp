#include "env/spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include "util/tomlpp.hpp"

#include "util/strings.hpp"
#include "util/toml_guard.hpp"

namespace gpuenv {

namespace {

struct SpecError {
  std::string message;
};

std::string where(const std::string& path, const toml::source_region& r) {
  return fmt::format("{}:{}:{}", path, r.begin.line, r.begin.column);
}

[[noreturn]] void fail(const std::string& path, const toml::node& n, const std::string& msg) {
  throw SpecError{where(path, n.source()) + ": " + msg};
}

void check_keys(const std::string& path, const toml::table& t, const std::string& section,
                const std::set<std::string>& allowed) {
  for (auto& [k, v] : t) {
    if (allowed.count(std::string(k.str()))) continue;
    std::string list = join(std::vector<std::string>(allowed.begin(), allowed.end()), ", ");
    throw SpecError{where(path, k.source()) + ": unknown key '" + std::string(k.str()) + "'" +
                    (section.empty() ? "" : " in [" + section + "]") + " (expected one of: " + list + ")"};
  }
}

std::string get_string(const std::string& path, const toml::node& n, const std::string& key) {
  if (auto* s = n.as_string()) return s->get();
  fail(path, n, "'" + key + "' must be a string");
}

bool get_bool(const std::string& path, const toml::node& n, const std::string& key) {
  if (auto* b = n.as_boolean()) return b->get();
  fail(path, n, "'" + key + "' must be true or false");
}

std::vector<std::string> get_string_array(const std::string& path, const toml::node& n, const std::string& key) {
  auto* arr = n.as_array();
  if (!arr) fail(path, n, "'" + key + "' must be an array of strings");
  std::vector<std::string> out;
  for (auto& x : *arr) out.push_back(get_string(path, x, key + "[]"));
  return out;
}

const toml::table& get_table(const std::string& path, const toml::node& n, const std::string& key) {
  if (auto* t = n.as_table()) return *t;
  fail(path, n, "'" + key + "' must be a table");
}

bool valid_env_name(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

void parse_python(const std::string& path, const toml::table& t, Spec& s) {
  check_keys(path, t, "python", {"interpreter", "version", "no_user_site"});
  if (auto* n = t.get("interpreter")) {
    s.interpreter = get_string(path, *n, "interpreter");
    if (s.interpreter.empty()) fail(path, *n, "'interpreter' must not be empty");
  }
  if (auto* n = t.get("version")) {
    s.python_version = get_string(path, *n, "version");
    auto parts = split(s.python_version, '.');
    bool ok = parts.size() >= 2 && parts.size() <= 3;
    for (auto& p : parts) ok = ok && !p.empty() && p.find_first_not_of("0123456789") == std::string::npos;
    if (!ok) fail(path, *n, "'version' must look like \"3.11\" or \"3.11.9\", not \"" + s.python_version + "\"");
  }
  if (auto* n = t.get("no_user_site")) s.no_user_site = get_bool(path, *n, "no_user_site");
}

void parse_frameworks(const std::string& path, const toml::table& t, Spec& s) {
  static const std::set<std::string> accel{"cuda", "cpu", "rocm"};
  for (auto& [k, v] : t) {
    SpecFramework f;
    f.name = std::string(k.str());
    if (auto* str = v.as_string()) {
      f.accelerator = str->get();
    } else if (auto* tbl = v.as_table()) {
      check_keys(path, *tbl, "frameworks." + f.name, {"accelerator", "version"});
      if (auto* n = tbl->get("accelerator")) f.accelerator = get_string(path, *n, "accelerator");
      if (auto* n = tbl->get("version")) f.version = get_string(path, *n, "version");
    } else {
      fail(path, v, "framework '" + f.name + "' must be an accelerator (\"cuda\", \"cpu\", \"rocm\") or a table "
                    "{ accelerator = \"cuda\", version = \"2.11\" }");
    }
    if (!f.accelerator.empty() && !accel.count(f.accelerator))
      fail(path, v, "unknown accelerator '" + f.accelerator + "' for " + f.name + " (expected cuda, cpu or rocm)");
    s.frameworks.push_back(std::move(f));
  }
}

// One CUDA_VISIBLE_DEVICES entry: an index (0 or more) or a UUID ("GPU-...", "MIG-..."; CUDA also takes a
// unique prefix of one, so only the form is checked).
bool valid_visible_entry(const std::string& e) {
  if (!e.empty() && e.find_first_not_of("0123456789") == std::string::npos) return e.size() < 10;
  if (!e.starts_with("GPU-") && !e.starts_with("MIG-")) return false;
  return e.size() > 4 && e.find_first_of(", \t\n") == std::string::npos;
}

void parse_gpus(const std::string& path, const toml::table& t, Spec& s) {
  check_keys(path, t, "gpus", {"visible"});
  auto* n = t.get("visible");
  if (!n) return;
  const std::string entries = "GPU indices (0, 1) or UUIDs (\"GPU-...\", \"MIG-...\")";
  if (auto* str = n->as_string()) {
    const std::string& v = str->get();  // "all" unsets CUDA_VISIBLE_DEVICES; "" hides every GPU; else a list
    if (v != "all" && !v.empty())
      for (auto& e : split(v, ',', true))
        if (!valid_visible_entry(e))
          fail(path, *n, "'visible' = \"" + v + "\": '" + e + "' is not a GPU; entries must be " + entries);
    s.visible_gpus = v;
    return;
  }
  if (auto* arr = n->as_array()) {
    std::vector<std::string> parts;
    for (auto& x : *arr) {
      if (auto* i = x.as_integer()) {
        if (i->get() < 0) fail(path, x, "GPU indices in 'visible' must be 0 or more");
        parts.push_back(std::to_string(i->get()));
      } else if (auto* u = x.as_string()) {
        if (!valid_visible_entry(u->get()))
          fail(path, x, "'" + u->get() + "' in 'visible' is not a GPU: entries must be " + entries);
        parts.push_back(u->get());
      } else {
        fail(path, x, "'visible' entries must be " + entries);
      }
    }
    s.visible_gpus = join(parts, ",");
    return;
  }
  fail(path, *n, "'visible' must be \"all\", a list of GPU indices such as [0, 1], or a list of UUIDs");
}

void parse_libraries(const std::string& path, const toml::table& t, Spec& s) {
  check_keys(path, t, "libraries", {"extra_dirs"});
  if (auto* n = t.get("extra_dirs")) {
    for (auto& d : get_string_array(path, *n, "extra_dirs")) {
      if (d.empty()) fail(path, *n, "'extra_dirs' entries must not be empty");
      s.library_dirs.push_back(d.starts_with('/') || s.dir.empty() ? normalize_path(d) : normalize_path(s.dir + "/" + d));
    }
  }
}

void parse_env(const std::string& path, const toml::table& t, Spec& s) {
  check_keys(path, t, "env", {"set", "unset"});
  if (auto* n = t.get("set")) {
    auto& set = get_table(path, *n, "set");
    // toml++ keeps keys sorted; the spec's order is the file's.
    std::vector<std::pair<const toml::key*, const toml::node*>> items;
    for (auto& [k, v] : set) items.emplace_back(&k, &v);
    std::sort(items.begin(), items.end(), [](auto& x, auto& y) {
      auto a = x.first->source().begin, b = y.first->source().begin;
      return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
    for (auto& [kp, vp] : items) {
      auto& k = *kp;
      auto& v = *vp;
      std::string name(k.str());
      if (!valid_env_name(name)) throw SpecError{where(path, k.source()) + ": '" + name + "' is not a valid variable name"};
      std::string value;
      if (auto* str = v.as_string()) value = str->get();
      else if (auto* i = v.as_integer()) value = std::to_string(i->get());
      else if (auto* b = v.as_boolean()) value = b->get() ? "1" : "0";
      else fail(path, v, "the value of " + name + " must be a string, an integer or a boolean");
      s.env_set.emplace_back(name, value);
    }
  }
  if (auto* n = t.get("unset")) {
    for (auto& name : get_string_array(path, *n, "unset")) {
      if (!valid_env_name(name)) fail(path, *n, "'" + name + "' is not a valid variable name");
      s.env_unset.push_back(name);
    }
  }
  for (auto& [k, v] : s.env_set)
    for (auto& u : s.env_unset)
      if (k == u) fail(path, t, k + " is both set and unset");
}

}  // namespace

Result<Spec> parse_spec(std::string_view text, const std::string& path) {
  Spec s;
  s.path = path;
  s.dir = path.empty() ? "" : dir_name(path);
  try {
    toml::table root;
    if (auto bad = toml_unsafe_input(text)) return make_error(path + ":" + *bad);
    try {
      root = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
      return make_error(fmt::format("{}:{}:{}: {}", path, e.source().begin.line, e.source().begin.column,
                                    std::string(e.description())));
    }
    check_keys(path, root, "", {"schema", "python", "frameworks", "gpus", "libraries", "env"});
    if (auto* n = root.get("schema")) {
      auto* i = n->as_integer();
      if (!i) fail(path, *n, "'schema' must be an integer");
      if (i->get() > kSpecSchema)
        fail(path, *n, fmt::format("spec schema {} is newer than this gpuenv understands ({}); upgrade gpuenv", i->get(),
                                   kSpecSchema));
      if (i->get() < 1) fail(path, *n, "'schema' must be 1");
    }
    if (auto* n = root.get("python")) parse_python(path, get_table(path, *n, "python"), s);
    if (auto* n = root.get("frameworks")) parse_frameworks(path, get_table(path, *n, "frameworks"), s);
    if (auto* n = root.get("gpus")) parse_gpus(path, get_table(path, *n, "gpus"), s);
    if (auto* n = root.get("libraries")) parse_libraries(path, get_table(path, *n, "libraries"), s);
    if (auto* n = root.get("env")) parse_env(path, get_table(path, *n, "env"), s);
  } catch (const SpecError& e) {
    return make_error(e.message);
  }
  return s;
}

std::optional<std::string> find_spec(const std::string& start_dir, const Fs& fs) {
  std::string dir = normalize_path(start_dir);
  for (;;) {
    std::string candidate = dir == "/" ? std::string("/") + kSpecFileName : dir + "/" + kSpecFileName;
    if (fs.stat(candidate).kind == FileKind::Regular) return candidate;
    if (dir == "/" || dir == ".") return std::nullopt;
    dir = dir_name(dir);
  }
}

Result<Spec> load_spec(const std::string& path, const Fs& fs) {
  auto text = fs.read(path, 1 << 20);
  if (!text) return make_error("cannot read " + text.error());
  return parse_spec(*text, path);
}

FoundSpec spec_for_directory(const std::string& dir, const Fs& fs) {
  FoundSpec found;
  if (!dir.starts_with('/')) return found;
  auto path = find_spec(dir, fs);
  if (!path) return found;
  auto spec = load_spec(*path, fs);
  if (spec) found.spec = std::move(spec).value();
  else found.error = spec.error();
  return found;
}

}  // namespace gpuenv
