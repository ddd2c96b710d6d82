#include "lock/lock.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include "util/tomlpp.hpp"

#include "env/activate.hpp"
#include "util/hash.hpp"
#include "util/parallel.hpp"
#include "util/strings.hpp"
#include "util/toml_guard.hpp"
#include "util/version.hpp"

namespace gpuenv {

std::string soname_stem(std::string_view name) {
  auto pos = name.find(".so");
  if (pos == std::string_view::npos) return std::string(name);
  return std::string(name.substr(0, pos + 3));
}

std::string soname_from_file(std::string_view file) {
  auto pos = file.find(".so");
  if (pos == std::string_view::npos) return std::string(file);
  auto rest = file.substr(pos + 3);
  if (rest.empty() || rest[0] != '.') return std::string(file.substr(0, pos + 3));
  auto end = rest.find('.', 1);
  return std::string(file.substr(0, pos + 3)) + std::string(rest.substr(0, end));
}

namespace {

bool under(const std::string& path, const std::string& dir) {
  if (dir.empty()) return false;
  auto d = normalize_path(dir);
  return path.size() > d.size() && path.starts_with(d) && path[d.size()] == '/';
}

// Where the loader found a file, in the terms of LibraryCopy::origin, from a Resolution's reason.
std::string origin_of_reason(const std::string& reason) {
  if (reason.starts_with("LD_LIBRARY_PATH")) return "LD_LIBRARY_PATH";
  if (reason.starts_with("RPATH") || reason.starts_with("RUNPATH")) return "runpath";
  if (reason.starts_with("ld.so.cache")) return "ld.so.conf";
  if (reason.starts_with("default path")) return "default";
  if (reason.starts_with("site-packages")) return "site-packages";
  return "";
}

std::string soname_of(const LibraryCopy& c) {
  if (!c.soname.empty()) return c.soname;
  return soname_from_file(base_name(c.path));
}

}  // namespace

std::vector<LockedLibrary> loaded_libraries(const Snapshot& s, const Interpreter* py) {
  auto from_py = [&](const std::string& path) { return py && under(path, py->prefix); };
  std::vector<LockedLibrary> out;
  auto add = [&](const LibraryCopy& c, std::vector<std::string> used_by) {
    LockedLibrary l;
    l.soname = soname_of(c);
    l.key = soname_stem(l.soname);
    l.family = c.name;
    l.path = c.path;
    l.realpath = c.realpath.empty() ? c.path : c.realpath;
    l.version = c.version;
    l.size = c.size;
    l.origin = from_py(c.path) || from_py(c.realpath) ? "wheel" : c.origin;
    l.used_by = std::move(used_by);
    out.push_back(std::move(l));
  };
  if (auto* drv = driver_library_copy(s)) {
    add(*drv, {"driver"});
    for (auto& c : s.libraries.copies)
      if (c.name == "nvidia-ml" && !c.stub && c.version == drv->version) {
        add(c, {"driver"});
        break;
      }
  }
  // What the loader resolves for each framework of the locked interpreter, in the order the probe resolved them;
  // the first copy of a soname stem wins.
  std::map<std::string, size_t> by_key;  // soname stem -> index in out
  auto of_interpreter = [&](const Consumer& con) {  // a framework this interpreter imports
    if (!py || under(con.location, py->prefix)) return true;  // from its own site-packages
    for (auto& f : py->frameworks)  // or from elsewhere on its sys.path (PYTHONPATH)
      if (f.name == con.name && (f.location == con.location || dir_name(f.location) == con.location)) return true;
    return false;
  };
  for (auto& con : s.libraries.consumers) {
    if (con.kind != "framework") continue;
    if (!of_interpreter(con)) continue;
    for (auto& r : con.loads) {
      if (r.path.empty() || r.family.empty() || r.family == "cuda" || r.family == "nvidia-ml") continue;
      auto real = r.realpath.empty() ? r.path : r.realpath;
      const LibraryCopy* copy = nullptr;
      for (auto& c : s.libraries.copies)
        if ((c.realpath.empty() ? c.path : c.realpath) == real) {
          copy = &c;
          break;
        }
      // The inventory's copy (size, soname, where it was found), else what the resolution says.
      LibraryCopy c = copy ? *copy : LibraryCopy{};
      if (!copy) {
        c.name = r.family;
        c.realpath = real;
        c.soname = r.kind == "load" ? soname_from_file(base_name(r.path)) : r.name;
        c.version = r.version;
      }
      c.path = r.path;  // as the loader reaches it
      if (!copy || r.reason.starts_with("LD_LIBRARY_PATH")) c.origin = origin_of_reason(r.reason);
      auto key = soname_stem(soname_of(c));
      auto it = by_key.find(key);
      if (it == by_key.end()) {
        by_key[key] = out.size();
        add(c, {con.name});
      } else if (out[it->second].realpath == real) {
        auto& u = out[it->second].used_by;
        if (std::find(u.begin(), u.end(), con.name) == u.end()) u.push_back(con.name);
      }
    }
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.key < b.key; });
  return out;
}

