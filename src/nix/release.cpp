// NixOS releases (nix.toml [[release]]) and the release a generated file is written for.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "nix/internal.hpp"
#include "util/strings.hpp"

namespace gpuenv::nix {

using namespace detail;

std::string Release::label() const {
  if (name == "unstable") return "nixos-unstable";
  return "NixOS " + name + (codename.empty() ? "" : " (" + codename + ")");
}

std::vector<Release> releases(const Knowledge& k) {
  std::vector<Release> out;
  if (auto* a = nix_file(k)["release"].as_array())
    for (auto& e : *a)
      if (auto* t = e.as_table()) {
        Release r;
        auto s = [&](const char* key) { return (*t)[key].value_or<std::string>(""); };
        r.name = s("name");
        r.codename = s("codename");
        r.released = s("released");
        r.end_of_support = s("end_of_support");
        r.branch = s("branch").empty() ? "nixos-" + r.name : s("branch");
        r.driver_attrs = strings((*t)["driver_attrs"]);
        r.driver_580 = s("driver_580");
        r.driver_datacenter = s("driver_datacenter");
        r.cuda_majors = strings((*t)["cuda_majors"]);
        r.python_default = s("python_default");
        r.python_versions = strings((*t)["python_versions"]);
        r.python_prerelease = strings((*t)["python_prerelease"]);
        r.tensorrt_insecure = s("tensorrt_insecure");
        out.push_back(std::move(r));
      }
  return out;
}

namespace {

// "nixos-26.05" / "nixos-26.05-small" / "release-26.05" -> "26.05"; "nixos-unstable", "nixpkgs-unstable" -> "unstable".
std::string release_of_branch(std::string b) {
  if (b.ends_with("-small")) b.resize(b.size() - 6);
  if (b.ends_with("-unstable") || b == "master") return "unstable";
  auto dash = b.rfind('-');
  return dash == std::string::npos ? b : b.substr(dash + 1);
}

}  // namespace

std::string nixpkgs_branch_of_lock(const std::string& lock_json) {
  auto j = nlohmann::json::parse(lock_json, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j["nodes"].is_object()) return "";
  auto& nodes = j["nodes"];
  std::string root = j["root"].is_string() ? j["root"].get<std::string>() : "root";
  if (!nodes[root].is_object() || !nodes[root]["inputs"].is_object()) return "";
  auto& input = nodes[root]["inputs"]["nixpkgs"];
  if (!input.is_string()) return "";  // absent, or `follows` another input
  auto& original = nodes[input.get<std::string>()]["original"];
  if (!original.is_object() || !original["ref"].is_string()) return "";
  return original["ref"].get<std::string>();
}

Result<Release> target_release(Target kind, const MachineFacts& m, const Knowledge& k, const Options& o) {
  auto all = releases(k);
  std::string current = str(nix_file(k), "nixpkgs", "current_release");
  std::string want, why;
  if (!o.nixos_release.empty()) {
    want = o.nixos_release;
    why = "--nixos-release";
  } else if (!o.nixpkgs_branch.empty()) {
    want = release_of_branch(o.nixpkgs_branch);
    why = "--nixpkgs " + o.nixpkgs_branch;
  } else if (!o.lock_branch.empty() && kind != Target::Shell) {
    want = release_of_branch(o.lock_branch);
    why = o.lock_file;
  } else if (kind != Target::Flake && m.nixos && !m.os_version_id.empty()) {
    want = m.os_version_id;
    why = "the snapshot's os-release";
  } else {
    want = current;
  }
  auto it = std::find_if(all.begin(), all.end(), [&](const Release& r) { return r.name == want; });
  if (it == all.end()) {
    std::vector<std::string> names;
    for (auto& r : all) names.push_back(r.name);
    return make_error(fmt::format("NixOS {} ({}) is not a release gpuenv knows (src/knowledge/nix.toml: {}); pass "
                                  "--nixos-release with one of them",
                                  want, why, join(names, ", ")));
  }
  Release r = *it;
  if (!o.nixpkgs_branch.empty())
    r.branch = o.nixpkgs_branch;
  else if (o.nixos_release.empty() && !o.lock_branch.empty() && kind != Target::Shell)
    r.branch = o.lock_branch;
  bool eol = !o.today.empty() && !r.end_of_support.empty() && o.today > r.end_of_support && !o.allow_eol;
  if (eol && r.name == current) {
    // A newer release gpuenv knows only by nixpkgs master's names (no release date when it was built).
    std::string next = "a newer release";
    if (auto after = it + 1; after != all.end())  // `it` is the current release
      next = after->name + (after->released.empty() && after->name != "unstable"
                                ? " (written with nixpkgs master's names of when this gpuenv was built)"
                                : "");
    return make_error(fmt::format("{} reached its end of support on {}, and it is the newest release this gpuenv "
                                  "knows as released (src/knowledge/nix.toml): update gpuenv, or pass "
                                  "--nixos-release {}, or --allow-eol to write the file for {} anyway",
                                  r.label(), r.end_of_support, next, r.name));
  }
  if (eol) {
    std::string where = why.empty() ? "" : " (" + why + ")";
    return make_error(fmt::format(
        "{}{} reached its end of support on {}: its nixpkgs gets no security fixes and its attribute names are "
        "not the ones of NixOS {}. Upgrade the host to {} (nixos-{} channel or flake input) and run this again, "
        "or pass --nixos-release {} to write the file for it now, or --allow-eol to write it for {} anyway",
        r.label(), where, r.end_of_support, current, current, current, current, r.name));
  }
  if (r.released.empty() && r.name != "unstable")
    warn(o, fmt::format("NixOS {} has no release date in gpuenv's knowledge: the file uses the attribute names of "
                        "nixpkgs master",
                        r.name));
  return r;
}

}  // namespace gpuenv::nix
