#include "elf/resolver.hpp"

#include <elf.h>

#include <deque>
#include <string_view>

#include "util/strings.hpp"

namespace gpuenv::elf {

namespace {

// x86-64 micro-architecture levels from /proc/cpuinfo flags (glibc's x86-64-vN, sysdeps/x86/get-isa-level.h).
std::vector<std::string> x86_hwcaps(const Fs& fs) {
  auto text = fs.read_opt("/proc/cpuinfo", 1 << 20);
  if (!text) return {};
  std::string flags;
  for (auto& line : split_lines(*text))
    if (line.starts_with("flags")) {
      flags = " " + line.substr(line.find(':') + 1) + " ";
      break;
    }
  auto has = [&](const char* f) { return flags.find(std::string(" ") + f + " ") != std::string::npos; };
  bool v2 = has("cx16") && has("lahf_lm") && has("popcnt") && has("sse4_1") && has("sse4_2") && has("ssse3");
  bool v3 = v2 && has("avx") && has("avx2") && has("bmi1") && has("bmi2") && has("f16c") && has("fma") &&
            has("movbe") && has("xsave");
  bool v4 = v3 && has("avx512f") && has("avx512bw") && has("avx512cd") && has("avx512dq") && has("avx512vl");
  std::vector<std::string> out;
  if (v4) out.push_back("x86-64-v4");
  if (v3) out.push_back("x86-64-v3");
  if (v2) out.push_back("x86-64-v2");
  return out;
}

std::string expand_tokens(std::string s, const std::string& origin, const LoaderConfig& cfg, bool* ok) {
  *ok = true;
  auto rep = [&](const std::string& tok, const std::string& val) {
    for (auto t : {"${" + tok + "}", "$" + tok}) {
      std::size_t pos;
      while ((pos = s.find(t)) != std::string::npos) {
        if (val.empty()) *ok = false;
        s.replace(pos, t.size(), val);
      }
    }
  };
  rep("ORIGIN", origin);
  rep("LIB", cfg.lib);
  rep("PLATFORM", cfg.platform);
  return s;
}

}  // namespace

LoaderConfig loader_config_for(const Fs& fs, const std::string& arch, const std::string* llp, const std::string* preload) {
  LoaderConfig c;
  std::string triplet = arch == "aarch64" ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
  c.machine = arch == "aarch64" ? EM_AARCH64 : EM_X86_64;
  c.platform = arch.empty() ? "x86_64" : arch;
  if (fs.is_dir("/usr/lib/" + triplet) || fs.is_dir("/lib/" + triplet)) {
    // Debian and Ubuntu (multiarch): ld.so --help lists these four.
    c.system_dirs = {"/lib/" + triplet, "/usr/lib/" + triplet, "/lib", "/usr/lib"};
    c.lib = "lib/" + triplet;
  } else if (fs.is_dir("/usr/lib64") && fs.lstat("/usr/lib64").kind != FileKind::Symlink) {
    c.system_dirs = {"/lib64", "/usr/lib64"};  // Fedora, RHEL, SUSE
    c.lib = "lib64";
  } else {
    c.system_dirs = {"/lib", "/usr/lib"};  // Arch and others with lib64 -> lib
    c.lib = "lib";
  }
  if (c.machine == EM_X86_64) c.hwcaps = x86_hwcaps(fs);
  if (llp)
    for (auto& d : split(*llp, ':', false)) c.ld_library_path.push_back(d);
  if (preload)
    for (auto& e : split_any(*preload, kPreloadSeparators)) c.preload.push_back({e, "LD_PRELOAD"});
  if (auto text = fs.read_opt("/etc/ld.so.preload", 1u << 20))
    for (auto& e : split_any(*text, kPreloadSeparators)) c.preload.push_back({e, "/etc/ld.so.preload"});
  if (auto bytes = fs.read_opt("/etc/ld.so.cache", 64u << 20)) {
    auto parsed = parse_ld_cache(*bytes);
    if (parsed) c.cache = std::make_shared<LdCache>(std::move(parsed).value());
    else c.cache_error = "/etc/ld.so.cache: " + parsed.error();
  }
  return c;
}

std::optional<std::string> Resolver::realpath(const std::string& path) const {
  auto it = real_.find(path);
  if (it == real_.end()) it = real_.emplace(path, fs_.realpath(path)).first;
  return it->second;
}

const ElfInfo* Resolver::info(const std::string& path, std::string* error) const {
  auto it = cache_.find(path);  // by the path asked for first, then by the real file
  if (it == cache_.end()) {
    auto real = realpath(path);
    std::string key = real ? *real : path;
    it = cache_.find(key);
    if (it != cache_.end()) it = cache_.emplace(path, it->second).first;
  }
  if (it == cache_.end()) {
    auto real = realpath(path);
    std::string key = real ? *real : path;
    auto r = read_elf(fs_, key);
    std::pair<std::optional<ElfInfo>, std::string> v;
    if (r) v.first = std::move(r).value();
    else v.second = r.error();
    it = cache_.emplace(key, v).first;
    if (key != path) cache_.emplace(path, std::move(v));
  }
  if (error) *error = it->second.second;
  return it->second.first ? &*it->second.first : nullptr;
}

std::string Resolver::check_candidate(const std::string& path) const {
  if (auto it = cache_.find(path); it != cache_.end() && it->second.first) {
    auto& i = *it->second.first;
    if (i.elf_class != cfg_.elf_class) return "ELFCLASS" + std::to_string(i.elf_class);
    if (i.machine != cfg_.machine) return machine_name(i.machine, i.elf_class);
    return "";
  }
  auto st = fs_.stat(path);
  if (st.kind == FileKind::Missing) return "missing";
  if (st.kind != FileKind::Regular) return "not a file";
  std::string err;
  auto* i = info(path, &err);
  if (!i) return "invalid: " + err;
  if (i->elf_class != cfg_.elf_class) return "ELFCLASS" + std::to_string(i->elf_class);
  if (i->machine != cfg_.machine) return machine_name(i->machine, i->elf_class);
  return "";
}

Process::Process(const Resolver& r, const std::string& main_exe) : r_(r) {
  if (!main_exe.empty()) main_ = add_object(main_exe, main_exe, -1);
  // The preloaded objects come right after the executable (their own dependencies are not followed here).
  for (auto& p : r_.config().preload) {
    Step st = find(p.entry, main_);
    st.kind = "preload";
    st.reason = p.source + ": " + p.entry;
    if (!st.path.empty()) {
      int hit = find_loaded(p.entry);
      auto real = r_.realpath(st.path);
      for (std::size_t i = 0; hit < 0 && i < objects_.size(); ++i)
        if (real && objects_[i].realpath == *real && int(i) != main_) hit = int(i);
      if (hit >= 0) {
        st.object = hit;
        st.reused = true;
      } else {
        st.object = add_object(st.path, p.entry, main_);
        objects_[size_t(st.object)].preloaded = st.reason;
      }
    }
    preloads_.push_back(std::move(st));
  }
}

Step Process::reuse(const std::string& name, int parent, int hit) const {
  Step st;
  st.name = name;
  st.parent = parent;
  st.object = hit;
  st.path = objects_[size_t(hit)].path;
  st.reused = true;
  st.reason = objects_[size_t(hit)].preloaded.empty() ? "already loaded" : objects_[size_t(hit)].preloaded;
  return st;
}

int Process::add_object(const std::string& path, const std::string& name, int loader) {
  LoadedObject o;
  o.path = normalize_path(path);
  auto real = r_.realpath(o.path);
  o.realpath = real ? *real : o.path;
  o.name = name;
  o.loader = loader;
  std::string err;
  if (auto* i = r_.info(o.path, &err)) o.info = *i;
  o.error = err;
  objects_.push_back(std::move(o));
  return int(objects_.size()) - 1;
}

int Process::find_loaded(const std::string& name) const {
  for (std::size_t i = 0; i < objects_.size(); ++i) {
    auto& o = objects_[i];
    if (int(i) == main_) continue;
    if (o.name == name || (!o.info.soname.empty() && o.info.soname == name) || o.path == name) return int(i);
  }
  return -1;
}

std::vector<std::string> Process::expand(const std::string& list, int obj) const {
  std::string origin;
  if (obj >= 0) origin = dir_name(objects_[size_t(obj)].path);
  std::vector<std::string> out;
  for (auto& e : split(list, ':', false)) {
    bool ok = true;
    auto x = expand_tokens(e, origin, r_.config(), &ok);
    if (!ok) continue;  // glibc drops an entry whose token cannot be expanded
    out.push_back(x);
  }
  return out;
}

Step Process::find(const std::string& name, int requester) const {
  Step st;
  st.name = name;
  st.parent = requester;
  auto& cfg = r_.config();
  auto try_file = [&](const std::string& cand) {
    auto why = r_.check_candidate(cand);
    if (why.empty()) return true;
    if (why != "missing") {
      if (why.starts_with("invalid")) {
        // glibc stops here with "invalid ELF header" (the file exists and is not loadable).
        st.considered.push_back(cand);
        st.skipped.push_back(cand + " (" + why + ")");
        return false;
      }
      st.skipped.push_back(cand + " (" + why + ")");
    }
    st.considered.push_back(cand);
    return false;
  };
  auto search_dir = [&](const std::string& dir) -> std::string {
    for (auto& hw : cfg.hwcaps) {
      auto cand = normalize_path(dir + "/glibc-hwcaps/" + hw + "/" + name);
      if (r_.fs().is_dir(dir + "/glibc-hwcaps/" + hw) && try_file(cand)) return cand;
    }
    auto cand = normalize_path(dir + "/" + name);
    return try_file(cand) ? cand : "";
  };
  auto stop_invalid = [&] { return !st.skipped.empty() && st.skipped.back().find("(invalid") != std::string::npos; };

  if (name.find('/') != std::string::npos) {
    bool ok = true;
    std::string origin = requester >= 0 ? dir_name(objects_[size_t(requester)].path) : "";
    auto p = expand_tokens(name, origin, cfg, &ok);
    if (ok && try_file(p)) {
      st.path = normalize_path(p);
      st.reason = "path";
    } else {
      st.reason = "not found";
    }
    return st;
  }

  int loader = requester >= 0 ? requester : main_;
  const LoadedObject* lo = loader >= 0 ? &objects_[size_t(loader)] : nullptr;
  auto label = [&](const LoadedObject& o) { return base_name(o.path); };
  // Searches the directories of an RPATH or RUNPATH value of object `owner`; true when the search ends here
  // (found, or stopped at an invalid candidate as the loader does). `what` names the list in the reason.
  auto search_path_list = [&](const std::string& list, int owner, const std::string& what) {
    auto raw = split(list, ':', false);
    auto dirs = expand(list, owner);
    for (std::size_t k = 0; k < dirs.size(); ++k) {
      auto hit = search_dir(dirs[k]);
      if (!hit.empty()) {
        st.path = hit;
        st.reason = what + ": " + (k < raw.size() ? raw[k] : dirs[k]);
        return true;
      }
      if (stop_invalid()) return st.reason = "not loadable", true;
    }
    return false;
  };
  // 1. DT_RPATH of the loader chain, then of the executable, unless the loader has DT_RUNPATH.
  if (!lo || !lo->info.has_runpath) {
    for (int l = loader; l >= 0; l = objects_[size_t(l)].loader) {
      auto& o = objects_[size_t(l)];
      if (!o.info.has_rpath || o.info.has_runpath) continue;
      if (search_path_list(o.info.rpath, l, "RPATH of " + label(o))) return st;
      if (l == objects_[size_t(l)].loader) break;
    }
    if (main_ >= 0 && main_ != loader) {
      auto& m = objects_[size_t(main_)];
      if (m.info.has_rpath && !m.info.has_runpath &&
          search_path_list(m.info.rpath, main_, "RPATH of the executable " + label(m)))
        return st;
    }
  }
  // 2. LD_LIBRARY_PATH.
  for (auto& d : cfg.ld_library_path) {
    auto hit = search_dir(d);
    if (!hit.empty()) {
      st.path = hit;
      st.reason = "LD_LIBRARY_PATH: " + d;
      return st;
    }
    if (stop_invalid()) return st.reason = "not loadable", st;
  }
  // 3. DT_RUNPATH of the loader only.
  if (lo && lo->info.has_runpath && search_path_list(lo->info.runpath, loader, "RUNPATH of " + label(*lo))) return st;
  bool nodeflib = lo && lo->info.nodeflib;
  // 4. /etc/ld.so.cache.
  if (!nodeflib && cfg.cache) {
    if (auto* e = cfg.cache->lookup(name, cache_flags_for(cfg.machine, cfg.elf_class), cfg.hwcaps)) {
      if (try_file(e->path)) {
        st.path = normalize_path(e->path);
        st.reason = "ld.so.cache";
        return st;
      }
      if (stop_invalid()) return st.reason = "not loadable", st;
    }
  }
  // 5. The system directories.
  if (!nodeflib)
    for (auto& d : cfg.system_dirs) {
      auto hit = search_dir(d);
      if (!hit.empty()) {
        st.path = hit;
        st.reason = "default path: " + d;
        return st;
      }
      if (stop_invalid()) return st.reason = "not loadable", st;
    }
  st.reason = "not found";
  return st;
}

void Process::load_deps(int first, std::vector<Step>& out, int base_depth) {
  // Breadth first, like _dl_map_object_deps: each object's DT_NEEDED in order.
  std::deque<std::pair<int, int>> queue{{first, base_depth}};
  while (!queue.empty()) {
    auto [obj, depth] = queue.front();
    queue.pop_front();
    auto needed = objects_[size_t(obj)].info.needed;  // copy: objects_ grows below
    for (auto& n : needed) {
      Step st;
      int hit = find_loaded(n);
      if (hit >= 0) {
        st = reuse(n, obj, hit);
      } else {
        st = find(n, obj);
        if (!st.path.empty()) {
          auto real = r_.realpath(st.path);
          int same = -1;
          for (std::size_t i = 0; i < objects_.size(); ++i)
            if (real && objects_[i].realpath == *real && int(i) != main_) same = int(i);
          if (same >= 0) {
            st.object = same;
            st.reused = true;
            if (!objects_[size_t(same)].preloaded.empty()) st.reason = objects_[size_t(same)].preloaded;
          } else {
            st.object = add_object(st.path, n, obj);
            queue.emplace_back(st.object, depth + 1);
          }
        }
      }
      st.kind = "needed";
      st.depth = depth + 1;
      out.push_back(std::move(st));
    }
  }
}

int Process::load_path(const std::string& path, std::vector<Step>& out, const std::string& kind) {
  Step st;
  st.name = path;
  st.kind = kind;
  st.parent = -1;
  int hit = -1;
  auto real = r_.realpath(path);
  for (std::size_t i = 0; i < objects_.size(); ++i)
    if (real && objects_[i].realpath == *real && int(i) != main_) hit = int(i);
  if (hit >= 0) {
    st = reuse(path, -1, hit);
    st.kind = kind;
    out.push_back(st);
    return hit;
  }
  auto why = r_.check_candidate(path);
  if (!why.empty()) {
    st.reason = why == "missing" ? "not found" : "not loadable: " + why;
    st.considered.push_back(path);
    out.push_back(st);
    return -1;
  }
  st.path = normalize_path(path);
  st.reason = "path";
  st.object = add_object(path, path, -1);
  out.push_back(st);
  load_deps(st.object, out, 0);
  return st.object;
}

int Process::dlopen(const std::string& name, int caller, std::vector<Step>& out) {
  Step st;
  int hit = find_loaded(name);
  if (hit >= 0) {
    st = reuse(name, caller, hit);
    st.kind = "dlopen";
    out.push_back(st);
    return hit;
  }
  st = find(name, caller);
  st.kind = "dlopen";
  if (st.path.empty()) {
    out.push_back(st);
    return -1;
  }
  auto real = r_.realpath(st.path);
  for (std::size_t i = 0; i < objects_.size(); ++i)
    if (real && objects_[i].realpath == *real && int(i) != main_) {
      st.object = int(i);
      st.reused = true;
      if (!objects_[i].preloaded.empty()) st.reason = objects_[i].preloaded;
      out.push_back(st);
      return int(i);
    }
  st.object = add_object(st.path, name, caller >= 0 ? caller : main_);
  out.push_back(st);
  load_deps(st.object, out, 0);
  return st.object;
}

}  // namespace gpuenv::elf
