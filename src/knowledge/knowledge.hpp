#pragma once
// Compatibility facts, loaded from the TOML data files under src/knowledge/
// (embedded at build time; GPUENV_KNOWLEDGE_DIR overrides them at run time).
// Checks read facts through this class; no version table lives in C++.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace toml {
inline namespace v3 {
class table;
}
}  // namespace toml

namespace gpuenv {

struct VariableFacts;  // knowledge/variables.hpp

struct ErrorFact {
  int code = 0;
  std::string name;
  std::string meaning;
  std::string cause;  // may be empty
  std::string fix;    // may be empty
  std::string source;
};

struct CudaRelease {
  std::string version;         // "12.4"
  std::string toolkit_driver;  // minimum Linux driver for the whole toolkit ("550.54.14")
  std::vector<std::string> sm; // compute capabilities its compiler and libraries target ("9.0")
};

// Can a driver run programs built with a CUDA version?
struct DriverSupport {
  bool known = false;          // false when the CUDA version or the driver is not understood
  bool runs = false;
  bool minor_compat = false;   // runs only through minor-version compatibility (newer PTX cannot JIT)
  std::string needed;          // the driver the toolkit wants (toolkit_driver)
  std::string minimum;         // the least driver that runs it at all (minor-compat minimum, else toolkit driver)
};

struct GpuArch {
  std::string name;            // hopper
  std::string display;         // Hopper
  std::vector<std::string> cc; // capabilities of this architecture
  bool open_module = false;    // NVIDIA's open kernel module supports it
  bool open_module_required = false;
  std::string last_driver_branch;  // "" while supported by current drivers, "580" for Maxwell-Volta
  std::string first_cuda, last_cuda;
};

// A device file of the NVIDIA driver (devices.toml): the numbers it must carry.
struct DeviceNodeFact {
  std::string what;                      // "GPU N", "the driver's control device"
  int major = 0;                         // the fixed major, 0 when the kernel assigns it (known from /proc/devices)
  std::vector<std::string> major_names;  // the names the major has in /proc/devices
  int minor = -1;                        // -1: any minor
  std::string source;
};

struct GpuModel {
  std::string device_id;  // 0x2330
  std::string name;       // H100 SXM5 80GB
  std::string chip;       // GH100
  std::string cc;         // 9.0
};

// A CUDA library and the packages that provide it (libraries.toml).
struct LibraryFamily {
  std::string name;     // cudnn
  std::string display;  // cuDNN
  std::vector<std::string> stems;  // file names before ".so": libcudnn, libcudnn_graph, ...
  bool driver = false;  // part of the driver (libcuda, NVML), not of a toolkit
  std::map<std::string, std::string> pip;            // CUDA major -> pip distribution
  std::map<std::string, std::string> cuda_of_major;  // library major -> CUDA major where they differ
  std::string apt, conda, nix;  // with {cuda_major}, {cuda_dash}, {major} placeholders
};

// What a framework expects of the copy of a library it loads, given the version its nvidia-* wheel pins
// (libraries.toml [[pin_rule]]): the same major, and a minor no older than the pin's.
struct PinRule {
  std::string family;    // cudnn
  std::string severity;  // error (the framework refuses or fails), warning (it may fail)
  std::string why;       // what happens when the rule is broken
  std::string source;
};

// One step of a framework's library loading (libraries.toml [[framework]]).
struct FrameworkStep {
  std::string kind;       // load, wheel, dlopen, pathfinder
  std::string path;       // load: relative to site-packages, may hold '*'
  std::vector<std::string> dirs;  // wheel/pathfinder: nvidia/<dir>/lib, in order
  std::string file;       // wheel/pathfinder: file name or glob
  std::string name;       // dlopen/pathfinder: the name passed to dlopen
  std::string name_glob;  // dlopen: name found in the caller's directory
  bool beside = false;    // dlopen: by full path in the caller's directory (the library finds its own directory)
  std::string from;       // dlopen: prefix of the calling file's name or SONAME ("" = the interpreter)
  std::string when;       // import, init, on-demand
  std::string if_loaded;  // only when a file whose name starts with this is already loaded
};

// An error message a program prints, with its cause and fix (messages.toml). `gpuenv explain` and
// `doctor --deep` match text against these; the compiled pattern lives in knowledge/messages.cpp.
struct CompiledPattern;
struct MessageFact {
  std::string id;        // explain.* name of the entry
  std::string check;     // the doctor check that detects the same problem, "" when none
  std::vector<std::string> related;  // other checks whose findings narrow the cause
  std::vector<std::string> superseded_by;  // entries that, matched in the same log, explain it better
  std::string severity;  // error, warning, info
  std::string emitter;   // who prints it
  std::string needle;    // lower-case literal every match contains (at the start of the message when `wrap`)
  // Evidence the entry needs elsewhere in the log: one of these lower-case literals anywhere (a /nix/store
  // path), and/or the expanded `elsewhere` template outside the matched lines ("/{library}": the library
  // is installed somewhere the log shows; its path is captured as found_at).
  std::vector<std::string> context;
  std::string elsewhere;
  bool wrap = false;     // often hard-wrapped mid-word: lines are joined without a separator before matching
  std::string pattern;   // ECMAScript regex, case-insensitive
  std::vector<std::string> captures;  // names of the groups
  int lines = 1;         // lines the message may span
  std::string title, cause, fix;      // templates with {capture} and {capture|filter}
  std::string narrow;    // driver, gpu, visible-devices, library, ""
  std::string source;
  std::shared_ptr<const CompiledPattern> compiled;
};

struct FrameworkModel {
  std::string name;
  std::string checked;  // versions the model was checked against
  std::string source;
  std::vector<FrameworkStep> steps;
};

// GPU frameworks (frameworks.toml): releases, CUDA variants, Python ranges, GPU coverage, installers.
struct TorchRelease {
  std::string version;                  // "2.9" (major.minor)
  std::string python_min, python_max;   // "3.10", "3.14"
  std::vector<std::string> variants;    // cu126, cu128, ... (official Linux wheels)
  std::string default_variant;          // what PyPI's plain `torch` is, "" when unknown
  std::string source;
};

// SASS (and PTX) the official builds of one variant carry over a range of releases.
struct TorchArch {
  std::string variant;                  // cu126
  std::string from, to;                 // torch releases, inclusive
  std::vector<std::string> sm;          // compute capabilities with SASS ("9.0")
  std::vector<std::string> ptx;         // capabilities also shipped as PTX
  std::string source;
};

struct TfRelease {
  std::string version, python_min, python_max, cuda, cudnn;
  bool and_cuda = false;  // the [and-cuda] extra exists (2.14+)
  std::string source;
};

struct JaxCuda {
  std::string extra;   // cuda13
  int cuda_major = 0;
  std::string plugin;  // jax-cuda13-plugin
  std::string min_cc;  // "7.5"
  std::string source;
};

struct CupyPackage {
  std::string package;  // cupy-cuda12x
  int cuda_major = 0;
  std::string cuda;     // the oldest CUDA of that major it supports ("11.2")
  std::string source;
};

// The Python versions a range of releases of a framework publishes wheels for (jax, cupy).
struct PythonSupport {
  std::string framework;         // jax, cupy
  std::string from, to;          // releases, inclusive; `to` matches by its own precision ("13.6" covers 13.6.3)
  std::string python_min, python_max;
  std::string source;
};

struct FrameworkInstall {
  std::string nix, conda, conda_cpu;  // templates with {py}, {cuda}
};

// A framework built by a distribution (Debian, Fedora, conda, Nix) for that distribution's own Python: the
// upstream wheels' Python range does not apply to it. Recognised by the installer its metadata records
// (INSTALLER, or Debian's dist-packages layout) or by where it lies.
struct DistributionBuild {
  std::string installer;  // debian, rpm, conda ("" = any)
  std::string location;   // a path prefix ("/nix/store/"; "" = anywhere)
  std::string packager;   // for the evidence: "Debian", "conda"
  std::string source;
};

struct FrameworkFacts {
  std::vector<TorchRelease> torch;              // newest first
  std::map<std::string, std::string> torch_index;  // variant -> wheel index URL
  std::vector<TorchArch> torch_arch;
  std::vector<TfRelease> tensorflow;            // newest first
  std::vector<JaxCuda> jax;                     // newest CUDA major first
  std::vector<CupyPackage> cupy;                // newest CUDA major first
  std::map<std::string, FrameworkInstall> install;  // torch, tensorflow, jax, cupy
  std::vector<PythonSupport> python_support;        // jax, cupy (torch and TensorFlow: their release rows)
  std::vector<DistributionBuild> distribution_builds;
  // /dev/shm: PyTorch's DataLoader workers (and torch.multiprocessing) pass tensors through it.
  std::uint64_t shm_docker_default = 0;  // bytes: a container's /dev/shm unless --shm-size / --ipc=host
  std::uint64_t shm_recommended = 0;     // bytes: the least the frameworks' own container instructions ask for
  std::string shm_source;

