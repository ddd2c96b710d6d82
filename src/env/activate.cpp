#include "env/activate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "model/python_paths.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

struct Builder {
  Environment env;
  std::map<std::string, VarChange> notes;  // keyed by variable

  const std::string* get(const std::string& k) const {
    auto it = env.find(k);
    return it == env.end() ? nullptr : &it->second;
  }
  VarChange& note(const std::string& k) {
    auto& c = notes[k];
    c.name = k;
    return c;
  }
  void set(const std::string& k, const std::string& v, const std::string& why) {
    auto* cur = get(k);
    if (cur && *cur == v) return;
    env[k] = v;
    note(k).why.push_back(why);
  }
  void unset(const std::string& k, const std::string& why) {
    if (!get(k)) return;
    env.erase(k);
    note(k).why.push_back(why);
  }
};

bool same_dir(const std::string& a, const std::string& b) { return normalize_path(a) == normalize_path(b); }

std::vector<std::string> list_of(const Builder& b, const std::string& k) {
  auto* v = b.get(k);
  return v ? split(*v, ':', true) : std::vector<std::string>{};
}

int origin_rank(const std::string& origin) {
  // Where the real driver is expected to live, most specific first.
  if (origin == "nixos-driver") return 0;
  if (origin == "wsl") return 1;
  if (origin == "driver-dir") return 2;
  if (origin == "LD_LIBRARY_PATH") return 3;
  if (origin == "ld.so.conf") return 4;
  if (origin == "default") return 5;
  return 9;  // cuda-compat and unknown places last
}

bool is_stub_dir(const Snapshot& s, const std::string& dir) {
  std::string d = normalize_path(dir);
  if (base_name(d) == "stubs") return true;
  for (auto& c : s.libraries.copies)
    if (c.stub && same_dir(dir_name(c.path), d)) return true;
  return false;
}

// The non-stub libcuda copy in directory `dir`, if any.
const LibraryCopy* libcuda_in(const Snapshot& s, const std::string& dir) {
  for (auto& c : s.libraries.copies)
    if (c.name == "cuda" && !c.stub && same_dir(dir_name(c.path), dir)) return &c;
  return nullptr;
}

