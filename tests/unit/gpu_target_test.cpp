// GpuTarget: one parser and one set of CUDA compatibility rules for framework arch lists, fatbin entries,
// the knowledge files, the readiness metric and the framework/library checks.
#include <gtest/gtest.h>

#include <algorithm>
#include "util/tomlpp.hpp"

#include "checks/check.hpp"
#include "knowledge/knowledge.hpp"
#include "model/gpu_target.hpp"
#include "model/readiness.hpp"

using namespace gpuenv;

namespace {

GpuTarget target(const std::string& s) {
  auto t = GpuTarget::parse(s);
  EXPECT_TRUE(t) << s;
  return t.value_or(GpuTarget{});
}

bool covers(const std::string& t, int major, int minor) { return target(t).covers({major, minor}); }

}  // namespace

TEST(GpuTarget, ParsesEverySpellingAndPrintsItBack) {
  using V = GpuTarget::Variant;
  using C = GpuTarget::Code;
  struct Row {
    const char* in;
    C code;
    int major, minor;
    V variant;
    const char* name;
  } rows[] = {
      {"sm_90", C::Sass, 9, 0, V::Portable, "sm_90"},
      {"sm_90a", C::Sass, 9, 0, V::ArchSpecific, "sm_90a"},
      {"sm_100f", C::Sass, 10, 0, V::FamilySpecific, "sm_100f"},
      {"sm_121", C::Sass, 12, 1, V::Portable, "sm_121"},
      {"compute_90", C::Ptx, 9, 0, V::Portable, "compute_90"},
      {"compute_90a", C::Ptx, 9, 0, V::ArchSpecific, "compute_90a"},
      {"compute_103f", C::Ptx, 10, 3, V::FamilySpecific, "compute_103f"},
      {"8.6", C::Sass, 8, 6, V::Portable, "sm_86"},
      {"10.0", C::Sass, 10, 0, V::Portable, "sm_100"},
      {"9.0a", C::Sass, 9, 0, V::ArchSpecific, "sm_90a"},
      {"90", C::Sass, 9, 0, V::Portable, "sm_90"},
      {"120a", C::Sass, 12, 0, V::ArchSpecific, "sm_120a"},
      {" SM_75 ", C::Sass, 7, 5, V::Portable, "sm_75"},
  };
  for (auto& r : rows) {
    auto t = GpuTarget::parse(r.in);
    ASSERT_TRUE(t) << r.in;
    EXPECT_EQ(t->code, r.code) << r.in;
    EXPECT_EQ(t->cc, (ComputeCapability{r.major, r.minor})) << r.in;
    EXPECT_EQ(t->variant, r.variant) << r.in;
    EXPECT_EQ(t->name(), r.name) << r.in;
    EXPECT_EQ(GpuTarget::parse(t->name()), t) << r.in;  // the printed name parses back to the same target
  }
  auto both = parse_gpu_targets("8.6+PTX");
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].name(), "sm_86");
  EXPECT_EQ(both[1].name(), "compute_86");
  EXPECT_EQ(parse_gpu_targets("sm_90a").size(), 1u);
}

TEST(GpuTarget, InvalidStringsAreNulloptNotExceptions) {
  for (const char* bad : {"", "sm_", "sm_9", "compute_x", "sm_99999999999", "compute_99999999999999999999",
                          "99999999999", "9.0+PTX+PTX", "sm_90b", "sm_90af", "garbage", "9.", ".9", "sm_9.0",
                          "compute_90+PTX", "9.0.1", "-90"}) {
    EXPECT_NO_THROW(GpuTarget::parse(bad)) << bad;
    EXPECT_FALSE(GpuTarget::parse(bad)) << bad;
    EXPECT_TRUE(parse_gpu_targets(bad).empty()) << bad;
  }
  for (const char* bad : {"", "9", "x.y", "9.x", "99999999999.0", "9.0.1", "9.0a"}) {
    EXPECT_NO_THROW(ComputeCapability::parse(bad)) << bad;
    EXPECT_FALSE(ComputeCapability::parse(bad)) << bad;
  }
  EXPECT_EQ(ComputeCapability::parse("12.1"), (ComputeCapability{12, 1}));
  EXPECT_EQ((ComputeCapability{12, 1}).str(), "12.1");
  EXPECT_EQ((ComputeCapability{12, 1}).sm(), "sm_121");
}

