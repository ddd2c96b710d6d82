#pragma once
// The GPU code a library carries: the entries of the fatbin containers in its
// .nv_fatbin section and in its other data sections (scan_fatbins). NVIDIA documents no format and ships no library for it;
// the layout below was read off files nvcc 13.0 produced and is checked
// against cuobjdump --list-elf/--list-ptx (tests/gpu/verify-libraries.sh).
//
//   container: u32 magic 0xBA55ED50, u16 version, u16 header_size, u64 payload_size
//   entry:     u16 kind (1 PTX, 2 ELF/SASS), u16 version, u32 header_size, u64 payload_size,
//              ... u32 arch at +28 (75, 90, 100, 120), u64 flags at +40
//              (0x100000: arch-specific "a" target, 0x200000: family-specific "f" target)
// Containers follow each other, padded with zeros to 8 bytes.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace gpuenv::elf {

struct FatbinEntry {
  int kind = 0;              // 1 PTX, 2 ELF (SASS)
  int arch = 0;              // 90 for sm_90 / compute_90
  char suffix = 0;           // 'a', 'f' or 0
  std::string name() const;  // sm_90a, compute_80
};

struct FatbinSummary {
  std::vector<std::string> sass;  // sorted, unique: sm_75, sm_80, sm_90a
  std::vector<std::string> ptx;   // compute_80
  std::size_t containers = 0, entries = 0;
};

// Parses the bytes of a .nv_fatbin section. Bounds-checked: a truncated or
// corrupt section gives an error naming the offset.
Result<FatbinSummary> parse_fatbin(std::string_view section);

// Finds containers by their magic in the bytes of any other section (large libraries such as libcufft keep
// most of their GPU code in .ldata, reached through the .nvFatBinSegment wrappers, and only a little in
// .nv_fatbin) and adds their entries to `out`. A candidate counts only when it is whole: version 1, a 16-byte
// header, its payload and every entry inside the bytes, at least one PTX or SASS entry; anything else is
// skipped, never an error. Returns the number of containers found.
std::size_t scan_fatbins(std::string_view section, FatbinSummary& out);

// Order of target names as GpuTarget orders them ("sm_75" < "sm_90" < "sm_90a" < "sm_100"), then by name.
bool target_less(const std::string& a, const std::string& b);

}  // namespace gpuenv::elf