void activate_python(const ActivationInput& in, Builder& b, Activation& out) {
  auto& spec = in.spec;
  if (!spec.declares_python()) return;
  if (in.interpreter < 0 || in.interpreter >= int(in.snap.python.interpreters.size())) {
    out.errors.push_back(in.interpreter_error.empty() ? "the declared Python interpreter was not found"
                                                      : in.interpreter_error);
    return;
  }
  const Interpreter& py = in.snap.python.interpreters[size_t(in.interpreter)];
  out.interpreter = py.path;
  if (!spec.python_version.empty()) {
    auto want = spec.python_version;
    bool ok = !py.version.empty() && (py.version == want || py.version.starts_with(want + "."));
    if (!ok) {
      out.errors.push_back(fmt::format("{} declares Python {}, but {} is Python {}", spec.path.empty() ? "the spec" : spec.path,
                                       want, py.path, py.version.empty() ? "of unknown version" : py.version));
      return;
    }
  }

  // PATH: `python` must be the declared interpreter.
  std::string bin = dir_name(py.path);
  bool dedicated = py.kind == "venv" || py.kind == "conda" || py.kind == "nix" || py.kind == "pyenv";
  if (!(in.python_in_bin_dir && dedicated)) {
    // A system directory (/usr/bin) would bring every other program with it:
    // use a directory holding only the interpreter's names instead.
    if (in.shim_root.empty()) {
      out.errors.push_back("cannot pin " + py.path + " as `python`: " + in.shim_root_error);
      return;
    }
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : py.path) h = (h ^ c) * 1099511628211ull;
    out.shim_dir = fmt::format("{}/{:016x}", in.shim_root, h);
    bin = out.shim_dir;
    auto minor = python_minor_version(py.version);
    out.shim_links = {{"python", py.path}, {"python3", py.path}};
    if (!minor.empty()) out.shim_links.emplace_back("python" + minor, py.path);
  }
  auto path = list_of(b, "PATH");
  if (path.empty() || !same_dir(path[0], bin)) {
    std::vector<std::string> np{bin};
    for (auto& p : path)
      if (!same_dir(p, bin)) np.push_back(p);
    b.set("PATH", join(np, ":"), "put " + bin + " first, so that `python` is " + py.path);
    b.note("PATH").added.push_back(bin);
  }

  if (py.kind == "venv") {
    b.set("VIRTUAL_ENV", py.prefix, "the declared interpreter belongs to the virtual environment " + py.prefix);
  } else if (auto* ve = b.get("VIRTUAL_ENV")) {
    b.unset("VIRTUAL_ENV", "it named " + *ve + ", not the declared interpreter's environment");
  }
  if (auto* home = b.get("PYTHONHOME"))
    b.unset("PYTHONHOME", "PYTHONHOME=" + *home + " makes " + py.path + " load another installation's standard library");

  // PYTHONPATH: keep what belongs to this interpreter and version, drop the rest.
  if (auto* pp = b.get("PYTHONPATH")) {
    PythonIdentity self;
    self.version = py.version;
    self.own_prefixes = {py.prefix, py.base_prefix};
    for (auto* p : {&py.path, &py.realpath}) {
      auto nix = nix_interpreter_prefix(*p);
      if (!nix.empty()) self.own_prefixes.push_back(nix);
      if (!p->empty()) self.own_prefixes.push_back(dir_name(dir_name(*p)));
    }
    std::vector<std::string> others;
    for (size_t i = 0; i < in.snap.python.interpreters.size(); ++i) {
      if (int(i) == in.interpreter) continue;
      auto& o = in.snap.python.interpreters[i];
      for (auto* p : {&o.prefix, &o.base_prefix})
        if (!p->empty() && std::find(self.own_prefixes.begin(), self.own_prefixes.end(), *p) == self.own_prefixes.end())
          others.push_back(*p);
    }
    auto r = repair_pythonpath(*pp, self, others);
    if (!r.removed.empty()) {
      std::string why = fmt::format("removed {} of {} entries that belong to another interpreter or Python version",
                                    r.removed.size(), r.removed.size() + r.kept.size());
      auto removed = r.removed;
      if (r.kept.empty()) b.unset("PYTHONPATH", why);
      else b.set("PYTHONPATH", join(r.kept, ":"), why);
      b.note("PYTHONPATH").removed = std::move(removed);
    }
  }
  if (spec.no_user_site) b.set("PYTHONNOUSERSITE", "1", "the spec asks for no user site-packages (~/.local)");
}