  // Versions like "2.9.1+cu128" match the "2.9" row; nullptr when unknown.
  const TorchRelease* torch_release(const std::string& version) const;
  const TfRelease* tf_release(const std::string& version) const;
  // Coverage of a variant's builds in a release; nullptr when not recorded.
  const TorchArch* torch_coverage(const std::string& release, const std::string& variant) const;
  const CupyPackage* cupy_package(const std::string& name) const;
  // The row of `python_support` for this framework release ("0.4.35", "13.4.1"); nullptr when not recorded.
  const PythonSupport* python_support_for(const std::string& framework, const std::string& version) const;
  // The row recognising a distribution's build by its installer and location; nullptr for upstream wheels.
  const DistributionBuild* distribution_build(const std::string& installer, const std::string& location) const;
};

// "cu126" -> "12.6", "cu118" -> "11.8", "cu130" -> "13.0"; "" for anything else (cpu, rocm6.2).
std::string torch_variant_cuda(const std::string& variant);

class Knowledge {
 public:
  // Loads the embedded files (or GPUENV_KNOWLEDGE_DIR). Throws std::runtime_error on a malformed file.
  static const Knowledge& get();
  static std::unique_ptr<Knowledge> load_from_dir(const std::string& dir);
  static std::unique_ptr<Knowledge> load_embedded();

