#pragma once
// glibc's dynamic loader, as a pure function of files (through Fs, so --root
// works): which file each DT_NEEDED entry and each dlopen-by-name resolves to,
// why, and the paths it tried first. The order is glibc's _dl_map_object
// (elf/dl-load.c):
//
//   0. an object already loaded whose name or SONAME matches is reused;
//   1. DT_RPATH of the requesting object, then of the object that loaded it,
//      and on up the chain, then of the executable (all skipped when the
//      requesting object has DT_RUNPATH; an object's DT_RPATH is ignored when
//      it also has DT_RUNPATH);
//   2. LD_LIBRARY_PATH;
//   3. DT_RUNPATH of the requesting object only (not inherited);
//   4. /etc/ld.so.cache (unless DF_1_NODEFLIB);
//   5. the system directories (unless DF_1_NODEFLIB).
// In each directory the active glibc-hwcaps subdirectories come first.
// Before any of this, the preloaded objects are loaded (glibc's dl_main, elf/rtld.c): the LD_PRELOAD entries
// (separated by spaces or colons), then those of /etc/ld.so.preload (whitespace or colons); a name without a
// slash is searched like a DT_NEEDED entry of the executable, an entry that cannot be found is ignored. A
// preloaded object satisfies every later request of its SONAME (step 0), whatever the paths say.
// $ORIGIN, $LIB and $PLATFORM are expanded; a file of the wrong ELF class or
// machine is skipped and the search goes on, as glibc does.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "elf/elf_file.hpp"
#include "elf/ldcache.hpp"
#include "model/libraries.hpp"
#include "util/fs.hpp"

namespace gpuenv::elf {

// One object the loader preloads: an entry of LD_PRELOAD or of /etc/ld.so.preload.
struct PreloadEntry {
  std::string entry;   // as written (a path or a bare name)
  std::string source;  // LD_PRELOAD or /etc/ld.so.preload
};

struct LoaderConfig {
  std::vector<PreloadEntry> preload;          // in load order: LD_PRELOAD's, then /etc/ld.so.preload's
  std::vector<std::string> ld_library_path;  // entries in order (empty ones dropped)
  std::vector<std::string> system_dirs;      // /lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib, /usr/lib
  std::vector<std::string> hwcaps;           // active glibc-hwcaps subdirectories, best first (x86-64-v3, ...)
  std::string lib = "lib64";                 // $LIB
  std::string platform = "x86_64";           // $PLATFORM
  int machine = 62;                          // EM_X86_64
  int elf_class = 64;
  std::shared_ptr<const LdCache> cache;      // nullptr: no readable /etc/ld.so.cache
  std::string cache_error;
};

// Reads /etc/ld.so.cache and /etc/ld.so.preload, picks system directories and hwcaps for the machine
// under the Fs root (x86_64 or aarch64, from `arch`), and takes LD_LIBRARY_PATH and LD_PRELOAD.
LoaderConfig loader_config_for(const Fs& fs, const std::string& arch, const std::string* ld_library_path,
                               const std::string* ld_preload = nullptr);

struct Step {
  std::string name;        // as requested (libcudnn.so.9, or a path)
  std::string kind;        // needed | dlopen | load
  int parent = -1;         // index of the loaded object that asked (-1: the program itself)
  int object = -1;         // index of the loaded object it resolved to (-1: not found)
  std::string path;        // the file it resolved to (as the loader named it)
  std::string reason;      // why: "RPATH of libtorch_cuda.so ($ORIGIN/../../nvidia/cudnn/lib)", "ld.so.cache", ...
  bool reused = false;     // an object already loaded satisfied it
  std::vector<std::string> considered;  // paths tried, in order, before the hit
  std::vector<std::string> skipped;     // "path (ELFCLASS32)": candidates of the wrong class or machine
  int depth = 0;
};

struct LoadedObject {
  std::string path;        // as opened
  std::string realpath;
  std::string name;        // the name it was asked for
  ElfInfo info;
  std::string error;       // unreadable ELF
  int loader = -1;         // the object whose DT_NEEDED (or dlopen) brought it in
  std::string preloaded;   // "LD_PRELOAD: entry" or "/etc/ld.so.preload: entry" for a preloaded object, else ""
};

class Resolver;

// One process being loaded: the objects it has, in load order.
class Process {
 public:
  // Loads the executable (when given) and then the preloaded objects of the configuration.
  Process(const Resolver& r, const std::string& main_exe = "");
  // How each preload entry resolved (reason "LD_PRELOAD: entry" or "/etc/ld.so.preload: entry"; no path when
  // the loader ignores it).
  const std::vector<Step>& preloads() const { return preloads_; }
  // Loads a file by path (dlopen or ctypes.CDLL with a slash), then its dependencies breadth first.
  int load_path(const std::string& path, std::vector<Step>& out, const std::string& kind = "load");
  // dlopen(name) called from the object `caller` (-1: from the executable, e.g. ctypes.CDLL("libx.so")).
  int dlopen(const std::string& name, int caller, std::vector<Step>& out);
  // Resolves a name without loading it (no dependencies).
  Step find(const std::string& name, int requester) const;
  const std::vector<LoadedObject>& objects() const { return objects_; }
  int find_loaded(const std::string& name) const;  // by name or SONAME, -1 if none

 private:
  int add_object(const std::string& path, const std::string& name, int loader);
  void load_deps(int first, std::vector<Step>& out, int base_depth);
  std::vector<std::string> expand(const std::string& list, int obj) const;
  const Resolver& r_;
  Step reuse(const std::string& name, int parent, int hit) const;
  std::vector<LoadedObject> objects_;
  std::vector<Step> preloads_;
  int main_ = -1;
};

class Resolver {
 public:
  Resolver(const Fs& fs, LoaderConfig cfg) : fs_(fs), cfg_(std::move(cfg)) {}
  const Fs& fs() const { return fs_; }
  const LoaderConfig& config() const { return cfg_; }
  // Cached ELF facts by real path.
  const ElfInfo* info(const std::string& path, std::string* error = nullptr) const;
  // Fs::realpath, remembered (the loader model asks for the same paths many times).
  std::optional<std::string> realpath(const std::string& path) const;
  // Does the file exist and match the target machine? ("" ok, else why it is skipped; "missing").
  std::string check_candidate(const std::string& path) const;

 private:
  const Fs& fs_;
  LoaderConfig cfg_;
  mutable std::map<std::string, std::pair<std::optional<ElfInfo>, std::string>> cache_;
  mutable std::map<std::string, std::optional<std::string>> real_;
};

}  // namespace gpuenv::elf
