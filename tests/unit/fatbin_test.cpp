// GPU code outside .nv_fatbin (issue 14, invariant 7): containers found by their magic in any data section, and
// the verdict of `ldd --fatbin` for a GPU (model/reports.hpp: judge_fatbins).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "elf/elf_file.hpp"
#include "elf/fatbin.hpp"
#include "model/reports.hpp"
#include "probe/libraries.hpp"

using namespace gpuenv;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string k2() { return slurp(std::string(GPUENV_SOURCE_DIR) + "/tests/data/k2.nv_fatbin"); }

}  // namespace

TEST(FatbinScan, LibraryWithItsCodeInLdata) {
  // tests/fake/fatbin_ldata.c: k2's containers in .ldata, the runtime's wrapper in .nvFatBinSegment.
  std::string lib = GPUENV_FAKE_FATBIN_LDATA;
  auto info = elf::read_elf(Fs("/"), lib);
  ASSERT_TRUE(info) << info.error();
  EXPECT_EQ(info->fatbin_size, 0u);  // no .nv_fatbin section
  EXPECT_TRUE(info->fatbin_wrappers);
  EXPECT_TRUE(info->may_have_fatbin());
  auto fb = read_fatbin(Fs("/"), lib);
  EXPECT_EQ(fb.error, "");
  EXPECT_EQ(fb.sass, (std::vector<std::string>{"sm_100f", "sm_120a"}));
  EXPECT_EQ(fb.ptx, (std::vector<std::string>{"compute_90a", "compute_100f"}));
  EXPECT_EQ(fb.sections, std::vector<std::string>{".ldata"});
}

TEST(FatbinScan, FindsWholeContainersAndSkipsTheRest) {
  auto bytes = k2();
  std::string magic("\x50\xed\x55\xba", 4);
  // Junk, a stray magic, a container cut short, then the two real containers and a trailing magic.
  std::string data = std::string(13, '\x11') + magic + std::string("\x01\x00\x10\x00", 4) + std::string(8, '\xff') +
                     bytes.substr(0, 40) + std::string(3, '\0') + bytes + magic;
  elf::FatbinSummary s;
  EXPECT_EQ(elf::scan_fatbins(data, s), 2u);
  EXPECT_EQ(s.sass, (std::vector<std::string>{"sm_100f", "sm_120a"}));
  EXPECT_EQ(s.containers, 2u);
  // Adds to what it is given, without duplicates.
  EXPECT_EQ(elf::scan_fatbins(bytes, s), 2u);
  EXPECT_EQ(s.sass.size(), 2u);
  EXPECT_EQ(s.containers, 4u);
  // Every cut of the real bytes: never a crash, never more than is whole.
  for (std::size_t n = 0; n < bytes.size(); n += 53) {
    elf::FatbinSummary t;
    EXPECT_LE(elf::scan_fatbins(std::string_view(bytes).substr(0, n), t), n >= 3488 ? 1u : 0u) << n;
  }
  elf::FatbinSummary none;
  EXPECT_EQ(elf::scan_fatbins(std::string(4096, '\x50'), none), 0u);
  EXPECT_TRUE(none.sass.empty());
}

TEST(FatbinVerdict, CoversRulesPerGpu) {
  FatbinInfo k;
  k.path = "/lib/libk.so";
  k.sass = {"sm_100f", "sm_120a"};
  k.ptx = {"compute_90a", "compute_100f"};
  FatbinInfo sm80;
  sm80.path = "/lib/libsm80.so";
  sm80.sass = {"sm_80"};
  FatbinInfo broken;
  broken.path = "/lib/broken.so";
  broken.error = "fatbin: truncated";
  std::vector<LddGpu> gpus = {{"GPU 0 NVIDIA H200", {9, 0}}, {"--cc 8.6", {8, 6}}, {"--cc 12.0", {12, 0}}, {"--cc 10.3", {10, 3}}};
  auto v = judge_fatbins({k, sm80, broken}, gpus);
  ASSERT_EQ(v.size(), 8u);  // the unreadable file is not judged
  EXPECT_EQ(v[0].coverage, TargetCoverage::Ptx);  // compute_90a runs on exactly 9.0
  EXPECT_EQ(v[0].runs, std::vector<std::string>{"compute_90a"});
  EXPECT_EQ(v[1].coverage, TargetCoverage::None);
  EXPECT_EQ(v[2].coverage, TargetCoverage::Sass);
  EXPECT_EQ(v[2].runs, std::vector<std::string>{"sm_120a"});
  EXPECT_EQ(v[3].coverage, TargetCoverage::Sass);  // sm_100f: the 10.x family
  EXPECT_EQ(v[4].path, "/lib/libsm80.so");
  EXPECT_EQ(v[4].coverage, TargetCoverage::None);  // SASS sm_80, no PTX: not on a 9.0 GPU
  EXPECT_EQ(v[5].coverage, TargetCoverage::Sass);  // sm_80 runs on 8.6
  EXPECT_EQ(v[5].gpu, 1u);
  LddReport r;
  r.gpus = gpus;
  r.files.push_back({"/lib/libk.so", {}, {v[2]}});
  EXPECT_FALSE(r.any_unrunnable());
  r.files.back().verdicts.push_back(v[4]);
  EXPECT_TRUE(r.any_unrunnable());
}