  Knowledge();
  ~Knowledge();

  const ErrorFact* cuda_error(int code) const;
  const ErrorFact* nvml_error(int code) const;

  // CUDA releases (cuda.toml). Versions like "12.4.1" or "12.4.131" match "12.4".
  const CudaRelease* cuda_release(const std::string& version) const;
  const std::vector<CudaRelease>& cuda_releases() const {  // newest first
    ensure_cuda();
    return cuda_releases_;
  }
  std::string minor_compat_driver(int cuda_major) const;  // "" when the major has none (10.x)
  DriverSupport driver_supports_cuda(const std::string& driver, const std::string& cuda) const;
  // The newest CUDA release whose toolkit driver this driver meets ("13.0" for 580.159.04).
  std::string newest_cuda_for_driver(const std::string& driver) const;
  // Does the CUDA release's compiler target this compute capability (SASS)?
  bool cuda_targets_cc(const std::string& cuda, const std::string& cc) const;

  // GPUs (gpus.toml).
  const GpuArch* arch_for_cc(const std::string& cc) const;  // "9.0"
  const GpuArch* arch_by_name(const std::string& name) const;
  const GpuModel* gpu_by_device_id(const std::string& id) const;  // "0x2330" or "2330"
  std::string first_cuda_for_cc(const std::string& cc) const;