Lock lock_from_snapshot(const Snapshot& s, int interpreter, const FileHasher& hash) {
  Lock l;
  l.arch = s.host.arch;
  l.kernel_module = s.kernel.version;
  l.libcuda = s.cuda.library_version.empty() ? s.nvml.library_version : s.cuda.library_version;
  int api = s.cuda.driver_version ? s.cuda.driver_version : s.nvml.cuda_driver_version;
  if (api > 0) l.cuda_driver_api = cuda_version_string(api);
  if (!s.cuda.devices.empty()) {
    for (auto& d : s.cuda.devices) l.gpus.push_back({d.index, d.name, fmt::format("{}.{}", d.cc_major, d.cc_minor)});
  } else {
    for (auto& d : s.nvml.devices) l.gpus.push_back({d.index, d.name, fmt::format("{}.{}", d.cc_major, d.cc_minor)});
  }
  if (interpreter < 0) interpreter = s.python.active;
  const Interpreter* py = interpreter >= 0 && interpreter < int(s.python.interpreters.size())
                              ? &s.python.interpreters[size_t(interpreter)]
                              : nullptr;
  if (py) {
    l.python = LockedInterpreter{py->path, py->realpath, py->version, py->kind, py->prefix};
    for (auto& f : py->frameworks)
      l.frameworks.push_back({f.name, f.version, f.distribution, f.cuda_build ? "cuda" : "cpu", f.cuda_version,
                              f.cudnn_version, f.location});
    std::sort(l.frameworks.begin(), l.frameworks.end(), [](auto& a, auto& b) { return a.name < b.name; });
    std::set<std::string> seen;
    for (auto& d : py->distributions) {
      auto n = replace_all(to_lower(d.name), "_", "-");
      if (!n.starts_with("nvidia-") || !seen.insert(n).second) continue;
      l.wheels.push_back({n, d.version});
    }
    std::sort(l.wheels.begin(), l.wheels.end(), [](auto& a, auto& b) { return a.name < b.name; });
  }
  l.libraries = loaded_libraries(s, py);
  if (hash)  // the files are large (cuDNN, cuBLAS: hundreds of MB each) and independent: hashed side by side
    parallel_for(l.libraries.size(), worker_count(8), [&](std::size_t i) { l.libraries[i].sha256 = hash(l.libraries[i].realpath); });
  // TOML holds UTF-8 only: a byte that is not (a path, a GPU name) becomes U+FFFD here, after hashing, so the lock
  // `lock` writes and the one `verify` builds from this machine agree (docs/lock.md).
  auto fix = [](std::string& v) { v = valid_utf8(v); };
  for (auto* v : {&l.arch, &l.kernel_module, &l.libcuda, &l.cuda_driver_api}) fix(*v);
  for (auto& g : l.gpus) fix(g.name), fix(g.compute_capability);
  if (l.python)
    for (auto* v : {&l.python->path, &l.python->realpath, &l.python->version, &l.python->kind, &l.python->prefix}) fix(*v);
  for (auto& f : l.frameworks)
    for (auto* v : {&f.name, &f.version, &f.distribution, &f.accelerator, &f.cuda, &f.cudnn, &f.location}) fix(*v);
  for (auto& w : l.wheels) fix(w.name), fix(w.version);
  for (auto& lib : l.libraries) {
    for (auto* v : {&lib.key, &lib.family, &lib.soname, &lib.path, &lib.realpath, &lib.version, &lib.origin}) fix(*v);
    for (auto& u : lib.used_by) fix(u);
  }
  return l;
}

// ---- TOML text ----

