// Host facts: OS, kernel, C library, architecture, and the kind of place we
// run in (container, WSL2, NixOS, a micro-VM).
#include <gnu/libc-version.h>
#include <grp.h>
#include <pwd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <regex>

#include "probe/probes.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

namespace gpuenv {

static void probe_user(const ProbeContext& ctx, HostInfo& h) {
  h.uid = ::getuid();
  if (auto* pw = ::getpwuid(h.uid)) {
    h.user = pw->pw_name;
    h.home = pw->pw_dir;
  }
  if (auto* home = ctx.getenv("HOME"); home && !home->empty()) h.home = *home;
  if (h.user.empty()) {
    if (auto* u = ctx.getenv("USER")) h.user = *u;
  }
  gid_t groups[256];
  int n = ::getgroups(256, groups);
  for (int i = 0; i < n; ++i) h.groups.push_back(groups[i]);
  gid_t g = ::getgid();
  if (std::find(h.groups.begin(), h.groups.end(), g) == h.groups.end()) h.groups.push_back(g);
  std::sort(h.groups.begin(), h.groups.end());
}

// glibc's version string lives in libc.so.6 ("... stable release version 2.36."). On the live
// system gpuenv runs on that same libc, which answers without reading 2 MB.
static std::string glibc_version(const Fs& fs) {
  if (fs.is_live()) return ::gnu_get_libc_version();
  for (const char* dir : {"/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                          "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"}) {
    std::string p = std::string(dir) + "/libc.so.6";
    auto st = fs.stat(p);
    if (st.kind != FileKind::Regular) continue;
    auto text = fs.read_opt(p, 8u << 20);
    if (!text) continue;
    for (const char* marker : {"release version ", "GNU C Library (", "GLIBC "}) {
      size_t pos = text->find(marker);
      if (pos == std::string::npos) continue;
      if (std::string_view(marker) == "release version ") {
        auto v = Version::parse(std::string_view(*text).substr(pos + 16, 16));
        if (v) return v->str();
      }
    }
    // Old layout: libc.so.6 -> libc-2.31.so
    if (auto link = fs.readlink(p)) {
      static const std::regex re(R"(libc-(\d+\.\d+)\.so)");
      std::smatch m;
      if (std::regex_search(*link, m, re)) return m[1];
    }
  }
  return "";
}

static void probe_container(const ProbeContext& ctx, HostInfo& h) {
  auto& fs = ctx.fs;
  auto hint = [&](std::string kind, std::string evidence) {
    if (h.container.empty()) h.container = kind;
    h.container_hints.push_back(std::move(evidence));
  };
  if (fs.exists("/run/.containerenv")) hint("podman", "/run/.containerenv exists");
  if (fs.exists("/.dockerenv")) hint("docker", "/.dockerenv exists");
  if (ctx.getenv("KUBERNETES_SERVICE_HOST") || fs.exists("/var/run/secrets/kubernetes.io/serviceaccount"))
    hint("kubernetes", "Kubernetes service account or KUBERNETES_SERVICE_HOST present");
  if (auto cg = fs.read_opt("/proc/1/cgroup", 1 << 16)) {
    if (contains(*cg, "kubepods")) hint("kubernetes", "/proc/1/cgroup mentions kubepods");
    else if (contains(*cg, "docker")) hint("docker", "/proc/1/cgroup mentions docker");
    else if (contains(*cg, "lxc")) hint("lxc", "/proc/1/cgroup mentions lxc");
  }
  if (auto* c = ctx.getenv("container"); c && !c->empty()) hint(*c, "container=" + *c + " in the environment");

  auto version = fs.read_opt("/proc/version", 4096).value_or("");
  auto cmdline = fs.read_opt("/proc/cmdline", 8192).value_or("");
  if (contains(cmdline, "virtio_mmio.device=") || contains(version, "-fc-"))
    h.virtualization = "firecracker";
  else if (version.starts_with("Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016"))
    h.virtualization = "gvisor";
  else if (auto vendor = fs.read_line("/sys/class/dmi/id/sys_vendor")) {
    auto v = to_lower(*vendor);
    if (contains(v, "qemu")) h.virtualization = "qemu";
    else if (contains(v, "amazon")) h.virtualization = "aws";
    else if (contains(v, "google")) h.virtualization = "gce";
    else if (contains(v, "microsoft")) h.virtualization = "hyperv";
    else if (contains(v, "vmware")) h.virtualization = "vmware";
  }
}

// The size of the tmpfs on /dev/shm, from its mount options ("size=65536k"); 0 when not mounted or not said.
static std::uint64_t shm_size(const Fs& fs) {
  auto mounts = fs.read_opt("/proc/self/mounts", 1 << 20);
  if (!mounts) return 0;
  std::uint64_t size = 0;
  for (auto& line : split(*mounts, '\n', false)) {
    auto f = split(line, ' ', false);
    if (f.size() < 4 || f[1] != "/dev/shm") continue;
    size = 0;  // the last mount on /dev/shm is the one in effect
    for (auto& opt : split(f[3], ',', false)) {
      if (!opt.starts_with("size=")) continue;
      auto v = opt.substr(5);
      std::uint64_t n = 0, mult = 1;
      size_t i = 0;
      for (; i < v.size() && v[i] >= '0' && v[i] <= '9'; ++i) n = n * 10 + std::uint64_t(v[i] - '0');
      if (i < v.size()) {
        char u = char(std::tolower(static_cast<unsigned char>(v[i])));
        mult = u == 'k' ? 1ull << 10 : u == 'm' ? 1ull << 20 : u == 'g' ? 1ull << 30 : u == '%' ? 0 : 1;
      }
      size = n * mult;  // "size=50%" (a share of RAM): unknown
    }
  }
  return size;
}

void probe_host(const ProbeContext& ctx, Snapshot& s) {
  auto& fs = ctx.fs;
  auto& h = s.host;
  probe_user(ctx, h);

  h.hostname = fs.read_line("/proc/sys/kernel/hostname").value_or("");
  if (h.hostname.empty()) h.hostname = fs.read_line("/etc/hostname").value_or("");
  if (h.hostname.empty() && fs.is_live()) {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) == 0) h.hostname = buf;
  }

