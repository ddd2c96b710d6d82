// Device access (issue 14, invariant 6): the numbers of the /dev/nvidia* nodes, the fixture stand-ins that carry
// them, the device cgroup, and the checks that name the node that is wrong.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "checks/check.hpp"
#include "probe/probes.hpp"
#include "run.hpp"
#include "snapshot_builder.hpp"
#include "util/fs.hpp"

namespace fs = std::filesystem;
using namespace gpuenv;

namespace {

std::string fixture(const std::string& name) { return std::string(GPUENV_SOURCE_DIR) + "/tests/fixtures/" + name + "/root"; }

Snapshot healthy() {
  test::SnapshotBuilder b;
  b.driver("580.159.04", 13000).device_nodes().gpu();
  return b;
}

std::vector<Finding> findings(const Snapshot& s) { return run_checks(s, Knowledge::get()); }

std::vector<std::string> ids(const Snapshot& s) {
  std::vector<std::string> out;
  for (auto& f : findings(s)) out.push_back(f.id);
  return out;
}

const Finding* finding(const std::vector<Finding>& v, const std::string& id) {
  for (auto& f : v)
    if (f.id == id) return &f;
  return nullptr;
}

DeviceNode& node(Snapshot& s, const std::string& path) {
  for (auto& n : s.kernel.device_nodes)
    if (n.path == path) return n;
  throw std::runtime_error("no node " + path);
}

Snapshot probe(const std::string& root) {
  ProbeContext ctx{Fs(root), {}};
  Snapshot s;
  probe_kernel_driver(ctx, s);
  return s;
}

}  // namespace

TEST(DeviceNodes, FixtureStandInsCarryNumbersOnlyUnderARoot) {
  auto dir = test::temp_dir("gpuenv-nodes");
  fs::create_directories(dir + "/dev");
  auto put = [&](const std::string& name, const std::string& text) { std::ofstream(dir + "/dev/" + name) << text; };
  put("nvidia0", "c 195:0\n");
  put("empty", "");
  put("junk", "c 195:0x\n");
  put("block", "b 8:0");
  put("words", "char 195 0");
  Fs f(dir);
  auto n = f.stat_node("/dev/nvidia0");
  EXPECT_EQ(n.kind, FileKind::CharDevice);
  EXPECT_EQ(n.dev_major, 195u);
  EXPECT_EQ(n.dev_minor, 0u);
  EXPECT_EQ(f.stat_node("/dev/empty").kind, FileKind::Regular);
  EXPECT_EQ(f.stat_node("/dev/junk").kind, FileKind::Regular);
  EXPECT_EQ(f.stat_node("/dev/words").kind, FileKind::Regular);
  EXPECT_EQ(f.stat_node("/dev/block").kind, FileKind::BlockDevice);
  EXPECT_EQ(f.stat_node("/dev/none").kind, FileKind::Missing);
  // On "/" a regular file is a regular file, whatever it says.
  EXPECT_EQ(Fs("/").stat_node(dir + "/dev/nvidia0").kind, FileKind::Regular);
  auto null = Fs("/").stat_node("/dev/null");
  if (null.kind == FileKind::CharDevice) {
    EXPECT_EQ(null.dev_major, 1u);
    EXPECT_EQ(null.dev_minor, 3u);
  }
  fs::remove_all(dir);
}