TEST(GpuTarget, OrdersByCapabilityThenVariantThenCode) {
  std::vector<std::string> names = {"sm_100", "compute_90", "sm_90a", "sm_75", "sm_100f", "sm_90", "sm_120"};
  std::vector<GpuTarget> ts;
  for (auto& n : names) ts.push_back(target(n));
  std::sort(ts.begin(), ts.end());
  std::vector<std::string> got;
  for (auto& t : ts) got.push_back(t.name());
  EXPECT_EQ(got, (std::vector<std::string>{"sm_75", "sm_90", "compute_90", "sm_90a", "sm_100", "sm_100f", "sm_120"}));
}

TEST(GpuTarget, CoversFollowsCudaCompatibilityRules) {
  // SASS: same major, equal or newer minor.
  EXPECT_TRUE(covers("sm_80", 8, 0));
  EXPECT_TRUE(covers("sm_80", 8, 9));
  EXPECT_FALSE(covers("sm_86", 8, 0));
  EXPECT_FALSE(covers("sm_80", 9, 0));
  // Architecture-specific: exactly that capability, SASS and PTX alike.
  EXPECT_TRUE(covers("sm_90a", 9, 0));
  EXPECT_FALSE(covers("sm_100a", 10, 3));
  EXPECT_TRUE(covers("compute_90a", 9, 0));
  EXPECT_FALSE(covers("compute_90a", 10, 0));
  EXPECT_FALSE(covers("compute_90a", 9, 1));
  // Family-specific: the same family, from that capability on.
  EXPECT_TRUE(covers("sm_100f", 10, 0));
  EXPECT_TRUE(covers("sm_100f", 10, 3));
  EXPECT_FALSE(covers("sm_103f", 10, 0));
  EXPECT_FALSE(covers("sm_100f", 12, 0));
  EXPECT_TRUE(covers("compute_120f", 12, 1));
  EXPECT_FALSE(covers("compute_100f", 12, 0));
  // PTX: JIT-compiled for any equal or newer capability.
  EXPECT_TRUE(covers("compute_80", 8, 0));
  EXPECT_TRUE(covers("compute_80", 12, 1));
  EXPECT_FALSE(covers("compute_90", 8, 9));
  using TC = TargetCoverage;
  EXPECT_EQ(target_coverage({"sm_80", "compute_80"}, {8, 6}), TC::Sass);
  EXPECT_EQ(target_coverage({"sm_80", "compute_80"}, {9, 0}), TC::Ptx);
  EXPECT_EQ(target_coverage({"8.6+PTX"}, {9, 0}), TC::Ptx);
  EXPECT_EQ(target_coverage({"sm_80", "compute_90a"}, {10, 0}), TC::None);
  EXPECT_EQ(target_coverage({"sm_", "9.0+PTX+PTX"}, {9, 0}), TC::None);
}