  auto os = fs.read_opt("/etc/os-release", 1 << 16);
  if (!os) os = fs.read_opt("/usr/lib/os-release", 1 << 16);
  if (os) {
    for (auto& [k, v] : parse_key_values(*os)) {
      if (k == "ID") h.os_id = v;
      else if (k == "PRETTY_NAME") h.os_pretty_name = v;
      else if (k == "VERSION_ID") h.os_version_id = v;
    }
  } else {
    s.probe_errors.push_back("no /etc/os-release or /usr/lib/os-release");
  }

  // The machine: on this machine, uname's (what programs here run as: under qemu-user, the emulated machine, while
  // /proc/sys/kernel/arch is the real kernel's); under --root, the tree's /proc/sys/kernel/arch.
  if (fs.is_live()) {
    struct utsname u {};
    if (::uname(&u) == 0) {
      h.kernel_release = u.release;
      h.arch = u.machine;
    }
  }
  if (h.kernel_release.empty()) h.kernel_release = fs.read_line("/proc/sys/kernel/osrelease").value_or("");
  if (h.arch.empty()) h.arch = fs.read_line("/proc/sys/kernel/arch").value_or("");
  h.glibc_version = glibc_version(fs);

  probe_container(ctx, h);
  h.shm_bytes = shm_size(fs);

  auto lower_release = to_lower(h.kernel_release);
  h.wsl = contains(lower_release, "microsoft") || contains(lower_release, "wsl") || fs.exists("/dev/dxg");
  h.nixos = fs.exists("/etc/NIXOS") || h.os_id == "nixos";
  h.opengl_driver_dir = fs.is_dir("/run/opengl-driver/lib");
  // The network as NCCL sees it: the interfaces NCCL_SOCKET_IFNAME chooses from, and InfiniBand/RoCE devices.
  for (auto* list : {&h.net_interfaces, &h.ib_devices}) {
    *list = fs.list(list == &h.net_interfaces ? "/sys/class/net" : "/sys/class/infiniband", false);
    std::sort(list->begin(), list->end());
  }
}

}  // namespace gpuenv