TEST(DeviceNodes, ProbeRecordsNumbersMajorNamesMountsAndCgroup) {
  auto s = probe(fixture("device-node-bind-mounted"));
  EXPECT_EQ(s.kernel.char_majors.at("nvidia-frontend"), 195);
  EXPECT_EQ(s.kernel.char_majors.at("nvidia-uvm"), 510);
  EXPECT_EQ(s.kernel.char_majors.count("mem"), 0u);  // only NVIDIA's majors are kept
  auto& uvm = node(s, "/dev/nvidia-uvm");
  EXPECT_EQ(uvm.kind, "char-device");
  EXPECT_EQ(uvm.major, 1);
  EXPECT_EQ(uvm.minor, 3);
  EXPECT_EQ(uvm.major_name, "mem");
  EXPECT_EQ(uvm.same_as, "/dev/null");
  EXPECT_TRUE(uvm.mount_point);
  auto& ctl = node(s, "/dev/nvidiactl");
  EXPECT_EQ(ctl.major_name, "nvidia-frontend");
  EXPECT_EQ(ctl.same_as, "");
  EXPECT_FALSE(ctl.mount_point);
  EXPECT_EQ(s.kernel.device_cgroup.version, "v2");

  auto c = probe(fixture("device-cgroup-v1-denies"));
  EXPECT_EQ(c.kernel.device_cgroup.version, "v1");
  EXPECT_EQ(c.kernel.device_cgroup.file, "/sys/fs/cgroup/devices/devices.list");
  EXPECT_EQ(c.kernel.device_cgroup.rules.size(), 6u);
  auto h = probe(fixture("device-nodes-healthy-container"));
  EXPECT_EQ(node(h, "/dev/nvidia-caps/nvidia-cap1").major_name, "nvidia-caps");

  // The fixtures of before: empty stand-ins, numbers unknown, no cgroup file.
  auto old = probe(fixture("h100-ubuntu-healthy"));
  EXPECT_EQ(node(old, "/dev/nvidia0").kind, "file");
  EXPECT_EQ(node(old, "/dev/nvidia0").major, -1);
  EXPECT_EQ(old.kernel.device_cgroup.version, "");
}

TEST(DeviceNodes, HealthyNumbersStayQuiet) {
  EXPECT_TRUE(ids(healthy()).empty());
  auto s = healthy();
  s.kernel.device_cgroup = {"v1", "/sys/fs/cgroup/devices/devices.list", {"c 195:* rwm", "c 510:* rwm"}};
  EXPECT_TRUE(ids(s).empty());
  s.kernel.device_cgroup.rules = {"a *:* rwm"};
  EXPECT_TRUE(ids(s).empty());
  s.kernel.device_cgroup = {"v2", "", {}};  // unreadable: never a finding
  EXPECT_TRUE(ids(s).empty());
  // The 195 major registered as "nvidia"; no /proc/devices at all (the fixed 195 then).
  s = healthy();
  s.kernel.char_majors = {{"nvidia", 195}, {"nvidia-uvm", 510}};
  EXPECT_TRUE(ids(s).empty());
  s.kernel.char_majors.clear();
  EXPECT_TRUE(ids(s).empty());
  // Numbers not recorded (a snapshot from an older gpuenv).
  s = healthy();
  for (auto& n : s.kernel.device_nodes) n.major = n.minor = -1;
  EXPECT_TRUE(ids(s).empty());
}

TEST(DeviceNodes, WrongNumbersNameTheNodeAndWhatItIs) {
  auto s = healthy();
  auto& uvm = node(s, "/dev/nvidia-uvm");
  uvm.major = 1;
  uvm.minor = 3;
  uvm.major_name = "mem";
  uvm.same_as = "/dev/null";
  uvm.mount_point = true;
  s.cuda.status = ProbeStatus::InitFailed;
  s.cuda.init_result = 999;
  auto v = findings(s);
  ASSERT_EQ(v.size(), 1u) << v[0].id;  // cuinit-failed stays quiet: the node explains it
  EXPECT_EQ(v[0].id, "driver.device-node-wrong");
  EXPECT_EQ(v[0].title, "/dev/nvidia-uvm is not the NVIDIA device it must be");
  EXPECT_NE(v[0].evidence[0].value.find("is 1:3 (mem, the same device as /dev/null), not 510:0 (nvidia-uvm)"), std::string::npos);
  EXPECT_EQ(v[0].fix.rfind("sudo umount /dev/nvidia-uvm", 0), 0u);

  // A GPU node with the control device's minor, created by hand: recreated with the right numbers.
  s = healthy();
  node(s, "/dev/nvidia0").minor = 255;
  s.cuda.init_result = 100;
  s.cuda.status = ProbeStatus::InitFailed;
  v = findings(s);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].id, "driver.device-node-wrong");
  EXPECT_NE(v[0].fix.find("mknod -m 0666 /dev/nvidia0 c 195 0"), std::string::npos);

  // A directory where the node should be (docker -v of a path the host lacks).
  s = healthy();
  node(s, "/dev/nvidia0").kind = "directory";
  v = findings(s);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_NE(v[0].evidence[0].value.find("is a directory, not a character device"), std::string::npos);

  // The uvm major unknown (not in /proc/devices): a node of another driver is still wrong, an NVIDIA one is not judged.
  s = healthy();
  s.kernel.char_majors.erase("nvidia-uvm");
  EXPECT_TRUE(ids(s).empty());
  node(s, "/dev/nvidia-uvm").major_name = "mem";
  EXPECT_EQ(ids(s), std::vector<std::string>{"driver.device-node-wrong"});
}