namespace {

std::string q(std::string_view raw) {
  std::string out = "\"";
  const std::string s = valid_utf8(raw);  // TOML is UTF-8 only
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) out += fmt::format("\\u{:04x}", c);
        else out += char(c);
    }
  }
  return out + "\"";
}

std::string q_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + q(v[i]);
  return out + "]";
}

constexpr std::string_view kChecksumKey = "checksum = \"sha256:";

}  // namespace

std::string render_lock(const Lock& l) {
  std::string b;
  b += "\n[machine]\n";
  b += "arch = " + q(l.arch) + "\n";
  b += "kernel_module = " + q(l.kernel_module) + "\n";
  b += "libcuda = " + q(l.libcuda) + "\n";
  b += "cuda_driver_api = " + q(l.cuda_driver_api) + "   # the newest CUDA this driver runs\n";
  for (auto& g : l.gpus) {
    b += "\n[[gpu]]\n";
    b += fmt::format("index = {}\n", g.index);
    b += "name = " + q(g.name) + "\n";
    b += "compute_capability = " + q(g.compute_capability) + "\n";
  }
  if (l.python) {
    b += "\n[python]\n";
    b += "path = " + q(l.python->path) + "\n";
    b += "realpath = " + q(l.python->realpath) + "\n";
    b += "version = " + q(l.python->version) + "\n";
    b += "kind = " + q(l.python->kind) + "\n";
    b += "prefix = " + q(l.python->prefix) + "\n";
  }
  for (auto& f : l.frameworks) {
    b += "\n[[framework]]\n";
    b += "name = " + q(f.name) + "\n";
    b += "version = " + q(f.version) + "\n";
    b += "distribution = " + q(f.distribution) + "\n";
    b += "accelerator = " + q(f.accelerator) + "\n";
    b += "cuda = " + q(f.cuda) + "\n";
    b += "cudnn = " + q(f.cudnn) + "\n";
    b += "location = " + q(f.location) + "\n";
  }
  for (auto& w : l.wheels) {
    b += "\n[[wheel]]\n";
    b += "name = " + q(w.name) + "\n";
    b += "version = " + q(w.version) + "\n";
  }
  for (auto& lib : l.libraries) {
    b += "\n[[library]]\n";
    b += "key = " + q(lib.key) + "\n";
    b += "family = " + q(lib.family) + "\n";
    b += "soname = " + q(lib.soname) + "\n";
    b += "path = " + q(lib.path) + "\n";
    b += "realpath = " + q(lib.realpath) + "\n";
    b += "version = " + q(lib.version) + "\n";
    b += fmt::format("size = {}\n", lib.size);
    b += "sha256 = " + q(lib.sha256) + "\n";
    b += "origin = " + q(lib.origin) + "\n";
    b += "used_by = " + q_list(lib.used_by) + "\n";
  }
  std::string head =
      "# gpuenv.lock: the fingerprint of a working GPU stack, written by `gpuenv lock`.\n"
      "# `gpuenv verify` compares this machine with it. Do not edit: the checksum covers every line below it.\n";
  head += fmt::format("schema = {}\n", l.schema);
  head += std::string(kChecksumKey) + sha256_hex(b) + "\"\n";
  return head + b;
}

namespace {

struct LockError {
  std::string msg;
};

std::string str(const toml::table& t, const char* key, const std::string& where) {
  auto* n = t.get(key);
  if (!n) throw LockError{where + ": missing '" + key + "'"};
  auto* s = n->as_string();
  if (!s) throw LockError{fmt::format("{}:{}:{}: '{}' must be a string", where, n->source().begin.line,
                                      n->source().begin.column, key)};
  return s->get();
}

const toml::array* arr_of_tables(const toml::table& root, const char* key, const std::string& path) {
  auto* n = root.get(key);
  if (!n) return nullptr;
  auto* a = n->as_array();
  if (!a || !a->is_array_of_tables()) throw LockError{path + ": '" + key + "' must be an array of tables ([[" + key + "]])"};
  return a;
}

}  // namespace

