#include "elf/fatbin.hpp"

#include <algorithm>
#include <cstring>
#include <set>

namespace gpuenv::elf {

namespace {

constexpr std::uint32_t kMagic = 0xBA55ED50u;
constexpr std::uint64_t kFlagArchSpecific = 0x100000u;
constexpr std::uint64_t kFlagFamilySpecific = 0x200000u;

template <class T>
T load(std::string_view s, std::size_t off) {
  T v;
  std::memcpy(&v, s.data() + off, sizeof v);  // the section is little endian, like every CUDA host
  return v;
}

}  // namespace

std::string FatbinEntry::name() const {
  std::string n = (kind == 1 ? "compute_" : "sm_") + std::to_string(arch);
  if (suffix) n += suffix;
  return n;
}

std::pair<int, char> parse_target(std::string_view t) {
  std::string_view rest;
  if (t.starts_with("sm_")) rest = t.substr(3);
  else if (t.starts_with("compute_")) rest = t.substr(8);
  else return {0, 0};
  int n = 0;
  std::size_t i = 0;
  while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
    if (n > 99999) return {0, 0};  // no such architecture (and no int overflow on sm_99999999999)
    n = n * 10 + (rest[i++] - '0');
  }
  if (i == 0) return {0, 0};
  char suffix = i < rest.size() ? rest[i] : 0;
  return {n, suffix};
}

bool target_less(const std::string& a, const std::string& b) {
  auto pa = parse_target(a), pb = parse_target(b);
  if (pa != pb) return pa < pb;
  return a < b;
}

Result<FatbinSummary> parse_fatbin(std::string_view sec) {
  FatbinSummary out;
  std::set<std::string> sass, ptx;
  std::size_t p = 0;
  while (p + 16 <= sec.size()) {
    if (load<std::uint32_t>(sec, p) != kMagic) {
      // Padding between containers is zeros; anything else is not a fatbin.
      if (load<std::uint32_t>(sec, p) != 0)
        return make_error("fatbin: no container magic at offset " + std::to_string(p));
      p += 4;
      continue;
    }
    auto header_size = load<std::uint16_t>(sec, p + 6);
    auto payload = load<std::uint64_t>(sec, p + 8);
    if (header_size < 16 || header_size > sec.size() - p || payload > sec.size() - p - header_size)
      return make_error("fatbin: container at offset " + std::to_string(p) + " runs past the section (truncated)");
    ++out.containers;
    std::size_t q = p + header_size, end = p + header_size + std::size_t(payload);
    while (q < end) {
      if (end - q < 48) return make_error("fatbin: entry header at offset " + std::to_string(q) + " is truncated");
      auto kind = load<std::uint16_t>(sec, q);
      auto ehs = load<std::uint32_t>(sec, q + 4);
      auto size = load<std::uint64_t>(sec, q + 8);
      if (ehs < 48 || ehs > end - q || size > end - q - ehs)
        return make_error("fatbin: entry at offset " + std::to_string(q) + " runs past its container");
      FatbinEntry e;
      e.kind = kind;
      e.arch = int(load<std::uint32_t>(sec, q + 28));
      auto flags = load<std::uint64_t>(sec, q + 40);
      e.suffix = (flags & kFlagArchSpecific) ? 'a' : (flags & kFlagFamilySpecific) ? 'f' : 0;
      if (kind == 1) ptx.insert(e.name());
      else if (kind == 2) sass.insert(e.name());
      ++out.entries;
      q += ehs + std::size_t(size);
    }
    p = end;
  }
  for (; p < sec.size(); ++p)
    if (sec[p] != 0) return make_error("fatbin: truncated container header at offset " + std::to_string(p));
  out.sass.assign(sass.begin(), sass.end());
  out.ptx.assign(ptx.begin(), ptx.end());
  std::sort(out.sass.begin(), out.sass.end(), target_less);
  std::sort(out.ptx.begin(), out.ptx.end(), target_less);
  return out;
}

}  // namespace gpuenv::elf
