#include "elf/fatbin.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>

#include "model/gpu_target.hpp"

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

bool target_less(const std::string& a, const std::string& b) {
  auto pa = GpuTarget::parse(a), pb = GpuTarget::parse(b);
  if (pa != pb) return pa < pb;  // an unparsable name (nullopt) first
  return a < b;
}

namespace {

struct Collector {
  std::set<std::string> sass, ptx;
  std::size_t containers = 0, entries = 0;
};

// One container at `p`: its end offset, or an error naming what runs past the bytes. `strict` (a candidate found
// by its magic outside .nv_fatbin): also version 1, a 16-byte header, at least one PTX or SASS entry, and nothing
// is recorded unless all of it is whole.
Result<std::size_t> parse_container(std::string_view sec, std::size_t p, Collector& out, bool strict) {
  auto version = load<std::uint16_t>(sec, p + 4);
  auto header_size = load<std::uint16_t>(sec, p + 6);
  auto payload = load<std::uint64_t>(sec, p + 8);
  if (strict && (version != 1 || header_size != 16 || payload == 0))
    return make_error("fatbin: no container header at offset " + std::to_string(p));
  if (header_size < 16 || header_size > sec.size() - p || payload > sec.size() - p - header_size)
    return make_error("fatbin: container at offset " + std::to_string(p) + " runs past the section (truncated)");
  std::size_t q = p + header_size, end = p + header_size + std::size_t(payload);
  std::vector<FatbinEntry> found;
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
    found.push_back(e);
    q += ehs + std::size_t(size);
  }
  if (strict && std::none_of(found.begin(), found.end(), [](auto& e) { return e.kind == 1 || e.kind == 2; }))
    return make_error("fatbin: no code entry in the container at offset " + std::to_string(p));
  ++out.containers;
  for (auto& e : found) {
    if (e.kind == 1) out.ptx.insert(e.name());
    else if (e.kind == 2) out.sass.insert(e.name());
    ++out.entries;
  }
  return end;
}

FatbinSummary summary(Collector& c) {
  FatbinSummary out;
  out.sass.assign(c.sass.begin(), c.sass.end());
  out.ptx.assign(c.ptx.begin(), c.ptx.end());
  std::sort(out.sass.begin(), out.sass.end(), target_less);
  std::sort(out.ptx.begin(), out.ptx.end(), target_less);
  out.containers = c.containers;
  out.entries = c.entries;
  return out;
}

// The containers of a .nv_fatbin section: one after the other, zero padding between them.
Result<bool> parse_sequence(std::string_view sec, Collector& c) {
  std::size_t p = 0;
  while (p + 16 <= sec.size()) {
    if (load<std::uint32_t>(sec, p) != kMagic) {
      // Padding between containers is zeros; anything else is not a fatbin.
      if (load<std::uint32_t>(sec, p) != 0)
        return make_error("fatbin: no container magic at offset " + std::to_string(p));
      p += 4;
      continue;
    }
    auto end = parse_container(sec, p, c, false);
    if (!end) return make_error(end.error());
    p = *end;
  }
  for (; p < sec.size(); ++p)
    if (sec[p] != 0) return make_error("fatbin: truncated container header at offset " + std::to_string(p));
  return true;
}

}  // namespace

Result<FatbinSummary> parse_fatbin(std::string_view sec) {
  Collector c;
  auto r = parse_sequence(sec, c);
  if (!r) return make_error(r.error());
  return summary(c);
}

std::size_t scan_fatbins(std::string_view sec, FatbinSummary& out) {
  Collector c;
  for (auto& t : out.sass) c.sass.insert(t);
  for (auto& t : out.ptx) c.ptx.insert(t);
  c.containers = out.containers;
  c.entries = out.entries;
  const char magic[4] = {'\x50', '\xed', '\x55', '\xba'};  // kMagic, little endian
  std::size_t found = 0, p = 0;
  while (p + 16 <= sec.size()) {
    p = sec.find(std::string_view(magic, 4), p);
    if (p == std::string_view::npos || p + 16 > sec.size()) break;
    auto end = parse_container(sec, p, c, true);
    if (end) {
      ++found;
      p = *end;
    } else {
      ++p;  // not a container (the four bytes occur in code or data by chance)
    }
  }
  out = summary(c);
  return found;
}

}  // namespace gpuenv::elf