Result<Lock> parse_lock(std::string_view text, const std::string& path) {
  const std::string damaged = "; run `gpuenv lock` to write it again (verify cannot trust it)";
  // The schema first: a newer gpuenv may have changed everything else.
  int schema = -1;
  for (auto& line : split_lines(text)) {
    auto t = trim(line);
    if (t.starts_with("schema")) {
      auto eq = t.find('=');
      if (eq != std::string_view::npos) {
        auto v = parse_int(trim(t.substr(eq + 1)));
        if (v) schema = int(*v);
      }
      break;
    }
  }
  if (schema < 0) {
    if (trim(text).empty()) return make_error(path + " is empty (truncated?)" + damaged);
    return make_error(path + " has no 'schema' line: it is not a gpuenv lock, or it is damaged" + damaged);
  }
  if (schema > kLockSchema)
    return make_error(fmt::format("{} was written by a newer gpuenv (lock schema {}; this gpuenv reads {}): upgrade "
                                  "gpuenv to verify it",
                                  path, schema, kLockSchema));
  if (schema < 1) return make_error(fmt::format("{}: invalid lock schema {}", path, schema));

  // The checksum covers everything after its own line.
  auto pos = text.find(kChecksumKey);
  if (pos == std::string_view::npos || (pos > 0 && text[pos - 1] != '\n'))
    return make_error(path + " has no checksum line: it is truncated or was edited" + damaged);
  auto eol = text.find('\n', pos);
  if (eol == std::string_view::npos) return make_error(path + " is truncated after its checksum line" + damaged);
  auto stated = text.substr(pos + kChecksumKey.size(), eol - pos - kChecksumKey.size());
  if (stated.ends_with('"')) stated.remove_suffix(1);
  auto body = text.substr(eol + 1);
  if (sha256_hex(body) != stated)
    return make_error(path + " does not match its checksum: it was truncated or edited by hand" + damaged);

  Lock l;
  l.schema = schema;
  try {
    toml::table root;
    if (auto bad = toml_unsafe_input(text)) return make_error(path + ":" + *bad + damaged);
    try {
      root = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
      return make_error(fmt::format("{}:{}:{}: {}{}", path, e.source().begin.line, e.source().begin.column,
                                    std::string(e.description()), damaged));
    }
    auto* m = root["machine"].as_table();
    if (!m) throw LockError{path + ": missing [machine]"};
    l.arch = str(*m, "arch", path);
    l.kernel_module = str(*m, "kernel_module", path);
    l.libcuda = str(*m, "libcuda", path);
    l.cuda_driver_api = str(*m, "cuda_driver_api", path);
    if (auto* a = arr_of_tables(root, "gpu", path))
      for (auto& n : *a) {
        auto& t = *n.as_table();
        LockedGpu g;
        g.index = int(t["index"].value_or<int64_t>(0));
        g.name = str(t, "name", path);
        g.compute_capability = str(t, "compute_capability", path);
        l.gpus.push_back(g);
      }
    if (auto* p = root["python"].as_table())
      l.python = LockedInterpreter{str(*p, "path", path), str(*p, "realpath", path), str(*p, "version", path),
                                   str(*p, "kind", path), str(*p, "prefix", path)};
    if (auto* a = arr_of_tables(root, "framework", path))
      for (auto& n : *a) {
        auto& t = *n.as_table();
        l.frameworks.push_back({str(t, "name", path), str(t, "version", path), str(t, "distribution", path),
                                str(t, "accelerator", path), str(t, "cuda", path), str(t, "cudnn", path),
                                str(t, "location", path)});
      }
    if (auto* a = arr_of_tables(root, "wheel", path))
      for (auto& n : *a) {
        auto& t = *n.as_table();
        l.wheels.push_back({str(t, "name", path), str(t, "version", path)});
      }
    if (auto* a = arr_of_tables(root, "library", path))
      for (auto& n : *a) {
        auto& t = *n.as_table();
        LockedLibrary lib;
        lib.key = str(t, "key", path);
        lib.family = str(t, "family", path);
        lib.soname = str(t, "soname", path);
        lib.path = str(t, "path", path);
        lib.realpath = str(t, "realpath", path);
        lib.version = str(t, "version", path);
        auto size = t["size"].value<int64_t>();
        if (!size || *size < 0) throw LockError{path + ": library " + lib.path + " has no valid 'size'"};
        lib.size = std::uint64_t(*size);
        lib.sha256 = str(t, "sha256", path);
        lib.origin = str(t, "origin", path);
        if (auto* u = t["used_by"].as_array())
          for (auto& x : *u) lib.used_by.push_back(x.value_or<std::string>(""));
        l.libraries.push_back(std::move(lib));
      }
  } catch (const LockError& e) {
    return make_error(e.msg + damaged);
  }
  return l;
}

}  // namespace gpuenv
