#pragma once
// CUDA user-space libraries: every copy on disk (the inventory), and for each
// consumer (a framework's extension modules, or a file the user names) which
// copy the dynamic loader really picks, why, and what GPU code those files
// carry. docs/schema.md, section "libraries".
#include <cstdint>
#include <string>
#include <vector>

namespace gpuenv {

struct LibraryCopy {
  std::string name;       // family: cuda, nvidia-ml, cudart, cublas, cudnn, nccl, ... (libraries.toml)
  std::string path;       // as found (may be a symlink)
  std::string realpath;   // after resolving links
  std::string soname;     // from the ELF (DT_SONAME), else from the file name
  std::string version;    // from the real file's name (libcudnn.so.9.14.0 -> 9.14.0) or the owning wheel
  // Where it was found: LD_LIBRARY_PATH, ld.so.conf, default, nixos-driver, wsl, driver-dir, cuda-stubs,
  // cuda-compat, cuda-toolkit, site-packages, conda, nix-store, runpath.
  std::string origin;
  bool stub = false;      // CUDA toolkit stub (lib64/stubs)
  std::uint64_t size = 0;
  std::string arch;       // CPU architecture of the ELF (x86_64, aarch64), "" when not read
  int elf_class = 0;      // 32 or 64, 0 when not ELF
  std::string package;    // owner where it can be told: "pip:nvidia-cudnn-cu13 9.19.0.56", "deb", "conda", "nix:/nix/store/..."
  std::string elf_error;  // the file starts like ELF but cannot be read (truncated, corrupt)
};

// One DT_NEEDED entry or one by-name load of a consumer, as the loader resolves it.
struct Resolution {
  std::string name;          // as requested: libcudnn.so.9 (or a path for kind "load")
  std::string kind;          // load (by path), needed (DT_NEEDED), dlopen (by name), preload (framework's own search)
  std::string when;          // import, init (GPU initialisation), on-demand (first use of a feature)
  std::string requested_by;  // the file whose DT_NEEDED or dlopen this is ("" for the framework itself)
  std::string path;          // the file it resolves to ("" when nothing is found)
  std::string realpath;
  std::string family;        // cudnn, cudart, ... when it is a CUDA library ("" otherwise)
  std::string version;       // of the resolved copy, when known
  // Why: "RPATH of libtorch_cuda.so: $ORIGIN/../../nvidia/cudnn/lib", "RUNPATH of X: dir",
  // "LD_LIBRARY_PATH: dir", "ld.so.cache", "default path: dir", "already loaded", "path",
  // "site-packages: nvidia/cu13/lib" (framework preload), "not found".
  std::string reason;
  bool reused = false;       // satisfied by an object loaded earlier (same SONAME)
  int depth = 0;             // in the dependency tree of its "load" step
  std::vector<std::string> considered;  // paths tried before the hit (or all, when not found)
  std::vector<std::string> skipped;     // candidates the loader passed over: "path (ELFCLASS32)"
  std::string damage;        // the file it resolves to is cut short past its headers (ElfInfo::damage): it maps, then SIGBUS
};

// GPU code in one file: the fatbin containers of its .nv_fatbin section and of its other data sections.
struct FatbinInfo {
  std::string path;
  std::vector<std::string> sass;  // sm_75, sm_80, sm_90, sm_90a
  std::vector<std::string> ptx;   // compute_90
  std::string error;              // unreadable fatbin
  std::vector<std::string> sections;  // the sections holding containers: .nv_fatbin, .ldata
};

struct Consumer {
  std::string name;         // torch, jax, cupy, or the file name
  std::string kind;         // framework | file
  std::string version;      // framework version
  std::string location;     // package directory or the file
  std::string interpreter;  // the Python whose site-packages were used
  std::string model;        // the loading model applied (libraries.toml: "torch 2.x")
  std::vector<Resolution> loads;   // in load order
  std::vector<FatbinInfo> kernels; // files among the loads that carry GPU code
};

// An object the loader preloads into every process before anything else (LD_PRELOAD, /etc/ld.so.preload): it
// satisfies every later request of its SONAME.
struct Preload {
  std::string entry;     // as written: a path or a bare name
  std::string source;    // LD_PRELOAD or /etc/ld.so.preload
  std::string path;      // the file it resolves to ("" when the loader finds none and ignores the entry)
  std::string realpath;
  std::string soname;    // DT_SONAME of that file
  std::string family;    // cuda, cudnn, ... when it is a CUDA library ("" otherwise)
};

// glibc's dl_main (elf/rtld.c) splits LD_PRELOAD at spaces and colons, /etc/ld.so.preload also at tabs and
// newlines; empty pieces are dropped (split_any in util/strings.hpp).
inline constexpr const char* kPreloadSeparators = " \t\n:";

struct Libraries {
  std::vector<LibraryCopy> copies;
  std::vector<Consumer> consumers;
  std::vector<std::string> site_dirs;      // site-packages searched for wheels (from the Python probe or the fallback)
  std::string ld_cache_format;             // old, new, old+new; "" when /etc/ld.so.cache is missing
  std::vector<std::string> system_dirs;    // the loader's default directories on this machine
  std::vector<std::string> hwcaps;         // active glibc-hwcaps subdirectories
  std::vector<Preload> preload;            // LD_PRELOAD's entries, then /etc/ld.so.preload's, in load order
};

}  // namespace gpuenv
