#pragma once
// GPU code targets and compute capabilities: one parser and one set of compatibility rules for every
// place that reads a target name (framework arch lists, fatbin entries, the knowledge files).
//
// Spellings accepted (case-insensitive, surrounding blanks ignored):
//   sm_90, sm_90a, sm_100f           SASS (machine code) for compute capability 9.0 / 10.0
//   compute_90, compute_90a, ..._f   PTX (virtual code) for that capability
//   9.0, 9.0a, 10.0f                 SASS, as TORCH_CUDA_ARCH_LIST and the knowledge files write it
//   90, 90a                          SASS, as a fatbin header records the architecture number
//   8.6+PTX                          a list entry naming two targets: SASS and PTX for 8.6 (parse_gpu_targets)
// Anything else (sm_, compute_x, sm_99999999999, 9.0+PTX+PTX) is unparsable: nullopt, never an exception.
//
// Which code runs on which GPU (GpuTarget::covers), as NVIDIA documents it:
//   - SASS for X.Y runs on capability X.Z with Z >= Y only (same major): CUDA C++ Programming Guide,
//     "Binary Compatibility" (https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#binary-compatibility).
//   - PTX for X.Y is JIT-compiled by the driver for any capability >= X.Y: same guide, "PTX Compatibility"
//     and "Application Compatibility".
//   - Architecture-specific targets (sm_90a, compute_90a; the "a" suffix, CUDA 12.0+) run on exactly that
//     capability: no forward compatibility, neither SASS nor PTX: same guide, "Feature Availability"
//     (architecture-specific feature set), and nvcc's documentation of --gpu-architecture.
//   - Family-specific targets (sm_100f, compute_100f; the "f" suffix, CUDA 12.9+) run on the capabilities
//     of the same family, X.Z with Z >= Y (sm_100f: 10.0 and 10.3): same guide, "Feature Availability"
//     (family-specific feature set), and NVIDIA's technical blog "NVIDIA Blackwell and NVIDIA CUDA 12.9
//     Introduce Family-Specific Architecture Features" (2025).
#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gpuenv {

struct ComputeCapability {
  int major = 0, minor = 0;
  // "9.0", "12.1"; nullopt for anything else.
  static std::optional<ComputeCapability> parse(std::string_view s);
  std::string str() const;  // "9.0"
  std::string sm() const;   // "sm_90"
  auto operator<=>(const ComputeCapability&) const = default;
};

struct GpuTarget {
  enum class Code { Sass, Ptx };
  enum class Variant { Portable, ArchSpecific, FamilySpecific };  // "", "a", "f"

  ComputeCapability cc;
  Variant variant = Variant::Portable;
  Code code = Code::Sass;

  // One target ("sm_90a", "compute_80", "8.6", "90"); nullopt when unparsable (see above).
  static std::optional<GpuTarget> parse(std::string_view s);
  // The canonical name: sm_90a, compute_80, sm_100f.
  std::string name() const;
  // Can a GPU of this capability run this code (SASS directly, PTX through the driver's JIT)?
  bool covers(ComputeCapability device) const;

  // Ordered by capability, then variant (sm_90 < sm_90a < sm_100 < sm_100f), then SASS before PTX.
  auto operator<=>(const GpuTarget&) const = default;
};

// The targets one list entry names: one, or two for "X.Y+PTX" (SASS and PTX); empty when unparsable.
std::vector<GpuTarget> parse_gpu_targets(std::string_view entry);

// How a list of entries covers a GPU: SASS runs on it, only PTX (JIT-compiled), or nothing does.
// Unparsable entries cover nothing.
enum class TargetCoverage { None, Ptx, Sass };
TargetCoverage target_coverage(const std::vector<std::string>& entries, ComputeCapability device);

}  // namespace gpuenv
