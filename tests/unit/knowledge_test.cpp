#include <gtest/gtest.h>

#include "util/tomlpp.hpp"

#include "knowledge/knowledge.hpp"

using namespace gpuenv;

TEST(Knowledge, EmbeddedFilesParse) {
  auto& k = Knowledge::get();
  auto names = k.file_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "cuda"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "gpus"), names.end());
  // Every file is valid TOML (they are parsed lazily in normal runs).
  for (auto& n : names) EXPECT_NE(k.file(n), nullptr) << n;
  auto* devices = k.file("gpu_devices");
  ASSERT_NE(devices, nullptr);
  ASSERT_NE(devices->get("devices"), nullptr);
  EXPECT_GT(devices->get("devices")->as_array()->size(), 500u);
  ASSERT_NE(k.cuda_error(34), nullptr);
  EXPECT_EQ(k.cuda_error(34)->name, "CUDA_ERROR_STUB_LIBRARY");
  EXPECT_EQ(k.nvml_error(18)->name, "NVML_ERROR_LIB_RM_VERSION_MISMATCH");
}

TEST(Knowledge, DriverRequirements) {
  auto& k = Knowledge::get();
  ASSERT_NE(k.cuda_release("12.4.1"), nullptr);
  EXPECT_EQ(k.cuda_release("12.4.131")->toolkit_driver, "550.54.14");
  EXPECT_EQ(k.newest_cuda_for_driver("580.159.04"), "13.0");
  EXPECT_EQ(k.newest_cuda_for_driver("590.48.01"), "13.1");
  EXPECT_EQ(k.newest_cuda_for_driver("535.104.05"), "12.2");

  auto full = k.driver_supports_cuda("580.159.04", "13.0");
  EXPECT_TRUE(full.runs);
  EXPECT_FALSE(full.minor_compat);
  // CuPy's CUDA 13.2 runtime on the 580 driver: runs through minor-version compatibility.
  auto compat = k.driver_supports_cuda("580.159.04", "13.2");
  EXPECT_TRUE(compat.runs);
  EXPECT_TRUE(compat.minor_compat);
  EXPECT_EQ(compat.needed, "595.45.04");
  // A CUDA 13 build on a 570 driver cannot run at all.
  auto no = k.driver_supports_cuda("570.133.20", "13.0");
  EXPECT_TRUE(no.known);
  EXPECT_FALSE(no.runs);
  EXPECT_EQ(no.minimum, "580.0");
  // CUDA 12.x on an old 470 driver: below the 525 minimum.
  EXPECT_FALSE(k.driver_supports_cuda("470.256.02", "12.1").runs);
  EXPECT_FALSE(k.driver_supports_cuda("junk", "12.1").known);
}

TEST(Knowledge, GpusAndArchitectures) {
  auto& k = Knowledge::get();
  auto* h100 = k.gpu_by_device_id("0x2330");
  ASSERT_NE(h100, nullptr);
  EXPECT_EQ(h100->cc, "9.0");
  EXPECT_EQ(k.gpu_by_device_id("2684")->name, "GeForce RTX 4090");
  EXPECT_EQ(k.gpu_by_device_id("0x0000"), nullptr);
  auto* pascal = k.arch_for_cc("6.1");
  ASSERT_NE(pascal, nullptr);
  EXPECT_EQ(pascal->name, "pascal");
  EXPECT_FALSE(pascal->open_module);
  EXPECT_EQ(pascal->last_driver_branch, "580");
  EXPECT_TRUE(k.arch_for_cc("12.0")->open_module_required);
  EXPECT_TRUE(k.cuda_targets_cc("12.9", "6.1"));
  EXPECT_FALSE(k.cuda_targets_cc("13.0", "6.1"));
  EXPECT_EQ(k.first_cuda_for_cc("9.0"), "11.8");
}