  // CUDA libraries (libraries.toml).
  const std::vector<LibraryFamily>& library_families() const;
  const LibraryFamily* library_family(const std::string& name) const;
  // The family of a file name ("libcudnn_graph.so.9.14.0" -> cudnn), nullptr for other files.
  const LibraryFamily* library_family_for_file(const std::string& file_name) const;
  const FrameworkModel* framework_model(const std::string& name) const;
  const PinRule* pin_rule(const std::string& family) const;  // nullptr: no rule for that family

  // GPU frameworks (frameworks.toml).
  const FrameworkFacts& frameworks() const;
  // Environment variables the GPU stack reads: grammar and effect (variables.toml, knowledge/variables.hpp).
  const VariableFacts& variables() const;
  // Error messages (messages.toml), in file order (specific entries before generic ones).
  // Throws std::runtime_error on an invalid entry (bad pattern, missing field).
  const std::vector<MessageFact>& messages() const;

  // Parses every file the checks read (not messages.toml), so a caller that is waiting anyway (the
  // doctor, for cuInit) pays for it then. Throws like the accessors on a malformed file.
  void preload_for_checks() const;

  // Nix (nix.toml): where NixOS links the driver's libraries, and how each driver wrapper is run
  // ("{cmd}" stands for the program).
  std::string nix_driver_lib_dir() const;
  std::vector<std::string> nix_wrapper_usages() const;
  // The nvidiaPackages attribute that NixOS `release` ("26.05", os-release VERSION_ID) names the last driver branch
  // `branch` ("580", "470") of a GPU: nix.toml [[release]] driver_580, else legacy_<branch> where the release has it;
  // "" when the release or the branch is not known.
  std::string nix_driver_attr(const std::string& release, const std::string& branch) const;

  // Device files (devices.toml): the numbers `path` must carry (for /dev/nvidiaN the minor is N), nullopt for a
  // path the table does not name; the mode the driver creates them with ("0666").
  std::optional<DeviceNodeFact> device_node_fact(const std::string& path) const;
  std::string device_file_default_mode() const;

  // Raw access to a parsed file (name without ".toml"); nullptr when absent. Files are parsed on
  // first use, so a run pays only for the facts it reads. Throws std::runtime_error on a malformed file.
  const toml::table* file(const std::string& name) const;
  const std::string* file_text(const std::string& name) const;
  std::vector<std::string> file_names() const;

 private:
  void add_file(const std::string& name, const std::string& text);
  void ensure_errors() const;
  void ensure_cuda() const;
  void ensure_gpus() const;
  void ensure_libraries() const;
  void ensure_frameworks() const;
  void ensure_messages() const;
  std::map<std::string, std::string> texts_;
  mutable std::recursive_mutex mu_;
  mutable std::map<std::string, std::unique_ptr<toml::table>> files_;
  mutable std::once_flag errors_once_, cuda_once_, gpus_once_, libraries_once_, frameworks_once_, messages_once_;
  mutable FrameworkFacts framework_facts_;
  mutable std::once_flag variables_once_;
  mutable std::shared_ptr<const VariableFacts> variables_;
  mutable std::vector<MessageFact> messages_;
  mutable std::vector<LibraryFamily> families_;
  mutable std::map<std::string, std::size_t, std::less<>> family_by_stem_;  // stem -> index in families_
  mutable std::vector<FrameworkModel> frameworks_;
  mutable std::vector<PinRule> pin_rules_;
  mutable std::map<int, ErrorFact> cuda_errors_, nvml_errors_;
  mutable std::vector<CudaRelease> cuda_releases_;
  mutable std::map<int, std::string> minor_compat_;
  mutable std::vector<GpuArch> archs_;
  mutable std::map<std::string, GpuModel> gpus_;  // cache of looked-up device IDs
  mutable std::map<std::string, std::string> first_cuda_for_cc_;
};

}  // namespace gpuenv
