#include "model/gpu_target.hpp"

#include "util/strings.hpp"

namespace gpuenv {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Leading digits of s as a number, at most max_digits of them (more: nullopt, so nothing overflows).
std::optional<int> leading_number(std::string_view& s, std::size_t max_digits) {
  std::size_t n = 0;
  while (n < s.size() && is_digit(s[n])) ++n;
  if (n == 0 || n > max_digits) return std::nullopt;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) v = v * 10 + (s[i] - '0');
  s.remove_prefix(n);
  return v;
}

// "", "a" or "f" at the end of a name; nullopt for anything else.
std::optional<GpuTarget::Variant> variant_suffix(std::string_view rest) {
  if (rest.empty()) return GpuTarget::Variant::Portable;
  if (rest == "a") return GpuTarget::Variant::ArchSpecific;
  if (rest == "f") return GpuTarget::Variant::FamilySpecific;
  return std::nullopt;
}

}  // namespace

std::optional<ComputeCapability> ComputeCapability::parse(std::string_view s) {
  auto major = leading_number(s, 6);
  if (!major || !s.starts_with(".")) return std::nullopt;
  s.remove_prefix(1);
  auto minor = leading_number(s, 6);
  if (!minor || !s.empty()) return std::nullopt;
  return ComputeCapability{*major, *minor};
}

std::string ComputeCapability::str() const { return std::to_string(major) + "." + std::to_string(minor); }

std::string ComputeCapability::sm() const { return "sm_" + std::to_string(major) + std::to_string(minor); }

std::optional<GpuTarget> GpuTarget::parse(std::string_view in) {
  std::string low = to_lower(trim(in));
  std::string_view s = low;
  GpuTarget t;
  bool named = false;
  if (s.starts_with("sm_")) {
    s.remove_prefix(3), named = true;
  } else if (s.starts_with("compute_")) {
    s.remove_prefix(8), named = true, t.code = Code::Ptx;
  }
  auto num = leading_number(s, 7);
  if (!num) return std::nullopt;
  if (s.starts_with(".")) {  // "9.0": major.minor
    if (named || s.size() < 2 || !is_digit(s[1])) return std::nullopt;
    t.cc = {*num, s[1] - '0'};
    s.remove_prefix(2);
  } else {  // "sm_90", "90": the architecture number, major * 10 + minor
    if (*num < 10) return std::nullopt;
    t.cc = {*num / 10, *num % 10};
  }
  auto v = variant_suffix(s);
  if (!v) return std::nullopt;
  t.variant = *v;
  return t;
}

std::string GpuTarget::name() const {
  std::string n = (code == Code::Ptx ? "compute_" : "sm_") + std::to_string(cc.major) + std::to_string(cc.minor);
  if (variant == Variant::ArchSpecific) n += 'a';
  if (variant == Variant::FamilySpecific) n += 'f';
  return n;
}

bool GpuTarget::covers(ComputeCapability d) const {
  switch (variant) {
    case Variant::ArchSpecific: return d == cc;  // that capability only, SASS and PTX alike
    case Variant::FamilySpecific: return d.major == cc.major && d.minor >= cc.minor;
    case Variant::Portable: break;
  }
  if (code == Code::Ptx) return d >= cc;          // JIT-compiled for any equal or newer capability
  return d.major == cc.major && d.minor >= cc.minor;  // SASS: same major, equal or newer minor
}

std::vector<GpuTarget> parse_gpu_targets(std::string_view entry) {
  std::string low = to_lower(trim(entry));
  bool plus_ptx = low.ends_with("+ptx");
  if (plus_ptx) low.resize(low.size() - 4);
  auto t = GpuTarget::parse(low);
  if (!t) return {};
  std::vector<GpuTarget> out{*t};
  if (plus_ptx) {
    if (t->code == GpuTarget::Code::Ptx) return {};  // "compute_90+PTX" means nothing
    t->code = GpuTarget::Code::Ptx;
    out.push_back(*t);
  }
  return out;
}

TargetCoverage target_coverage(const std::vector<std::string>& entries, ComputeCapability device) {
  bool ptx = false;
  for (auto& e : entries)
    for (auto& t : parse_gpu_targets(e)) {
      if (!t.covers(device)) continue;
      if (t.code == GpuTarget::Code::Sass) return TargetCoverage::Sass;
      ptx = true;
    }
  return ptx ? TargetCoverage::Ptx : TargetCoverage::None;
}

}  // namespace gpuenv