TEST(DeviceNodes, CgroupV1DenialNamesTheNode) {
  auto s = healthy();
  s.host.container = "docker";
  s.kernel.device_cgroup = {"v1", "/sys/fs/cgroup/devices/devices.list", {"c 1:3 rwm", "c 195:255 rwm", "c 510:0 rwm", "c 195:0 r"}};
  s.cuda.status = ProbeStatus::InitFailed;
  s.cuda.init_result = 100;
  auto v = findings(s);
  ASSERT_EQ(v.size(), 1u) << v[0].id;  // no-visible-device stays quiet
  EXPECT_EQ(v[0].id, "driver.device-cgroup-denies");
  EXPECT_EQ(v[0].title, "The device cgroup does not allow /dev/nvidia0");
  EXPECT_NE(v[0].fix.find("--gpus all"), std::string::npos);
  s.kernel.device_cgroup.rules.back() = "c 195:* rw";
  EXPECT_EQ(ids(s), std::vector<std::string>{"driver.no-visible-device"});
}

TEST(DeviceNodes, PermissionFixFollowsTheCause) {
  auto s = healthy();
  s.host.user = "dev";
  s.host.uid = 1000;
  s.host.groups = {1000};
  auto& gpu = node(s, "/dev/nvidia0");
  gpu.accessible = false;
  gpu.mode = 0600;  // chmod 600, root:root
  auto v = findings(s);
  auto* f = finding(v, "driver.device-nodes-inaccessible");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->fix.rfind("sudo chmod 0666 /dev/nvidia0", 0), 0u);
  // Group video, the user not in it: join the group.
  gpu.mode = 0660;
  gpu.gid = 44;
  gpu.group = "video";
  f = finding(v = findings(s), "driver.device-nodes-inaccessible");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->fix.rfind("sudo usermod -aG video dev", 0), 0u);
  // In the group, but the group has no rw.
  gpu.mode = 0600;
  s.host.groups.push_back(44);
  f = finding(v = findings(s), "driver.device-nodes-inaccessible");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->fix.rfind("sudo chmod g+rw /dev/nvidia0", 0), 0u);
  // MIG capability nodes are root's by design.
  s = healthy();
  DeviceNode cap{"/dev/nvidia-caps/nvidia-cap1", "char-device", 0400, 0, 0, "", false};
  cap.major = 235;
  cap.minor = 1;
  cap.major_name = "nvidia-caps";
  s.kernel.device_nodes.push_back(cap);
  s.kernel.char_majors["nvidia-caps"] = 235;
  EXPECT_TRUE(ids(s).empty());
}

TEST(DeviceNodes, NoVisibleDeviceSaysTheV2CgroupIsUnknown) {
  auto s = healthy();
  s.cuda.status = ProbeStatus::InitFailed;
  s.cuda.init_result = 100;
  s.kernel.device_cgroup.version = "v2";
  auto v = findings(s);
  auto* f = finding(v, "driver.no-visible-device");
  ASSERT_TRUE(f);
  bool said = false;
  for (auto& e : f->evidence) said |= e.key == "device cgroup" && e.value.find("cannot be read (unknown)") != std::string::npos;
  EXPECT_TRUE(said);
}
