#pragma once
// /etc/ld.so.cache, parsed from the file itself (both formats: the old
// "ld.so-1.7.0" and the new "glibc-ld.so.cache1.1", alone or combined, with
// the glibc-hwcaps extension), and /etc/ld.so.conf with its includes.
// Layout from glibc's sysdeps/generic/dl-cache.h.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/fs.hpp"
#include "util/result.hpp"

namespace gpuenv::elf {

struct CacheEntry {
  std::string soname;   // key: libcudnn.so.9
  std::string path;     // value: /usr/lib/x86_64-linux-gnu/libcudnn.so.9
  std::int32_t flags = 0;    // FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 = 0x0303 ...
  std::string hwcaps;   // glibc-hwcaps subdirectory ("x86-64-v3"), "" for none
  std::uint64_t hwcap = 0;
};

struct LdCache {
  std::string format;   // "old", "new", "old+new"
  std::vector<CacheEntry> entries;  // in file order
  // The entry glibc picks for a name: matching flags, the best active
  // glibc-hwcaps subdirectory first, else the first plain entry. nullptr if none.
  const CacheEntry* lookup(std::string_view soname, std::int32_t required_flags,
                           const std::vector<std::string>& active_hwcaps) const;
};

Result<LdCache> parse_ld_cache(std::string_view bytes);

// The cache flags glibc requires on this architecture ("x86_64" -> 0x0303, "aarch64" -> 0x0a03).
std::int32_t cache_flags_for(int elf_machine, int elf_class);

// Directories of /etc/ld.so.conf in order, following "include" globs (relative
// to the including file's directory) and ignoring "hwcap" lines, as ldconfig does.
std::vector<std::string> read_ld_so_conf(const Fs& fs, const std::string& file = "/etc/ld.so.conf");

// Shell-style match of one path component ("*.conf", "libcudnn.so.*[0-9]").
bool glob_match(std::string_view pattern, std::string_view name);

}  // namespace gpuenv::elf
