// The NVIDIA kernel module: version, open or proprietary flavour, and the
// device nodes user space needs.
#include <fcntl.h>
#include <grp.h>
#include <unistd.h>

#include <regex>

#include "probe/probes.hpp"
#include "util/strings.hpp"

namespace gpuenv {

static bool user_can_open(const ProbeContext& ctx, const std::string& path) {
  return ctx.fs.access(path, R_OK | W_OK);
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

  std::vector<std::string> nodes = {"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools"};
  for (auto& name : fs.list("/dev")) {
    if (name.size() > 6 && name.starts_with("nvidia") && name.find_first_not_of("0123456789", 6) == std::string::npos)
      nodes.push_back("/dev/" + name);
  }
  if (s.host.wsl) nodes.push_back("/dev/dxg");
  for (auto& p : nodes) {
    DeviceNode n;
    n.path = p;
    auto st = fs.stat(p);
    n.kind = file_kind_name(st.kind);
    n.mode = st.mode;
    n.uid = st.uid;
    n.gid = st.gid;
    if (st.kind != FileKind::Missing && st.gid != 0) {
      if (auto* gr = ::getgrgid(st.gid)) n.group = gr->gr_name;
    }
    n.accessible = st.kind != FileKind::Missing && user_can_open(ctx, p);
    // Always list the three control nodes; list GPU nodes only when present.
    k.device_nodes.push_back(std::move(n));
  }
}

}  // namespace gpuenv