void activate_libraries(const ActivationInput& in, Builder& b) {
  auto& s = in.snap;
  auto before = list_of(b, "LD_LIBRARY_PATH");
  std::vector<std::string> llp;
  std::vector<std::pair<std::string, std::string>> removed;
  std::vector<std::string> added;
  std::vector<std::string> why;

  // The spec's own directories first, in its order.
  for (auto& d : in.spec.library_dirs) {
    llp.push_back(d);
    if (std::none_of(before.begin(), before.end(), [&](auto& e) { return same_dir(e, d); })) added.push_back(d);
  }
  if (!added.empty()) why.push_back("added the spec's library directories (libraries.extra_dirs)");
  for (auto& e : before) {
    if (e.empty()) continue;
    if (std::any_of(llp.begin(), llp.end(), [&](auto& k) { return same_dir(k, e); })) {
      if (std::none_of(in.spec.library_dirs.begin(), in.spec.library_dirs.end(), [&](auto& d) { return same_dir(d, e); }))
        removed.emplace_back(e, "repeats an earlier entry");
      continue;
    }
    if (is_stub_dir(s, e)) {
      removed.emplace_back(e, "CUDA toolkit stubs: for linking only (LIBRARY_PATH); at run time the stub libcuda "
                              "fails with CUDA_ERROR_STUB_LIBRARY");
      continue;
    }
    llp.push_back(e);
  }
  if (std::any_of(removed.begin(), removed.end(), [](auto& r) { return r.second.starts_with("CUDA toolkit stubs"); }))
    why.push_back("removed the CUDA toolkit's stub directory");

  // The driver: reachable, and before any other libcuda on LD_LIBRARY_PATH.
  if (auto* drv = driver_library_copy(s)) {
    std::string dir = normalize_path(dir_name(drv->path));
    auto pos = std::find_if(llp.begin(), llp.end(), [&](auto& e) { return same_dir(e, dir); });
    // The first entry before the driver's that holds another libcuda (stale copy, cuda-compat).
    auto shadow = std::find_if(llp.begin(), pos, [&](auto& e) {
      auto* c = libcuda_in(s, e);
      return c && normalize_path(c->realpath) != normalize_path(drv->realpath) &&
             (drv->version.empty() || c->version != drv->version);
    });
    bool via_loader = drv->origin == "ld.so.conf" || drv->origin == "default";
    if (shadow != pos) {
      auto* other = libcuda_in(s, *shadow);
      std::string shadow_dir = *shadow;
      if (pos != llp.end()) llp.erase(pos);
      auto at = std::find_if(llp.begin(), llp.end(), [&](auto& e) { return same_dir(e, shadow_dir); });
      llp.insert(at, dir);
      added.push_back(dir);
      why.push_back(fmt::format("put the driver's directory {} before {}, whose libcuda{} would shadow it", dir,
                                shadow_dir, other && !other->version.empty() ? " (" + other->version + ")" : ""));
    } else if (pos == llp.end() && !via_loader) {
      llp.push_back(dir);
      added.push_back(dir);
      why.push_back("added the driver's directory " + dir + " (" + drv->origin +
                    "), which the loader does not search by itself");
    }
  }

  if (why.empty() && removed.empty()) return;
  std::string value = join(llp, ":");
  if (llp.empty()) {
    b.unset("LD_LIBRARY_PATH", why.empty() ? "only repeated entries" : join(why, "; "));
  } else {
    auto* cur = b.get("LD_LIBRARY_PATH");
    if (cur && *cur == value) return;
    b.env["LD_LIBRARY_PATH"] = value;
    auto& n = b.note("LD_LIBRARY_PATH");
    for (auto& w : why) n.why.push_back(w);
    if (why.empty()) n.why.push_back("dropped repeated entries");
  }
  auto& n = b.note("LD_LIBRARY_PATH");
  n.removed = std::move(removed);
  n.added = std::move(added);
}

}  // namespace

const LibraryCopy* driver_library_copy(const Snapshot& s) {
  // The copy matching the kernel module wins; then the most specific place.
  const LibraryCopy* best = nullptr;
  auto rank = [&](const LibraryCopy& c) {
    bool match = !s.kernel.version.empty() && c.version == s.kernel.version;
    return (match ? 0 : 10) + origin_rank(c.origin);
  };
  for (auto& c : s.libraries.copies) {
    if (c.name != "cuda" || c.stub || c.origin == "cuda-compat") continue;
    if (!best || rank(c) < rank(*best)) best = &c;
  }
  return best;
}

Activation activate(const ActivationInput& in) {
  Activation out;
  Builder b;
  b.env = in.env;

  activate_python(in, b, out);
  activate_libraries(in, b);

  if (in.spec.visible_gpus) {
    if (*in.spec.visible_gpus == "all") b.unset("CUDA_VISIBLE_DEVICES", "the spec makes every GPU visible (gpus.visible = \"all\")");
    else b.set("CUDA_VISIBLE_DEVICES", *in.spec.visible_gpus, "the spec's gpus.visible");
  }
  for (auto& k : in.spec.env_unset) b.unset(k, "the spec's env.unset");
  for (auto& [k, v] : in.spec.env_set) b.set(k, v, "the spec's env.set");
  if (!in.spec.path.empty()) b.set("GPUENV_ACTIVE", in.spec.path, "marks the environment as activated from this spec");

  out.env = std::move(b.env);
  for (auto& [k, c] : b.notes) {
    auto bi = in.env.find(k);
    auto ai = out.env.find(k);
    std::optional<std::string> before = bi == in.env.end() ? std::nullopt : std::optional(bi->second);
    std::optional<std::string> after = ai == out.env.end() ? std::nullopt : std::optional(ai->second);
    if (before == after) continue;
    VarChange ch = c;
    ch.before = before;
    ch.after = after;
    out.changes.push_back(std::move(ch));
  }
  return out;
}

}  // namespace gpuenv
