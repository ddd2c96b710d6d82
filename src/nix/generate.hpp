#pragma once
// Nix files written for the detected machine (gpuenv nix shell|flake|system): pure functions from the spec,
// the snapshot and the knowledge (src/knowledge/nix.toml, gpus.toml) to file text. No I/O here.
#include <string>
#include <vector>

#include "model/spec.hpp"
#include "knowledge/knowledge.hpp"
#include "model/snapshot.hpp"
#include "util/result.hpp"

namespace gpuenv::nix {

// One NVIDIA GPU of the snapshot, as the generators use it.
struct GpuFact {
  std::string name;        // GeForce RTX 4090
  std::string cc;          // 8.9 ("" when unknown)
  std::string arch;        // ada ("" when unknown)
  std::string arch_display;
  bool open_module = false;
  bool open_module_required = false;
  std::string last_driver_branch;  // "580" for Pascal
  std::string last_cuda;           // last CUDA release that compiles for it ("12.9"), "" while current
  bool datacenter = false;
  std::string source;      // nvml, cuda, pci
};

// The snapshot facts the generated files depend on (all of them are named in the header comment).
struct MachineFacts {
  std::string hostname, created, os, os_version_id, arch, driver_version, kernel_flavour;
  bool nixos = false;
  std::vector<GpuFact> gpus;
  std::vector<std::string> capabilities;  // distinct compute capabilities, ascending
  bool nvswitch = false;                   // an NVSwitch on the PCI bus (SXM/HGX board): fabric manager needed
};

// One NixOS release of nix.toml [[release]]: what its nixpkgs has.
struct Release {
  std::string name;      // "26.05", "unstable"
  std::string codename;  // "Yarara"
  std::string released, end_of_support;  // YYYY-MM-DD; "" = not released yet / rolling
  std::string branch;    // nixos-26.05
  std::vector<std::string> driver_attrs;
  std::string driver_580, driver_datacenter;
  std::vector<std::string> cuda_majors;
  std::string python_default;  // "3.13"
  std::vector<std::string> python_versions;
  std::vector<std::string> python_prerelease;  // python3XX attributes that hold an alpha, beta or rc only
  std::string tensorrt_insecure;  // "CVE-2026-24188", "" when not marked
  std::string label() const;  // "NixOS 26.05 (Yarara)", "nixos-unstable"
};

std::vector<Release> releases(const Knowledge& k);

MachineFacts machine_facts(const Snapshot& s, const Knowledge& k);

struct Options {
  std::string version;  // gpuenv version for the header ("0.9.0")
  bool container_toolkit = false;
  bool tensorrt = false;
  std::string nixpkgs_branch;  // flake --nixpkgs: "nixos-26.05", "nixos-unstable" ("" = by release)
  std::string nixos_release;   // --nixos-release: "26.05" ("" = the host's for shell/system, current for a flake)
  std::string lock_branch;     // the nixpkgs branch a flake.lock names (nixpkgs_branch_of_lock), "" = none
  std::string lock_file;       // that flake.lock, for messages
  bool allow_eol = false;      // --allow-eol: write files for a release past its end of support
  std::string today;           // YYYY-MM-DD, for end of support ("" = never refuse)
  bool cuda_capabilities = false;  // --cuda-capabilities: build CUDA code for this machine's GPUs only (slow)
  std::vector<std::string>* warnings = nullptr;  // filled with what the command prints on stderr
};

// The release a file kind is written for: Options, else (shell, system) the snapshot's NixOS release, else
// nix.toml's current release. An unknown release, or one past its end of support without allow_eol, is an error.
// Order: --nixos-release, --nixpkgs, the flake.lock's nixpkgs branch, (shell, system) os-release, current.
enum class Target { Shell, Flake, System };
Result<Release> target_release(Target kind, const MachineFacts& m, const Knowledge& k, const Options& o);

// The branch ("nixos-26.05") of the `nixpkgs` input of a flake.lock (JSON text); "" when it names none.
std::string nixpkgs_branch_of_lock(const std::string& lock_json);

// Each returns the whole file, or an error (a Python version nixpkgs lacks, a framework with no Nix package).
Result<std::string> render_shell(const Spec& spec, const Snapshot& s, const Knowledge& k, const Options& o);
Result<std::string> render_flake(const Spec& spec, const Snapshot& s, const Knowledge& k, const Options& o);
Result<std::string> render_system(const Spec& spec, const Snapshot& s, const Knowledge& k, const Options& o);

// The attribute/option names a file kind uses, from nix.toml (for tests and `--explain`).
std::string python_attr(const Spec& spec, const Knowledge& k);

}  // namespace gpuenv::nix
