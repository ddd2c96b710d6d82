#include "knowledge/knowledge.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include "util/tomlpp.hpp"

#include "knowledge/embedded.hpp"
#include "knowledge/toml_read.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"
#include "util/toml_guard.hpp"
#include "util/version.hpp"

namespace gpuenv {

Knowledge::Knowledge() = default;
Knowledge::~Knowledge() = default;

void Knowledge::add_file(const std::string& name, const std::string& text) {
  texts_[name.substr(0, name.rfind(".toml"))] = text;
}

const std::string* Knowledge::file_text(const std::string& name) const {
  auto it = texts_.find(name);
  return it == texts_.end() ? nullptr : &it->second;
}

std::string Knowledge::nix_driver_lib_dir() const {
  if (auto* t = file("nix"))
    if (auto v = (*t)["driver"]["lib_dir"].value<std::string>()) return *v;
  return "/run/opengl-driver/lib";
}

std::vector<std::string> Knowledge::nix_wrapper_usages() const {
  std::vector<std::string> out;
  if (auto* t = file("nix"))
    if (auto* ws = (*t)["wrapper"].as_array())
      for (auto& w : *ws)
        if (auto* tb = w.as_table()) out.push_back((*tb)["usage"].value_or<std::string>(""));
  return out;
}

std::string Knowledge::nix_driver_attr(const std::string& release, const std::string& branch) const {
  auto* t = file("nix");
  auto* rows = t ? (*t)["release"].as_array() : nullptr;
  if (!rows || branch.empty()) return "";
  for (auto& r : *rows) {
    auto* tb = r.as_table();
    if (!tb || (*tb)["name"].value_or<std::string>("") != release) continue;
    if (branch == "580") return (*tb)["driver_580"].value_or<std::string>("");
    if (auto* attrs = (*tb)["driver_attrs"].as_array())
      for (auto& a : *attrs)
        if (a.value_or<std::string>("") == "legacy_" + branch) return "legacy_" + branch;
  }
  return "";
}

std::optional<DeviceNodeFact> Knowledge::device_node_fact(const std::string& path) const {
  auto* t = file("devices");
  auto* rows = t ? (*t)["node"].as_array() : nullptr;
  if (!rows) return std::nullopt;
  for (auto& r : *rows) {
    auto* tb = r.as_table();
    if (!tb) continue;
    std::string p = (*tb)["path"].value_or<std::string>("");
    int minor = int((*tb)["minor"].value_or<std::int64_t>(-1));
    if (p.ends_with("<N>")) {
      auto stem = p.substr(0, p.size() - 3);
      auto n = path.substr(std::min(stem.size(), path.size()));
      if (!path.starts_with(stem) || n.empty() || n.size() > 6 || n.find_first_not_of("0123456789") != std::string::npos)
        continue;
      minor = std::stoi(n);
    } else if ((*tb)["prefix"].value_or(false) ? !(path.starts_with(p) && path.size() > p.size()) : path != p) {
      continue;
    }
    DeviceNodeFact f;
    f.what = (*tb)["what"].value_or<std::string>("");
    if (auto at = f.what.find("<N>"); at != std::string::npos && minor >= 0) f.what.replace(at, 3, std::to_string(minor));
    f.major = int((*tb)["major"].value_or<std::int64_t>(0));
    if (auto* names = (*tb)["major_names"].as_array())
      for (auto& n : *names)
        if (auto v = n.value<std::string>()) f.major_names.push_back(*v);
    f.minor = minor;
    f.source = (*tb)["source"].value_or<std::string>("");
    return f;
  }
  return std::nullopt;
}

std::string Knowledge::device_file_default_mode() const {
  if (auto* t = file("devices"))
    if (auto v = (*t)["files"]["default_mode"].value<std::string>()) return *v;
  return "0666";
}

const toml::table* Knowledge::file(const std::string& name) const {
  std::lock_guard lock(mu_);
  if (auto it = files_.find(name); it != files_.end()) return it->second.get();
  auto* text = file_text(name);
  if (!text) return nullptr;
  if (auto bad = toml_unsafe_input(*text))
    throw std::runtime_error("knowledge file " + name + ".toml is malformed: line " + *bad);
  try {
    auto tbl = toml::parse(*text, name + ".toml");
    return (files_[name] = std::make_unique<toml::table>(std::move(tbl))).get();
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << "knowledge file " << name << ".toml is malformed: " << e.description() << " (line "
       << e.source().begin.line << ", column " << e.source().begin.column << ")";
    throw std::runtime_error(os.str());
  }
}

static void load_errors(const toml::table* t, const char* key, std::map<int, ErrorFact>& out) {
  if (!t) return;
  auto* arr = (*t)[key].as_array();
  if (!arr) return;
  for (auto& node : *arr) {
    auto* e = node.as_table();
    if (!e) continue;
    ErrorFact f;
    f.code = int((*e)["code"].value_or<int64_t>(0));
    f.name = (*e)["name"].value_or<std::string>("");
    f.meaning = (*e)["meaning"].value_or<std::string>("");
    f.cause = (*e)["cause"].value_or<std::string>("");
    f.fix = (*e)["fix"].value_or<std::string>("");
    f.source = (*e)["source"].value_or<std::string>("");
    out[f.code] = std::move(f);
  }
}


void Knowledge::ensure_errors() const {
  std::call_once(errors_once_, [&] {
    load_errors(file("cuda_errors"), "cuda", cuda_errors_);
    load_errors(file("cuda_errors"), "nvml", nvml_errors_);
  });
}

void Knowledge::ensure_cuda() const {
  std::call_once(cuda_once_, [&] {
  if (auto* t = file("cuda")) {
    const toml::table& c = *t;
    if (auto* majors = c["major"].as_array())
      for (auto& m : *majors)
        if (auto* mt = m.as_table())
          minor_compat_[int((*mt)["major"].value_or<int64_t>(0))] = (*mt)["minor_compat_driver"].value_or<std::string>("");
    if (auto* rels = c["release"].as_array())
      for (auto& r : *rels)
        if (auto* rt = r.as_table()) {
          const toml::table& x = *rt;
          cuda_releases_.push_back({x["version"].value_or<std::string>(""), x["toolkit_driver"].value_or<std::string>(""),
                                    toml_strings(x["sm"])});
        }
    std::sort(cuda_releases_.begin(), cuda_releases_.end(), [](auto& a, auto& b) {
      return *Version::parse(b.version) < *Version::parse(a.version);
    });
  }
  });
}

void Knowledge::ensure_gpus() const {
  std::call_once(gpus_once_, [&] {
  if (auto* t = file("gpus")) {
    const toml::table& g = *t;
    if (auto* archs = g["arch"].as_array())
      for (auto& a : *archs)
        if (auto* at = a.as_table()) {
          const toml::table& x = *at;
          GpuArch arch;
          arch.name = x["name"].value_or<std::string>("");
          arch.display = x["display"].value_or<std::string>("");
          arch.cc = toml_strings(x["cc"]);
          arch.open_module = x["open_module"].value_or(false);
          arch.open_module_required = x["open_module_required"].value_or(false);
          arch.last_driver_branch = x["last_driver_branch"].value_or<std::string>("");
          arch.first_cuda = x["first_cuda"].value_or<std::string>("");
          arch.last_cuda = x["last_cuda"].value_or<std::string>("");
          archs_.push_back(std::move(arch));
        }
    if (auto* fc = g["first_cuda_for_cc"].as_table())
      for (auto& [k, v] : *fc) first_cuda_for_cc_[std::string(k.str())] = v.value_or<std::string>("");
  }
  });
}

void Knowledge::ensure_libraries() const {
  std::call_once(libraries_once_, [&] {
    auto* t = file("libraries");
    if (!t) return;
    const toml::table& l = *t;
    auto str_map = [](const toml::node_view<const toml::node>& n) {
      std::map<std::string, std::string> m;
      if (auto* tb = n.as_table())
        for (auto& [k, v] : *tb) m[std::string(k.str())] = v.value_or<std::string>("");
      return m;
    };
    if (auto* fams = l["family"].as_array())
      for (auto& f : *fams)
        if (auto* ft = f.as_table()) {
          const toml::table& x = *ft;
          LibraryFamily fam;
          fam.name = x["name"].value_or<std::string>("");
          fam.display = x["display"].value_or<std::string>("");
          fam.stems = toml_strings(x["stems"]);
          fam.driver = x["driver"].value_or(false);
          fam.pip = str_map(x["pip"]);
          fam.cuda_of_major = str_map(x["cuda_of_major"]);
          fam.apt = x["apt"].value_or<std::string>("");
          fam.conda = x["conda"].value_or<std::string>("");
          fam.nix = x["nix"].value_or<std::string>("");
          for (auto& stem : fam.stems) family_by_stem_.emplace(stem, families_.size());
          families_.push_back(std::move(fam));
        }
    if (auto* rules = l["pin_rule"].as_array())
      for (auto& r : *rules)
        if (auto* rt = r.as_table()) {
          const toml::table& x = *rt;
          pin_rules_.push_back({x["family"].value_or<std::string>(""), x["severity"].value_or<std::string>("warning"),
                                x["why"].value_or<std::string>(""), x["source"].value_or<std::string>("")});
        }
    if (auto* fws = l["framework"].as_array())
      for (auto& f : *fws)
        if (auto* ft = f.as_table()) {
          const toml::table& x = *ft;
          FrameworkModel m;
          m.name = x["name"].value_or<std::string>("");
          m.checked = x["checked"].value_or<std::string>("");
          m.source = x["source"].value_or<std::string>("");
          if (auto* steps = x["steps"].as_array())
            for (auto& st : *steps)
              if (auto* stt = st.as_table()) {
                const toml::table& y = *stt;
                FrameworkStep s;
                s.kind = y["kind"].value_or<std::string>("");
                s.path = y["path"].value_or<std::string>("");
                s.dirs = toml_strings(y["dirs"]);
                s.file = y["file"].value_or<std::string>("");
                s.name = y["name"].value_or<std::string>("");
                s.name_glob = y["name_glob"].value_or<std::string>("");
                s.beside = y["beside"].value_or(false);
                s.from = y["from"].value_or<std::string>("");
                s.when = y["when"].value_or<std::string>("import");
                s.if_loaded = y["if_loaded"].value_or<std::string>("");
                m.steps.push_back(std::move(s));
              }
          frameworks_.push_back(std::move(m));
        }
  });
}

std::string torch_variant_cuda(const std::string& variant) {
  if (!variant.starts_with("cu") || variant.size() < 5) return "";
  auto digits = variant.substr(2);
  if (digits.find_first_not_of("0123456789") != std::string::npos) return "";
  // The last digit is the minor: cu118 -> 11.8, cu126 -> 12.6, cu130 -> 13.0.
  return digits.substr(0, digits.size() - 1) + "." + digits.substr(digits.size() - 1);
}

static bool same_minor(const std::string& release, const std::string& version) {
  auto r = Version::parse(release);
  auto v = Version::parse(version);
  return r && v && r->major() == v->major() && r->minor() == v->minor();
}

static bool in_range(const std::string& version, const std::string& from, const std::string& to) {
  auto v = Version::parse(version);
  auto a = Version::parse(from);
  auto b = Version::parse(to);
  if (!v || !a || !b) return false;
  Version mm;
  mm.parts = {v->major(), v->minor()};
  return !(mm < *a) && !(*b < mm);
}

const TorchRelease* FrameworkFacts::torch_release(const std::string& version) const {
  for (auto& r : torch)
    if (same_minor(r.version, version)) return &r;
  return nullptr;
}

const TfRelease* FrameworkFacts::tf_release(const std::string& version) const {
  for (auto& r : tensorflow)
    if (same_minor(r.version, version)) return &r;
  return nullptr;
}

const TorchArch* FrameworkFacts::torch_coverage(const std::string& release, const std::string& variant) const {
  for (auto& a : torch_arch)
    if (a.variant == variant && in_range(release, a.from, a.to)) return &a;
  return nullptr;
}

const CupyPackage* FrameworkFacts::cupy_package(const std::string& name) const {
  auto n = to_lower(name);
  for (auto& c : cupy)
    if (c.package == n) return &c;
  return nullptr;
}

const PythonSupport* FrameworkFacts::python_support_for(const std::string& framework, const std::string& version) const {
  auto v = Version::parse(version);
  if (!v) return nullptr;
  for (auto& r : python_support) {
    if (r.framework != framework) continue;
    auto a = Version::parse(r.from), b = Version::parse(r.to);
    if (!a || !b) continue;
    Version head;  // v cut to the precision of `to`
    for (size_t i = 0; i < b->parts.size() && i < v->parts.size(); ++i) head.parts.push_back(v->parts[i]);
    if (!(*v < *a) && !(*b < head)) return &r;
  }
  return nullptr;
}

const DistributionBuild* FrameworkFacts::distribution_build(const std::string& installer,
                                                           const std::string& location) const {
  for (auto& r : distribution_builds)
    if ((r.installer.empty() || r.installer == installer) && (r.location.empty() || location.starts_with(r.location)))
      return &r;
  return nullptr;
}

void Knowledge::ensure_frameworks() const {
  std::call_once(frameworks_once_, [&] {
    auto* t = file("frameworks");
    if (!t) return;
    const toml::table& f = *t;
    auto& out = framework_facts_;
    auto pair = [](const toml::node_view<const toml::node>& n, std::string& a, std::string& b) {
      auto v = toml_strings(n);
      if (v.size() == 2) a = v[0], b = v[1];
    };
    auto by_version = [](auto& a, auto& b) {
      auto va = Version::parse(a.version), vb = Version::parse(b.version);
      return va && vb && *vb < *va;
    };
    if (auto* arr = f["torch"].as_array())
      for (auto& n : *arr)
        if (auto* x = n.as_table()) {
          TorchRelease r;
          r.version = (*x)["version"].value_or<std::string>("");
          pair((*x)["python"], r.python_min, r.python_max);
          r.variants = toml_strings((*x)["variants"]);
          r.default_variant = (*x)["default"].value_or<std::string>("");
          r.source = (*x)["source"].value_or<std::string>("");
          out.torch.push_back(std::move(r));
        }
    std::stable_sort(out.torch.begin(), out.torch.end(), by_version);
    if (auto* shm = f["shared_memory"].as_table()) {
      out.shm_docker_default = std::uint64_t((*shm)["docker_default_mib"].value_or<std::int64_t>(0)) << 20;
      out.shm_recommended = std::uint64_t((*shm)["recommended_mib"].value_or<std::int64_t>(0)) << 20;
      out.shm_source = (*shm)["source"].value_or<std::string>("");
    }
    if (auto* idx = f["torch_index"].as_table())
      for (auto& [k, v] : *idx) out.torch_index[std::string(k.str())] = v.value_or<std::string>("");
    if (auto* arr = f["torch_arch"].as_array())
      for (auto& n : *arr)
        if (auto* x = n.as_table()) {
          TorchArch a;
          a.variant = (*x)["variant"].value_or<std::string>("");
          pair((*x)["torch"], a.from, a.to);
          a.sm = toml_strings((*x)["sm"]);
          a.ptx = toml_strings((*x)["ptx"]);
          a.source = (*x)["source"].value_or<std::string>("");
          out.torch_arch.push_back(std::move(a));
        }
    if (auto* arr = f["tensorflow"].as_array())
      for (auto& n : *arr)
        if (auto* x = n.as_table()) {
          TfRelease r;
          r.version = (*x)["version"].value_or<std::string>("");
          pair((*x)["python"], r.python_min, r.python_max);
          r.cuda = (*x)["cuda"].value_or<std::string>("");
          r.cudnn = (*x)["cudnn"].value_or<std::string>("");
          r.and_cuda = (*x)["and_cuda"].value_or(false);
          r.source = (*x)["source"].value_or<std::string>("");
          out.tensorflow.push_back(std::move(r));
        }
    std::stable_sort(out.tensorflow.begin(), out.tensorflow.end(), by_version);
    if (auto* arr = f["jax"].as_array())
      for (auto& n : *arr)
        if (auto* x = n.as_table())
          out.jax.push_back({(*x)["extra"].value_or<std::string>(""), int((*x)["cuda_major"].value_or<int64_t>(0)),
                             (*x)["plugin"].value_or<std::string>(""), (*x)["min_cc"].value_or<std::string>(""),
                             (*x)["source"].value_or<std::string>("")});
    std::stable_sort(out.jax.begin(), out.jax.end(), [](auto& a, auto& b) { return a.cuda_major > b.cuda_major; });
    if (auto* arr = f["cupy"].as_array())
      for (auto& n : *arr)
        if (auto* x = n.as_table())
          out.cupy.push_back({(*x)["package"].value_or<std::string>(""), int((*x)["cuda_major"].value_or<int64_t>(0)),
                              (*x)["cuda"].value_or<std::string>(""), (*x)["source"].value_or<std::string>("")});
    std::stable_sort(out.cupy.begin(), out.cupy.end(), [](auto& a, auto& b) { return a.cuda_major > b.cuda_major; });
    if (auto* arr = f["python_support"].as_array())
      for (auto& n : *arr)
        if (auto* x = n.as_table()) {
          PythonSupport r;
          r.framework = (*x)["framework"].value_or<std::string>("");
          pair((*x)["releases"], r.from, r.to);
          pair((*x)["python"], r.python_min, r.python_max);
          r.source = (*x)["source"].value_or<std::string>("");
          if (r.framework.empty() || r.from.empty() || r.python_min.empty() || r.source.empty())
            throw std::runtime_error("knowledge file frameworks.toml: a [[python_support]] row needs framework, releases, python and source");
          out.python_support.push_back(std::move(r));
        }
    if (auto* arr = f["distribution_build"].as_array())
      for (auto& n : *arr)
        if (auto* x = n.as_table()) {
          DistributionBuild r{(*x)["installer"].value_or<std::string>(""), (*x)["location"].value_or<std::string>(""),
                              (*x)["packager"].value_or<std::string>(""), (*x)["source"].value_or<std::string>("")};
          if ((r.installer.empty() && r.location.empty()) || r.packager.empty() || r.source.empty())
            throw std::runtime_error("knowledge file frameworks.toml: a [[distribution_build]] row needs installer or "
                                     "location, packager and source");
          out.distribution_builds.push_back(std::move(r));
        }
    if (auto* inst = f["install"].as_table())
      for (auto& [k, v] : *inst)
        if (auto* x = v.as_table())
          out.install[std::string(k.str())] = {(*x)["nix"].value_or<std::string>(""), (*x)["conda"].value_or<std::string>(""),
                                               (*x)["conda_cpu"].value_or<std::string>("")};
  });
}

const FrameworkFacts& Knowledge::frameworks() const {
  ensure_frameworks();
  return framework_facts_;
}

const std::vector<LibraryFamily>& Knowledge::library_families() const {
  ensure_libraries();
  return families_;
}

const LibraryFamily* Knowledge::library_family(const std::string& name) const {
  ensure_libraries();
  for (auto& f : families_)
    if (f.name == name) return &f;
  return nullptr;
}

const LibraryFamily* Knowledge::library_family_for_file(const std::string& file_name) const {
  ensure_libraries();
  auto pos = file_name.find(".so");
  if (pos == std::string::npos) return nullptr;
  std::string_view stem(file_name.data(), pos);
  if (stem.ends_with(".alt")) stem.remove_suffix(4);  // libnvrtc.alt.so.13
  auto it = family_by_stem_.find(stem);
  return it == family_by_stem_.end() ? nullptr : &families_[it->second];
}

const FrameworkModel* Knowledge::framework_model(const std::string& name) const {
  ensure_libraries();
  for (auto& f : frameworks_)
    if (f.name == name) return &f;
  return nullptr;
}

const PinRule* Knowledge::pin_rule(const std::string& family) const {
  ensure_libraries();
  for (auto& r : pin_rules_)
    if (r.family == family) return &r;
  return nullptr;
}

const CudaRelease* Knowledge::cuda_release(const std::string& version) const {
  ensure_cuda();
  auto v = Version::parse(version);
  if (!v) return nullptr;
  for (auto& r : cuda_releases_) {
    auto rv = Version::parse(r.version);
    if (rv && rv->major() == v->major() && rv->minor() == v->minor()) return &r;
  }
  return nullptr;
}

std::string Knowledge::minor_compat_driver(int cuda_major) const {
  ensure_cuda();
  auto it = minor_compat_.find(cuda_major);
  return it == minor_compat_.end() ? "" : it->second;
}

DriverSupport Knowledge::driver_supports_cuda(const std::string& driver, const std::string& cuda) const {
  DriverSupport d;
  auto dv = Version::parse(driver);
  auto cv = Version::parse(cuda);
  if (!dv || !cv) return d;
  auto* rel = cuda_release(cuda);
  std::string compat = minor_compat_driver(cv->major());
  if (!rel) {
    // An unknown minor of a known major (a newer release than this table): judge by the newest known
    // release of that major, which needs at most as much.
    for (auto& r : cuda_releases_)
      if (Version::parse(r.version)->major() == cv->major() && *Version::parse(r.version) < *cv) {
        rel = &r;
        break;
      }
    if (!rel && compat.empty()) return d;
  }
  d.known = true;
  d.needed = rel ? rel->toolkit_driver : compat;
  d.minimum = compat.empty() ? d.needed : compat;
  if (rel && !(*dv < *Version::parse(rel->toolkit_driver))) {
    d.runs = true;
  } else if (!compat.empty() && !(*dv < *Version::parse(compat))) {
    d.runs = true;
    d.minor_compat = true;
  }
  return d;
}

std::string Knowledge::newest_cuda_for_driver(const std::string& driver) const {
  ensure_cuda();
  auto dv = Version::parse(driver);
  if (!dv) return "";
  for (auto& r : cuda_releases_)  // newest first
    if (!(*dv < *Version::parse(r.toolkit_driver))) return r.version;
  return "";
}

bool Knowledge::cuda_targets_cc(const std::string& cuda, const std::string& cc) const {
  auto* rel = cuda_release(cuda);
  if (!rel) return false;
  return std::find(rel->sm.begin(), rel->sm.end(), cc) != rel->sm.end();
}

const GpuArch* Knowledge::arch_for_cc(const std::string& cc) const {
  ensure_gpus();
  for (auto& a : archs_)
    if (std::find(a.cc.begin(), a.cc.end(), cc) != a.cc.end()) return &a;
  return nullptr;
}

const GpuArch* Knowledge::arch_by_name(const std::string& name) const {
  ensure_gpus();
  for (auto& a : archs_)
    if (a.name == name) return &a;
  return nullptr;
}

const GpuModel* Knowledge::gpu_by_device_id(const std::string& id) const {
  std::string key = to_lower(id);
  if (!key.starts_with("0x")) key = "0x" + key;
  std::lock_guard lock(mu_);
  if (auto it = gpus_.find(key); it != gpus_.end()) return &it->second;
  // Scan the raw text for the one line, and parse only that inline table.
  auto* text = file_text("gpu_devices");
  if (!text) return nullptr;
  auto pos = text->find("id = \"" + key + "\"");
  if (pos == std::string::npos) return nullptr;
  auto start = text->rfind('{', pos);
  auto end = text->find('}', pos);
  if (start == std::string::npos || end == std::string::npos) return nullptr;
  if (toml_unsafe_input("x = " + text->substr(start, end - start + 1))) return nullptr;
  try {
    auto tbl = toml::parse("x = " + text->substr(start, end - start + 1));
    const toml::table& x = *tbl["x"].as_table();
    GpuModel m{key, x["name"].value_or<std::string>(""), x["chip"].value_or<std::string>(""),
               x["cc"].value_or<std::string>("")};
    return &(gpus_[key] = std::move(m));
  } catch (const toml::parse_error&) {
    return nullptr;
  }
}

std::string Knowledge::first_cuda_for_cc(const std::string& cc) const {
  ensure_gpus();
  auto it = first_cuda_for_cc_.find(cc);
  return it == first_cuda_for_cc_.end() ? "" : it->second;
}

std::unique_ptr<Knowledge> Knowledge::load_embedded() {
  auto k = std::make_unique<Knowledge>();
  for (auto& f : knowledge::embedded_files()) k->add_file(f.name, f.content);
  return k;
}

std::unique_ptr<Knowledge> Knowledge::load_from_dir(const std::string& dir) {
  auto k = std::make_unique<Knowledge>();
  Fs fs;
  for (auto& name : fs.list(dir)) {
    if (!name.ends_with(".toml")) continue;
    auto text = fs.read(path_join(dir, name));
    if (!text) throw std::runtime_error("cannot read knowledge file " + text.error());
    k->add_file(name, *text);
  }
  return k;
}

const Knowledge& Knowledge::get() {
  static const std::unique_ptr<Knowledge> instance = [] {
    const char* dir = std::getenv("GPUENV_KNOWLEDGE_DIR");
    return (dir && *dir) ? load_from_dir(dir) : load_embedded();
  }();
  return *instance;
}

const ErrorFact* Knowledge::cuda_error(int code) const {
  ensure_errors();
  auto it = cuda_errors_.find(code);
  return it == cuda_errors_.end() ? nullptr : &it->second;
}
const ErrorFact* Knowledge::nvml_error(int code) const {
  ensure_errors();
  auto it = nvml_errors_.find(code);
  return it == nvml_errors_.end() ? nullptr : &it->second;
}

std::vector<std::string> Knowledge::file_names() const {
  std::vector<std::string> out;
  for (auto& [k, v] : texts_) out.push_back(k);
  return out;
}

void Knowledge::preload_for_checks() const {
  ensure_errors();
  ensure_cuda();
  ensure_gpus();
  ensure_libraries();
  ensure_frameworks();
  variables();
  file("devices");
}

}  // namespace gpuenv
