#include "elf/ldcache.hpp"

#include <elf.h>

#include <cstdint>
#include <cstring>
#include <set>

#include "util/strings.hpp"

namespace gpuenv::elf {

namespace {

constexpr std::string_view kOldMagic = "ld.so-1.7.0";
constexpr std::string_view kNewMagic = "glibc-ld.so.cache1.1";
constexpr std::uint64_t kHwcapExtension = 1ull << 62;  // DL_CACHE_HWCAP_EXTENSION
constexpr std::uint32_t kExtMagic = 0xeaa42174u;
constexpr std::uint32_t kTagGlibcHwcaps = 1;

template <class T>
bool load(std::string_view s, std::size_t off, T& v) {
  if (off > s.size() || s.size() - off < sizeof(T)) return false;
  std::memcpy(&v, s.data() + off, sizeof v);
  return true;
}

bool cstr(std::string_view s, std::size_t off, std::string& out) {
  if (off >= s.size()) return false;
  auto end = s.find('\0', off);
  if (end == std::string_view::npos) return false;
  out.assign(s.substr(off, end - off));
  return true;
}

// The flags, soname and path of the entry at `e` (both formats start an entry with i32 flags, u32 key, u32 value:
// offsets into `strings`).
Result<bool> read_entry(std::string_view s, std::string_view strings, std::size_t e, std::uint32_t i, CacheEntry& c) {
  std::uint32_t key = 0, value = 0;
  load(s, e, c.flags);
  load(s, e + 4, key);
  load(s, e + 8, value);
  if (!cstr(strings, key, c.soname) || !cstr(strings, value, c.path))
    return make_error("ld.so.cache: entry " + std::to_string(i) + " points outside the string table");
  return true;
}

Result<bool> parse_new(std::string_view all, std::size_t base, LdCache& out) {
  // struct cache_file_new: magic[17] version[3] u32 nlibs, u32 len_strings, u8 flags, u8 pad[3],
  // u32 extension_offset, u32 unused[3]; then file_entry_new[nlibs] {i32 flags; u32 key, value;
  // u32 osversion; u64 hwcap} (24 bytes). String offsets are relative to the new header.
  std::string_view s = all.substr(base);
  std::uint32_t nlibs = 0, ext = 0;
  if (s.size() < 48 || !load(s, 20, nlibs) || !load(s, 32, ext)) return make_error("ld.so.cache: truncated header");
  if (std::uint64_t(nlibs) * 24 > s.size() - 48) return make_error("ld.so.cache: entry table runs past the file");
  // glibc-hwcaps subdirectory names from the extension section.
  std::vector<std::string> hwcaps;
  std::uint32_t magic = 0, count = 0;
  if (ext != 0 && load(s, ext, magic) && magic == kExtMagic && load(s, ext + 4, count) && count < 1024) {
    for (std::uint32_t i = 0; i < count; ++i) {
      std::uint32_t tag = 0, off = 0, size = 0;
      std::size_t sp = ext + 8 + std::size_t(i) * 16;
      if (!load(s, sp, tag) || !load(s, sp + 8, off) || !load(s, sp + 12, size)) break;
      if (tag != kTagGlibcHwcaps) continue;
      for (std::uint32_t k = 0; k + 4 <= size; k += 4) {
        std::uint32_t str = 0;
        std::string name;
        if (!load(s, std::size_t(off) + k, str) || !cstr(s, str, name)) break;
        hwcaps.push_back(name);
      }
    }
  }
  for (std::uint32_t i = 0; i < nlibs; ++i) {
    std::size_t e = 48 + std::size_t(i) * 24;
    CacheEntry c;
    if (auto r = read_entry(s, s, e, i, c); !r) return make_error(r.error());
    load(s, e + 16, c.hwcap);
    if (c.hwcap & kHwcapExtension) {
      auto idx = std::uint32_t(c.hwcap & 0xffffffffu);
      if (idx < hwcaps.size()) c.hwcaps = hwcaps[idx];
    }
    out.entries.push_back(std::move(c));
  }
  return true;
}

}  // namespace

Result<LdCache> parse_ld_cache(std::string_view s) {
  LdCache out;
  if (s.starts_with(kNewMagic)) {
    out.format = "new";
    auto r = parse_new(s, 0, out);
    if (!r) return make_error(r.error());
    return out;
  }
  if (!s.starts_with(kOldMagic)) return make_error("ld.so.cache: unknown format (no glibc cache magic)");
  // struct cache_file: magic[11], u32 nlibs (at 12 after alignment), file_entry[nlibs] {i32 flags; u32 key, value}.
  std::uint32_t nlibs = 0;
  if (!load(s, 12, nlibs)) return make_error("ld.so.cache: truncated header");
  std::size_t table_end = 16 + std::size_t(nlibs) * 12;
  if (table_end > s.size()) return make_error("ld.so.cache: entry table runs past the file");
  // A new-format cache may follow the old entries (aligned to 8 bytes).
  std::size_t new_at = (table_end + 7) & ~std::size_t(7);
  if (new_at < s.size() && s.substr(new_at).starts_with(kNewMagic)) {
    out.format = "old+new";
    auto r = parse_new(s, new_at, out);
    if (!r) return make_error(r.error());
    return out;
  }
  out.format = "old";
  std::string_view strings = s.substr(table_end);  // old format: offsets relative to the string table
  for (std::uint32_t i = 0; i < nlibs; ++i) {
    std::size_t e = 16 + std::size_t(i) * 12;
    CacheEntry c;
    if (auto r = read_entry(s, strings, e, i, c); !r) return make_error(r.error());
    out.entries.push_back(std::move(c));
  }
  return out;
}

std::int32_t cache_flags_for(int machine, int elf_class) {
  constexpr std::int32_t libc6 = 0x0003;
  switch (machine) {
    case EM_X86_64: return elf_class == 32 ? libc6 | 0x0800 : libc6 | 0x0300;  // x32 | lib64
    case EM_AARCH64: return libc6 | 0x0a00;
    case EM_PPC64: return libc6 | 0x0500;
    case EM_S390: return libc6 | 0x0400;
    case EM_RISCV: return libc6 | (elf_class == 64 ? 0x1000 : 0x0f00);  // lp64d guess for riscv
    default: return libc6;
  }
}

const CacheEntry* LdCache::lookup(std::string_view soname, std::int32_t required,
                                  const std::vector<std::string>& active) const {
  const CacheEntry* plain = nullptr;
  const CacheEntry* best = nullptr;
  std::size_t best_prio = active.size();
  for (auto& e : entries) {
    if (e.soname != soname) continue;
    // _dl_cache_check_flags: the flags must equal the platform's (FLAG_ELF_LIBC6 alone is libc6 on 32-bit).
    if (e.flags != required) continue;
    if (!e.hwcaps.empty()) {
      for (std::size_t i = 0; i < active.size() && i < best_prio; ++i)
        if (active[i] == e.hwcaps) {
          best = &e;
          best_prio = i;
        }
    } else if (e.hwcap == 0 && !plain) {
      plain = &e;
    }
  }
  return best ? best : plain;
}

bool glob_match(std::string_view p, std::string_view n) {
  // Iterative matcher for *, ? and [...] (with ranges and ! negation).
  std::size_t pi = 0, ni = 0, star = std::string_view::npos, mark = 0;
  auto class_match = [&](std::size_t& i, char c) {
    std::size_t j = i + 1;
    bool neg = j < p.size() && (p[j] == '!' || p[j] == '^');
    if (neg) ++j;
    bool ok = false;
    std::size_t start = j;
    for (; j < p.size() && (p[j] != ']' || j == start); ++j) {
      if (j + 2 < p.size() && p[j + 1] == '-' && p[j + 2] != ']') {
        if (c >= p[j] && c <= p[j + 2]) ok = true;
        j += 2;
      } else if (p[j] == c) {
        ok = true;
      }
    }
    if (j >= p.size()) return false;  // unterminated class: no match
    i = j + 1;
    return ok != neg;
  };
  while (ni < n.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ni;
    } else if (pi < p.size() && p[pi] == '?') {
      ++pi;
      ++ni;
    } else if (pi < p.size() && p[pi] == '[') {
      std::size_t i = pi;
      if (class_match(i, n[ni])) {
        pi = i;
        ++ni;
      } else if (star != std::string_view::npos) {
        pi = star + 1;
        ni = ++mark;
      } else {
        return false;
      }
    } else if (pi < p.size() && p[pi] == n[ni]) {
      ++pi;
      ++ni;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ni = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

namespace {
// Bounds for include walks: an ld.so.conf that includes itself (directly or through a glob) is read once,
// and at most kMaxConfFiles files are read in all, however the includes fan out.
constexpr int kMaxConfDepth = 16;
constexpr std::size_t kMaxConfFiles = 1024;
struct ConfWalk {
  std::set<std::string> seen;
};
}  // namespace

static void read_conf(const Fs& fs, const std::string& file, std::vector<std::string>& out, int depth,
                      ConfWalk& walk) {
  if (depth > kMaxConfDepth || walk.seen.size() >= kMaxConfFiles) return;
  if (!walk.seen.insert(normalize_path(file)).second) return;
  auto text = fs.read_opt(file, 1 << 20);
  if (!text) return;
  for (auto& raw : split_lines(*text)) {
    auto line = std::string(trim(std::string_view(raw).substr(0, raw.find('#'))));
    if (line.empty()) continue;
    if (line.starts_with("include") && line.size() > 7 && (line[7] == ' ' || line[7] == '\t')) {
      for (auto& pattern0 : split(std::string_view(line).substr(8), ' ', false)) {
        auto pattern = std::string(trim(pattern0));
        if (pattern.empty()) continue;
        if (!pattern.starts_with('/')) pattern = dir_name(file) + "/" + pattern;
        auto dir = dir_name(pattern);
        auto base = base_name(pattern);
        for (auto& name : fs.list(dir))  // sorted, as glob(3) returns them
          if (glob_match(base, name)) read_conf(fs, dir + "/" + name, out, depth + 1, walk);
      }
      continue;
    }
    if (line.starts_with("hwcap") && line.size() > 5 && (line[5] == ' ' || line[5] == '\t')) continue;
    // Entries are separated by whitespace, ':' or ','; "dir=TYPE" suffixes are historical.
    std::string cur;
    auto flush = [&] {
      auto eq = cur.find('=');
      if (eq != std::string::npos) cur.resize(eq);
      while (cur.size() > 1 && cur.back() == '/') cur.pop_back();
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    };
    for (char c : line) {
      if (c == ' ' || c == '\t' || c == ':' || c == ',') flush();
      else cur += c;
    }
    flush();
  }
}

std::vector<std::string> read_ld_so_conf(const Fs& fs, const std::string& file) {
  std::vector<std::string> out;
  ConfWalk walk;
  read_conf(fs, file, out, 0, walk);
  return out;
}

}  // namespace gpuenv::elf