// Every compute capability and target the knowledge files name, read through the accessors, parses.
TEST(GpuTarget, EveryArchStringInTheKnowledgeFilesParses) {
  auto& k = Knowledge::get();
  size_t n = 0;
  auto target_ok = [&](const std::string& s, const std::string& where) {
    ++n;
    EXPECT_FALSE(parse_gpu_targets(s).empty()) << where << ": " << s;
  };
  auto cc_ok = [&](const std::string& s, const std::string& where) {
    ++n;
    EXPECT_TRUE(ComputeCapability::parse(s)) << where << ": " << s;
    EXPECT_FALSE(parse_gpu_targets(s).empty()) << where << ": " << s;
  };
  for (auto& r : k.cuda_releases())
    for (auto& s : r.sm) cc_ok(s, "cuda.toml " + r.version);
  for (auto& t : k.frameworks().torch_arch) {
    for (auto& s : t.sm) cc_ok(s, "frameworks.toml torch_arch " + t.variant);
    for (auto& s : t.ptx) target_ok(s + "+PTX", "frameworks.toml torch_arch ptx " + t.variant);
  }
  for (auto& j : k.frameworks().jax) cc_ok(j.min_cc, "frameworks.toml jax " + j.extra);
  // The raw files only list the keys (a string field of each row of an array); the values come from the accessors.
  auto keys = [&](const char* file, const char* array, const char* field) {
    std::vector<std::string> out;
    auto* t = k.file(file);
    EXPECT_TRUE(t) << file;
    if (auto* arr = t ? (*t)[array].as_array() : nullptr)
      for (auto& row : *arr)
        if (auto* r = row.as_table(); r && (*r)[field].value<std::string>()) out.push_back(*(*r)[field].value<std::string>());
    return out;
  };
  size_t archs = 0, devices = 0;
  for (auto& name : keys("gpus", "arch", "name")) {
    auto* a = k.arch_by_name(name);
    ASSERT_TRUE(a) << name;
    ++archs;
    for (auto& s : a->cc) cc_ok(s, "gpus.toml arch " + a->name);
  }
  EXPECT_GE(archs, 9u);
  if (auto* first = (*k.file("gpus"))["first_cuda_for_cc"].as_table())
    for (auto& [key, v] : *first) {
      std::string cc(key.str());
      EXPECT_FALSE(k.first_cuda_for_cc(cc).empty()) << cc;
      cc_ok(cc, "gpus.toml first_cuda_for_cc");
    }
  for (auto& id : keys("gpu_devices", "devices", "id")) {
    auto* g = k.gpu_by_device_id(id);
    ASSERT_TRUE(g) << id;
    if (!g->cc.empty()) cc_ok(g->cc, "gpu_devices.toml " + g->device_id), ++devices;
  }
  EXPECT_GT(devices, 100u);
  EXPECT_GT(n, 400u);
}

// The readiness metric (Prometheus, NFD, fleet) and framework.arch-not-covered read a build's arch list with
// the same rules. Before GpuTarget, readiness took compute_90a for portable PTX and did not know "+PTX".
TEST(GpuTarget, ReadinessAndArchNotCoveredAgree) {
  struct Case {
    std::vector<std::string> arch_list;
    int major, minor;
    bool covered;
  } cases[] = {
      {{"sm_80", "compute_90a"}, 10, 0, false},  // arch-specific PTX does not JIT for 10.0
      {{"sm_80", "compute_90a"}, 9, 0, true},
      {{"sm_80", "8.6+PTX"}, 9, 0, true},        // PTX of 8.6 JIT-compiles for 9.0
      {{"7.5", "8.0"}, 9, 0, false},
      {{"sm_90a"}, 9, 0, true},
      {{"sm_100f"}, 10, 3, true},
      {{"sm_100f"}, 12, 0, false},
      {{"sm_80", "compute_80"}, 12, 0, true},
  };
  for (auto& c : cases) {
    Snapshot s;
    s.kernel.version = "580.95.05";
    s.cuda.status = ProbeStatus::Ok;
    s.cuda.driver_version = 13000;
    s.cuda.device_count = 1;
    s.cuda.devices.push_back({0, "GPU", c.major, c.minor, 1ull << 34, "GPU-1", "0000:01:00.0"});
    s.nvml.status = ProbeStatus::Ok;
    s.nvml.driver_version = "580.95.05";
    s.nvml.devices.push_back({0, "GPU", "GPU-1", "0000:01:00.0", c.major, c.minor, 1ull << 34, 0, 0});
    Interpreter py;
    py.path = "/venv/bin/python";
    py.version = "3.12.3";
    Framework fw;
    fw.name = "tensorflow";
    fw.version = "2.20.0";
    fw.location = "/venv/lib/python3.12/site-packages/tensorflow";
    fw.cuda_build = true;
    fw.cuda_version = "12.5";
    fw.arch_list = c.arch_list;
    py.frameworks.push_back(fw);
    s.python.interpreters.push_back(py);
    s.python.active = 0;
    std::string label = ::testing::PrintToString(c.arch_list) + " on " + std::to_string(c.major) + "." +
                        std::to_string(c.minor);
    CheckFilter only;
    only.only = {"framework.arch-not-covered"};
    auto findings = run_checks(s, Knowledge::get(), only);
    EXPECT_EQ(findings.empty(), c.covered) << label;
    // Readiness from the snapshot alone (no findings to lean on) gives the same answer.
    auto r = framework_readiness(s, {}, s.python.interpreters[0], s.python.interpreters[0].frameworks[0]);
    EXPECT_EQ(r.ready, c.covered) << label << ": " << r.reason;
  }
}
