// The NVIDIA kernel module: version, open or proprietary flavour, and the
// device nodes user space needs.
#include <fcntl.h>
#include <grp.h>
#include <unistd.h>

#include <map>
#include <regex>
#include <set>

#include "probe/probes.hpp"
#include "util/strings.hpp"

namespace gpuenv {

static bool user_can_open(const ProbeContext& ctx, const std::string& path) {
  return ctx.fs.access(path, R_OK | W_OK);
}

// Another node in /dev with the numbers of `st` (what a foreign node really is: /dev/null), "" when none.
static std::string same_device(const Fs& fs, const FileStat& st) {
  for (auto& name : fs.list("/dev")) {
    if (name.starts_with("nvidia")) continue;
    auto o = fs.stat_node("/dev/" + name);
    if (o.kind == st.kind && o.dev_major == st.dev_major && o.dev_minor == st.dev_minor) return "/dev/" + name;
  }
  return "";
}

// The device cgroup of this process. cgroup v1: the devices controller's devices.list, under the path
// /proc/self/cgroup names, else at the controller's root (a container sees its own cgroup there). cgroup v2
// has no such file: the rules are an eBPF program attached to the cgroup, which cannot be read back.
static void probe_device_cgroup(const Fs& fs, DeviceCgroup& cg) {
  auto text = fs.read_opt("/proc/self/cgroup", 1 << 16);
  if (!text) return;
  std::string v1_path;
  bool v1 = false, v2 = false;
  for (auto& line : split_lines(*text)) {
    auto f = split(line, ':', true);
    if (f.size() < 3) continue;
    if (f[0] == "0" && f[1].empty()) v2 = true;
    for (auto& c : split(f[1], ',', false))
      if (c == "devices") {
        v1 = true;
        v1_path = line.substr(f[0].size() + f[1].size() + 2);
      }
  }
  if (!v1) {
    if (v2) cg.version = "v2";
    return;
  }
  cg.version = "v1";
  for (auto file : {path_join("/sys/fs/cgroup/devices" + v1_path, "devices.list"),
                    std::string("/sys/fs/cgroup/devices/devices.list")}) {
    auto rules = fs.read_opt(file, 1 << 20);
    if (!rules) continue;
    cg.file = file;
    for (auto& l : split_lines(*rules))
      if (!trim(l).empty()) cg.rules.emplace_back(trim(l));
    return;
  }
}

void probe_kernel_driver(const ProbeContext& ctx, Snapshot& s) {
  auto& fs = ctx.fs;
  auto& k = s.kernel;
  if (auto text = fs.read_opt("/proc/driver/nvidia/version", 1 << 16)) {
    k.loaded = true;
    for (auto& line : split_lines(*text)) {
      if (!line.starts_with("NVRM version:")) continue;
      k.version_line = std::string(trim(line));
      k.flavour = contains(line, "Open Kernel Module") ? "open" : "proprietary";
      static const std::regex re(R"(Module(?: for [A-Za-z0-9_]+)?\s+(\d+\.\d+(?:\.\d+)?))");
      std::smatch m;
      if (std::regex_search(line, m, re)) k.version = m[1];
    }
  }
  if (auto mv = fs.read_line("/sys/module/nvidia/version")) {
    k.loaded = true;
    k.module_version = *mv;
    if (k.version.empty()) k.version = *mv;
  } else if (fs.is_dir("/sys/module/nvidia")) {
    k.loaded = true;
  }
  k.nouveau_loaded = fs.is_dir("/sys/module/nouveau");
  k.uvm_loaded = fs.is_dir("/sys/module/nvidia_uvm") || fs.exists("/proc/driver/nvidia-uvm");
  k.proc_gpus = fs.list("/proc/driver/nvidia/gpus");

  // The character majors the kernel registered ("Character devices:" in /proc/devices).
  std::map<int, std::string> majors;
  if (auto text = fs.read_opt("/proc/devices", 1 << 16)) {
    bool chars = false;
    for (auto& line : split_lines(*text)) {
      auto t = trim(line);
      if (t.empty()) continue;
      if (t.ends_with("devices:")) {
        chars = t == "Character devices:";
        continue;
      }
      auto sp = t.find(' ');
      if (!chars || sp == std::string_view::npos) continue;
      auto num = parse_int(t.substr(0, sp));
      auto name = std::string(trim(t.substr(sp + 1)));
      if (!num || *num < 0 || name.empty()) continue;
      majors[int(*num)] = name;
      if (name.starts_with("nvidia")) k.char_majors[name] = int(*num);
    }
  }
  std::set<std::string> mount_points;
  if (auto text = fs.read_opt("/proc/self/mountinfo", 4 << 20))
    for (auto& line : split_lines(*text)) {
      auto f = split(line, ' ', false);
      if (f.size() > 4 && f[4].starts_with("/dev/")) mount_points.insert(f[4]);
    }

  std::vector<std::string> nodes = {"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools"};
  for (auto& name : fs.list("/dev")) {
    if (name.size() > 6 && name.starts_with("nvidia") && name.find_first_not_of("0123456789", 6) == std::string::npos)
      nodes.push_back("/dev/" + name);
  }
  for (auto& name : fs.list("/dev/nvidia-caps")) nodes.push_back("/dev/nvidia-caps/" + name);
  if (s.host.wsl) nodes.push_back("/dev/dxg");
  for (auto& p : nodes) {
    DeviceNode n;
    n.path = p;
    auto st = fs.stat_node(p);
    n.kind = file_kind_name(st.kind);
    n.mode = st.mode;
    n.uid = st.uid;
    n.gid = st.gid;
    if (st.kind != FileKind::Missing && st.gid != 0) {
      if (auto* gr = ::getgrgid(st.gid)) n.group = gr->gr_name;
    }
    n.accessible = st.kind != FileKind::Missing && user_can_open(ctx, p);
    if (st.kind == FileKind::CharDevice || st.kind == FileKind::BlockDevice) {
      n.major = int(st.dev_major);
      n.minor = int(st.dev_minor);
      if (auto it = majors.find(n.major); st.kind == FileKind::CharDevice && it != majors.end()) n.major_name = it->second;
      if (!n.major_name.starts_with("nvidia")) n.same_as = same_device(fs, st);
    }
    n.mount_point = mount_points.count(p) > 0;
    // Always list the three control nodes; list GPU nodes only when present.
    k.device_nodes.push_back(std::move(n));
  }
  probe_device_cgroup(fs, k.device_cgroup);
}

}  // namespace gpuenv
