// The GPU device nodes: present while the module is loaded, carrying the numbers of the NVIDIA devices the
// kernel registered (/proc/devices, devices.toml), open to the user, and allowed by the device cgroup where it
// can be read. Each finding names the node that is wrong and why; the checks of the user-space driver
// (driver_checks.cpp) stay quiet when one of these explains their symptom (facts.hpp: device_access_broken).
#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "checks/check.hpp"
#include "checks/facts.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

std::string octal_mode(std::uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

std::string char_majors_text(const Snapshot& s) {
  std::vector<std::string> out;
  for (auto& [name, major] : s.kernel.char_majors) out.push_back(std::to_string(major) + " " + name);
  return out.empty() ? "no NVIDIA entries (or not readable)" : join(out, ", ");
}

void device_nodes_missing(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  if (!nodes_missing(s)) return;
  auto& f = e.emit("GPU device nodes are missing in /dev");
  for (auto& n : s.kernel.device_nodes) f.add(n.path, n.kind);
  f.add("kernel module", s.kernel.version);
  if (in_container(s)) {
    f.add("container", s.host.container);
    f.cause = "This " + s.host.container + " container was started without the NVIDIA container runtime, so the GPU "
              "device nodes were not passed in.";
    f.fix = s.host.container == "kubernetes"
                ? "Request the GPU in the pod spec:\n  resources:\n    limits:\n      nvidia.com/gpu: 1\n"
                  "(with the NVIDIA device plugin installed on the node)"
                : "docker run --gpus all ...   (podman: --device nvidia.com/gpu=all with the NVIDIA CDI spec)";
  } else {
    f.cause = "The kernel module is loaded but its device nodes were never created (no udev rule or nvidia-modprobe).";
    f.fix = "sudo nvidia-modprobe -c 0 -u   # creates /dev/nvidiactl, /dev/nvidia0 and /dev/nvidia-uvm";
  }
}

void uvm_node_missing(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  if (!uvm_missing(s)) return;
  auto& f = e.emit("/dev/nvidia-uvm is missing: CUDA cannot start");
  f.add("/dev/nvidia-uvm", "missing");
  f.add("nvidia_uvm module", s.kernel.uvm_loaded ? "loaded" : "not loaded");
  if (s.cuda.init_result >= 0) f.add("cuInit", cuda_result(s, in.know));
  f.cause = "CUDA needs the nvidia_uvm module and its device node; without them cuInit fails with "
            "CUDA_ERROR_UNKNOWN (999).";
  f.fix = in_container(s) ? "Start the container with the NVIDIA runtime (docker run --gpus all ...); on the host: "
                            "sudo modprobe nvidia-uvm"
                          : "sudo modprobe nvidia-uvm && sudo nvidia-modprobe -c 0 -u";
}

void device_nodes_inaccessible(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto bad = inaccessible_nodes(s);
  if (bad.empty()) return;
  auto& f = e.emit("The GPU device nodes are not accessible to user " + s.host.user);
  std::string group;
  std::uint32_t gid = 0;
  std::vector<std::string> paths;
  for (auto* n : bad) {
    f.add(n->path, "mode " + octal_mode(n->mode) + ", uid " + std::to_string(n->uid) + ", group " +
                       (n->group.empty() ? std::to_string(n->gid) : n->group));
    paths.push_back(n->path);
    if (group.empty() && !n->group.empty()) {
      group = n->group;
      gid = n->gid;
    }
  }
  f.add("user", s.host.user + " (uid " + std::to_string(s.host.uid) + ")");
  bool member = std::find(s.host.groups.begin(), s.host.groups.end(), gid) != s.host.groups.end();
  auto mode = in.know.device_file_default_mode();
  if (!group.empty() && !member) {
    f.cause = "The device nodes belong to group '" + group + "' and " + s.host.user + " is not in it.";
    f.fix = "sudo usermod -aG " + group + " " + s.host.user + "   # then log out and back in";
  } else if (!group.empty()) {
    f.cause = s.host.user + " is in group '" + group + "', but the nodes' mode gives that group no read and write access.";
    f.fix = "sudo chmod g+rw " + join(paths, " ") +
            "\n# lasting: NVreg_DeviceFileMode=0660 NVreg_DeviceFileGID=<gid of " + group +
            "> in /etc/modprobe.d/nvidia.conf (or the udev rule that sets it)";
  } else {
    f.cause = "The nodes' mode gives " + s.host.user + " no read and write access (the driver creates them " + mode +
              ", root:root); something changed it.";
    f.fix = "sudo chmod " + mode + " " + join(paths, " ") +
            "\n# to keep them group-only instead: NVreg_DeviceFileMode=0660 NVreg_DeviceFileGID=<gid> in "
            "/etc/modprobe.d/nvidia.conf, and add the user to that group";
  }
}

void device_node_wrong(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  std::vector<std::pair<const DeviceNode*, std::string>> bad;
  for (auto& n : s.kernel.device_nodes)
    if (auto why = device_node_problem(s, in.know, n); !why.empty()) bad.push_back({&n, why});
  if (bad.empty()) return;
  auto& first = *bad.front().first;
  auto& f = e.emit(bad.size() == 1 ? first.path + " is not the NVIDIA device it must be"
                                   : std::to_string(bad.size()) + " GPU device nodes are not the NVIDIA devices they must be");
  std::vector<std::string> fixes;
  bool mounted = false;
  for (auto& [n, why] : bad) {
    auto fact = in.know.device_node_fact(n->path);
    f.add(n->path, why + (n->mount_point ? "; something is mounted on it" : ""));
    if (n->mount_point) {
      mounted = true;
      fixes.push_back("sudo umount " + n->path);
    } else if (fact) {
      int major = expected_major(s, *fact);
      if (major >= 0 && fact->minor >= 0)
        fixes.push_back(std::string(n->kind == "directory" ? "sudo rmdir " : "sudo rm -f ") + n->path + " && sudo mknod -m " + in.know.device_file_default_mode() + " " +
                        n->path + " c " + std::to_string(major) + " " + std::to_string(fact->minor));
    }
  }
  f.add("/proc/devices", char_majors_text(s));
  if (s.cuda.init_result > 0) f.add("cuInit", cuda_result(s, in.know));
  auto fact = in.know.device_node_fact(first.path);
  std::string what = fact ? fact->what : "the NVIDIA device";
  f.cause = "Opening " + first.path + " reaches another device than " + what +
            (mounted ? ": a file or device was mounted (bind-mounted) over the node" : "") +
            ", so the driver cannot use it: CUDA finds no GPU or fails to initialise, though the node exists.";
  if (in_container(s) && !mounted) {
    f.fix = "Restart the container with the NVIDIA runtime (docker run --gpus all ...), which creates the nodes with "
            "the host's numbers; do not bind-mount files or directories onto /dev/nvidia*.";
  } else if (!fixes.empty()) {
    f.fix = join(fixes, "\n") + (mounted ? "   # in the mount namespace (container) where it was mounted" : "");
  } else {
    f.fix = "sudo rm " + first.path + " && sudo nvidia-modprobe -c 0 -u   # recreates the nodes with the kernel's numbers";
  }
}

void device_cgroup_denies(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto bad = cgroup_denied_nodes(s);
  if (bad.empty()) return;
  auto& cg = s.kernel.device_cgroup;
  auto& f = e.emit("The device cgroup does not allow " + (bad.size() == 1 ? bad.front()->path : std::string("the GPU device nodes")));
  std::vector<std::string> allow;
  for (auto* n : bad) {
    auto num = std::to_string(n->major) + ":" + std::to_string(n->minor);
    f.add(n->path, "c " + num + (n->major_name.empty() ? "" : " (" + n->major_name + ")") + ": not allowed rw");
    allow.push_back("c " + num + " rw");
  }
  f.add(cg.file, cg.rules.size() > 8 ? join(std::vector<std::string>(cg.rules.begin(), cg.rules.begin() + 8), "; ") + "; ..."
                                      : join(cg.rules, "; "));
  f.cause = "The cgroup-v1 devices controller of this process lists no rule that lets it read and write these "
            "nodes: open() fails with EPERM although the files exist and their mode allows it, and CUDA sees no GPU.";
  if (in_container(s)) {
    f.fix = s.host.container == "kubernetes"
                ? "Request the GPU through the NVIDIA device plugin (resources.limits nvidia.com/gpu), which allows its "
                  "device numbers in the pod's cgroup."
                : "docker run --gpus all ...   # the NVIDIA runtime allows the GPU's device numbers in the cgroup\n"
                  "# or name each node: --device /dev/nvidiactl --device /dev/nvidia-uvm --device /dev/nvidia0";
  } else {
    std::string dir = cg.file.substr(0, cg.file.rfind('/'));
    std::vector<std::string> lines;
    for (auto& a : allow) lines.push_back("echo '" + a + "' | sudo tee " + dir + "/devices.allow");
    f.fix = join(lines, "\n") + "\n# lasting: DeviceAllow= for these nodes in the systemd unit or Slurm cgroup.conf "
                                 "(ConstrainDevices) that confines this process";
  }
}

}  // namespace

void add_device_node_checks(std::vector<CheckDef>& out) {
  out.push_back({"driver.device-nodes-missing", Severity::Error,
                 "/dev/nvidiactl or /dev/nvidiaN are missing (container without the GPU runtime, no udev)",
                 device_nodes_missing});
  out.push_back({"driver.uvm-missing", Severity::Error, "/dev/nvidia-uvm is missing, so cuInit fails", uvm_node_missing});
  out.push_back({"driver.device-node-wrong", Severity::Error,
                 "A /dev/nvidia* node is another device (wrong major/minor, a bind mount of /dev/null, a directory)",
                 device_node_wrong});
  out.push_back({"driver.device-nodes-inaccessible", Severity::Error,
                 "The user cannot open the GPU device nodes (group membership, permissions)", device_nodes_inaccessible});
  out.push_back({"driver.device-cgroup-denies", Severity::Error,
                 "The process's cgroup-v1 devices.list does not allow a GPU device node", device_cgroup_denies});
}

}  // namespace gpuenv
