#include "probe/driver_probe.hpp"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "elf/ldcache.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

double now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// ---- child side: plain C-style code, writes "key\tvalue\n" lines ----------

int g_out = -1;

void emit_raw(const char* s, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(g_out, s, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;
    }
    s += w;
    n -= size_t(w);
  }
}

std::string clean(const char* s) {
  std::string v = s ? s : "";
  for (auto& c : v)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return v;
}

void emit(const std::string& key, const std::string& value) {
  std::string line = key + "\t" + clean(value.c_str()) + "\n";
  emit_raw(line.data(), line.size());
}

void child_setup(int fd) {
  g_out = fd;
  // Crashes must show as signals to the parent, not be caught by a sanitizer
  // runtime or an inherited handler.
  for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGPIPE}) ::signal(sig, SIG_DFL);
  // Drivers sometimes print; keep our stdout (which may carry JSON) clean.
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull >= 0) {
    ::dup2(devnull, 0);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
  }
}

std::string loaded_path(void* sym) {
  Dl_info info{};
  if (sym && ::dladdr(sym, &info) && info.dli_fname) return info.dli_fname;
  return "";
}

using CUresult = int;
using CUdevice = int;

[[noreturn]] void cuda_child(const std::string& lib) {
  emit("requested", lib);
  emit("stage", "dlopen");
  void* h = ::dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* err = ::dlerror();  // read once: a second call returns NULL
    emit("dlerror", err ? err : "dlopen failed");
    emit("status", "not_found");
    ::_exit(0);
  }
  auto sym = [&](const char* name) { return ::dlsym(h, name); };
  auto cuInit = reinterpret_cast<CUresult (*)(unsigned)>(sym("cuInit"));
  auto cuDriverGetVersion = reinterpret_cast<CUresult (*)(int*)>(sym("cuDriverGetVersion"));
  emit("library_path", loaded_path(cuInit ? reinterpret_cast<void*>(cuInit) : nullptr));
  if (!cuInit || !cuDriverGetVersion) {
    emit("dlerror", "cuInit or cuDriverGetVersion not exported");
    emit("status", "missing_symbols");
    ::_exit(0);
  }
  auto cuGetErrorName = reinterpret_cast<CUresult (*)(CUresult, const char**)>(sym("cuGetErrorName"));
  auto cuGetErrorString = reinterpret_cast<CUresult (*)(CUresult, const char**)>(sym("cuGetErrorString"));
  emit("stage", "version");
  int version = 0;
  if (cuDriverGetVersion(&version) == 0) emit("driver_version", std::to_string(version));
  emit("stage", "init");
  CUresult r = cuInit(0);
  emit("init_result", std::to_string(r));
  if (r != 0) {
    const char* name = nullptr;
    const char* str = nullptr;
    if (cuGetErrorName && cuGetErrorName(r, &name) == 0 && name) emit("init_error_name", name);
    if (cuGetErrorString && cuGetErrorString(r, &str) == 0 && str) emit("init_error_string", str);
    emit("status", "init_failed");
    ::_exit(0);
  }
  emit("stage", "devices");
  auto cuDeviceGetCount = reinterpret_cast<CUresult (*)(int*)>(sym("cuDeviceGetCount"));
  auto cuDeviceGet = reinterpret_cast<CUresult (*)(CUdevice*, int)>(sym("cuDeviceGet"));
  auto cuDeviceGetName = reinterpret_cast<CUresult (*)(char*, int, CUdevice)>(sym("cuDeviceGetName"));
  auto cuDeviceGetAttribute = reinterpret_cast<CUresult (*)(int*, int, CUdevice)>(sym("cuDeviceGetAttribute"));
  auto cuDeviceTotalMem = reinterpret_cast<CUresult (*)(size_t*, CUdevice)>(sym("cuDeviceTotalMem_v2"));
  if (!cuDeviceTotalMem) cuDeviceTotalMem = reinterpret_cast<CUresult (*)(size_t*, CUdevice)>(sym("cuDeviceTotalMem"));
  auto cuDeviceGetUuid = reinterpret_cast<CUresult (*)(unsigned char*, CUdevice)>(sym("cuDeviceGetUuid"));
  auto cuDeviceGetPCIBusId = reinterpret_cast<CUresult (*)(char*, int, CUdevice)>(sym("cuDeviceGetPCIBusId"));
  int count = 0;
  if (cuDeviceGetCount && cuDeviceGetCount(&count) == 0) emit("device_count", std::to_string(count));
  for (int i = 0; i < count && i < 64; ++i) {
    CUdevice d = 0;
    if (!cuDeviceGet || cuDeviceGet(&d, i) != 0) continue;
    char name[256] = {};
    if (cuDeviceGetName) cuDeviceGetName(name, sizeof name - 1, d);
    int maj = 0, min = 0;
    if (cuDeviceGetAttribute) {
      cuDeviceGetAttribute(&maj, 75, d);  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
      cuDeviceGetAttribute(&min, 76, d);  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR
    }
    size_t mem = 0;
    if (cuDeviceTotalMem) cuDeviceTotalMem(&mem, d);
    char uuid[64] = {};
    unsigned char u[16] = {};
    if (cuDeviceGetUuid && cuDeviceGetUuid(u, d) == 0)
      std::snprintf(uuid, sizeof uuid,
                    "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2],
                    u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
    char bus[64] = {};
    if (cuDeviceGetPCIBusId) cuDeviceGetPCIBusId(bus, sizeof bus - 1, d);
    emit("device", std::to_string(i) + "|" + clean(name) + "|" + std::to_string(maj) + "|" + std::to_string(min) +
                       "|" + std::to_string(mem) + "|" + uuid + "|" + clean(bus));
  }
  emit("stage", "done");
  emit("status", "ok");
  ::_exit(0);
}

struct NvmlPciInfo {  // nvmlPciInfo_t (v3 layout)
  char busIdLegacy[16];
  unsigned domain, bus, device, pciDeviceId, pciSubSystemId;
  char busId[32];
};
struct NvmlMemory {
  unsigned long long total, free, used;
};

[[noreturn]] void nvml_child(const std::string& lib) {
  emit("requested", lib);
  emit("stage", "dlopen");
  void* h = ::dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* err = ::dlerror();  // read once: a second call returns NULL
    emit("dlerror", err ? err : "dlopen failed");
    emit("status", "not_found");
    ::_exit(0);
  }
  auto sym = [&](const char* name) { return ::dlsym(h, name); };
  auto nvmlInit = reinterpret_cast<int (*)()>(sym("nvmlInit_v2"));
  if (!nvmlInit) nvmlInit = reinterpret_cast<int (*)()>(sym("nvmlInit"));
  emit("library_path", loaded_path(reinterpret_cast<void*>(nvmlInit)));
  if (!nvmlInit) {
    emit("dlerror", "nvmlInit_v2 not exported");
    emit("status", "missing_symbols");
    ::_exit(0);
  }
  auto nvmlErrorString = reinterpret_cast<const char* (*)(int)>(sym("nvmlErrorString"));
  emit("stage", "init");
  int r = nvmlInit();
  emit("init_result", std::to_string(r));
  if (r != 0) {
    if (nvmlErrorString) emit("init_error", nvmlErrorString(r));
    emit("status", "init_failed");
    ::_exit(0);
  }
  emit("stage", "system");
  auto getDriverVersion = reinterpret_cast<int (*)(char*, unsigned)>(sym("nvmlSystemGetDriverVersion"));
  auto getCudaVersion = reinterpret_cast<int (*)(int*)>(sym("nvmlSystemGetCudaDriverVersion"));
  char ver[96] = {};
  if (getDriverVersion && getDriverVersion(ver, sizeof ver - 1) == 0) emit("driver_version", ver);
  int cv = 0;
  if (getCudaVersion && getCudaVersion(&cv) == 0) emit("cuda_driver_version", std::to_string(cv));
  emit("stage", "devices");
  using Dev = void*;
  auto getCount = reinterpret_cast<int (*)(unsigned*)>(sym("nvmlDeviceGetCount_v2"));
  auto getHandle = reinterpret_cast<int (*)(unsigned, Dev*)>(sym("nvmlDeviceGetHandleByIndex_v2"));
  auto getName = reinterpret_cast<int (*)(Dev, char*, unsigned)>(sym("nvmlDeviceGetName"));
  auto getUuid = reinterpret_cast<int (*)(Dev, char*, unsigned)>(sym("nvmlDeviceGetUUID"));
  auto getPci = reinterpret_cast<int (*)(Dev, NvmlPciInfo*)>(sym("nvmlDeviceGetPciInfo_v3"));
  auto getCc = reinterpret_cast<int (*)(Dev, int*, int*)>(sym("nvmlDeviceGetCudaComputeCapability"));
  auto getMem = reinterpret_cast<int (*)(Dev, NvmlMemory*)>(sym("nvmlDeviceGetMemoryInfo"));
  auto getMig = reinterpret_cast<int (*)(Dev, unsigned*, unsigned*)>(sym("nvmlDeviceGetMigMode"));
  auto getNvLinkState = reinterpret_cast<int (*)(Dev, unsigned, int*)>(sym("nvmlDeviceGetNvLinkState"));
  auto getNvLinkRemote = reinterpret_cast<int (*)(Dev, unsigned, NvmlPciInfo*)>(sym("nvmlDeviceGetNvLinkRemotePciInfo_v2"));
  auto getTopology = reinterpret_cast<int (*)(Dev, Dev, int*)>(sym("nvmlDeviceGetTopologyCommonAncestor"));
  auto getP2P = reinterpret_cast<int (*)(Dev, Dev, int, int*)>(sym("nvmlDeviceGetP2PStatus"));
  std::vector<Dev> handles;
  unsigned count = 0;
  if (getCount && getCount(&count) == 0) emit("device_count", std::to_string(count));
  for (unsigned i = 0; i < count && i < 64; ++i) {
    Dev d = nullptr;
    if (!getHandle || getHandle(i, &d) != 0) continue;
    char name[256] = {}, uuid[96] = {};
    if (getName) getName(d, name, sizeof name - 1);
    if (getUuid) getUuid(d, uuid, sizeof uuid - 1);
    NvmlPciInfo pci{};
    char bus[64] = {};
    if (getPci && getPci(d, &pci) == 0)
      std::snprintf(bus, sizeof bus, "%04x:%02x:%02x.0", pci.domain & 0xffff, pci.bus, pci.device);
    int maj = 0, min = 0;
    if (getCc) getCc(d, &maj, &min);
    NvmlMemory mem{};
    if (getMem) getMem(d, &mem);
    unsigned cur = 0, pend = 0;
    int mig_cur = -1, mig_pend = -1;
    if (getMig && getMig(d, &cur, &pend) == 0) {
      mig_cur = int(cur);
      mig_pend = int(pend);
    }
    int nvlinks = 0;
    if (getNvLinkState)
      for (unsigned link = 0; link < 18; ++link) {
        int active = 0;
        if (getNvLinkState(d, link, &active) == 0 && active == 1) ++nvlinks;
      }
    emit("device", std::to_string(i) + "|" + clean(name) + "|" + clean(uuid) + "|" + bus + "|" +
                       std::to_string(maj) + "|" + std::to_string(min) + "|" + std::to_string(mem.total) + "|" +
                       std::to_string(mig_cur) + "|" + std::to_string(mig_pend) + "|" + std::to_string(nvlinks));
    handles.push_back(d);
  }
  // Topology between every pair of GPUs (what NCCL will have to work with).
  emit("stage", "topology");
  for (size_t a = 0; a < handles.size(); ++a)
    for (size_t b = a + 1; b < handles.size(); ++b) {
      int level = -1, read = -1, nvl = -1, links = 0;
      if (getTopology) getTopology(handles[a], handles[b], &level);
      if (getP2P) {
        getP2P(handles[a], handles[b], 0, &read);  // NVML_P2P_CAPS_INDEX_READ
        getP2P(handles[a], handles[b], 2, &nvl);   // NVML_P2P_CAPS_INDEX_NVLINK
      }
      if (getNvLinkState && getNvLinkRemote) {
        NvmlPciInfo pb{};
        if (getPci) getPci(handles[b], &pb);
        for (unsigned link = 0; link < 18; ++link) {
          int active = 0;
          NvmlPciInfo remote{};
          if (getNvLinkState(handles[a], link, &active) != 0 || active != 1) continue;
          if (getNvLinkRemote(handles[a], link, &remote) == 0 && remote.domain == pb.domain && remote.bus == pb.bus &&
              remote.device == pb.device)
            ++links;
        }
      }
      emit("link", std::to_string(a) + "|" + std::to_string(b) + "|" + std::to_string(level) + "|" +
                       std::to_string(read) + "|" + std::to_string(nvl) + "|" + std::to_string(links));
    }
  emit("stage", "done");
  emit("status", "ok");
  ::_exit(0);
}

// CUDA's own numbering of every GPU: the process's CUDA_VISIBLE_DEVICES and CUDA_DEVICE_ORDER removed.
[[noreturn]] void cuda_order_child(const std::string& lib) {
  ::unsetenv("CUDA_VISIBLE_DEVICES");
  ::unsetenv("CUDA_DEVICE_ORDER");
  cuda_child(lib);
}

DriverProbe::Child spawn(void (*body)(const std::string&), const std::string& lib) {
  DriverProbe::Child c;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return c;
  ::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return c;
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_setup(fds[1]);
    body(lib);
    ::_exit(0);
  }
  ::close(fds[1]);
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  c.pid = pid;
  c.fd = fds[0];
  return c;
}

void drain(DriverProbe::Child& c) {
  char buf[4096];
  while (true) {
    ssize_t n = ::read(c.fd, buf, sizeof buf);
    if (n > 0) {
      c.output.append(buf, size_t(n));
      continue;
    }
    if (n == 0) c.eof = true;
    else if (errno == EINTR) continue;
    else if (errno != EAGAIN) c.eof = true;
    return;
  }
}

bool has_final_status(const std::string& out) {
  return out.starts_with("status\t") || out.find("\nstatus\t") != std::string::npos;
}

// The child's last line ("status\t...\n", then _exit) has arrived whole: everything it has to say is here.
bool status_line_complete(const std::string& out) {
  size_t pos = out.starts_with("status\t") ? 0 : out.find("\nstatus\t");
  if (pos == std::string::npos) return false;
  return out.find('\n', pos == 0 ? 0 : pos + 1) != std::string::npos;
}

void reap(DriverProbe::Child& c, bool kill_it) {
  if (c.pid <= 0 || c.reaped) return;
  if (kill_it) ::kill(c.pid, SIGKILL);
  while (::waitpid(c.pid, &c.wait_status, 0) < 0 && errno == EINTR) {
  }
  c.reaped = true;
  if (c.fd >= 0) {
    drain(c);
    ::close(c.fd);
    c.fd = -1;
  }
}

// Common "key\tvalue" parsing; returns the value of every key through cb.
template <class F>
void for_each_line(const std::string& out, F&& cb) {
  for (auto& line : split_lines(out)) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    cb(line.substr(0, tab), line.substr(tab + 1));
  }
}

int to_int(const std::string& s) { return int(parse_int(s).value_or(0)); }

template <class P>
void apply_exit(const DriverProbe::Child& c, P& p) {
  if (c.pid <= 0) {
    p.status = "error";
    p.dlerror = "could not start the probe process";
    return;
  }
  if (c.timed_out) {
    p.status = "timeout";
    return;
  }
  if (WIFSIGNALED(c.wait_status) && !(WTERMSIG(c.wait_status) == SIGKILL && has_final_status(c.output))) {
    p.status = "crashed";
    p.signal = WTERMSIG(c.wait_status);
    return;
  }
  if (p.status == "skipped" || p.status.empty()) {
    // Exited without reporting a status: treat as a crash of the library (it called exit()).
    p.status = "crashed";
    p.dlerror = "the probe process exited with status " + std::to_string(WEXITSTATUS(c.wait_status)) +
                " before finishing";
  }
}

}  // namespace

void parse_cuda_child_output(const std::string& out, CudaProbe& p) {
  for_each_line(out, [&](const std::string& k, const std::string& v) {
    if (k == "requested") p.requested = v;
    else if (k == "stage") p.stage = v;
    else if (k == "dlerror") p.dlerror = v;
    else if (k == "library_path") p.library_path = v;
    else if (k == "driver_version") p.driver_version = to_int(v);
    else if (k == "init_result") p.init_result = to_int(v);
    else if (k == "init_error_name") p.init_error_name = v;
    else if (k == "init_error_string") p.init_error_string = v;
    else if (k == "device_count") p.device_count = to_int(v);
    else if (k == "status") p.status = v;
    else if (k == "device") {
      auto f = split(v, '|');
      if (f.size() < 7) return;
      CudaDevice d;
      d.index = to_int(f[0]);
      d.name = f[1];
      d.cc_major = to_int(f[2]);
      d.cc_minor = to_int(f[3]);
      d.total_memory = std::uint64_t(parse_int(f[4]).value_or(0));
      d.uuid = f[5];
      d.pci_bus_id = to_lower(f[6]);
      p.devices.push_back(std::move(d));
    }
  });
}

void parse_nvml_child_output(const std::string& out, NvmlProbe& p) {
  for_each_line(out, [&](const std::string& k, const std::string& v) {
    if (k == "requested") p.requested = v;
    else if (k == "stage") p.stage = v;
    else if (k == "dlerror") p.dlerror = v;
    else if (k == "library_path") p.library_path = v;
    else if (k == "init_result") p.init_result = to_int(v);
    else if (k == "init_error") p.init_error = v;
    else if (k == "driver_version") p.driver_version = v;
    else if (k == "cuda_driver_version") p.cuda_driver_version = to_int(v);
    else if (k == "status") p.status = v;
    else if (k == "device") {
      auto f = split(v, '|');
      if (f.size() < 9) return;
      NvmlDevice d;
      d.index = to_int(f[0]);
      d.name = f[1];
      d.uuid = f[2];
      d.pci_bus_id = to_lower(f[3]);
      d.cc_major = to_int(f[4]);
      d.cc_minor = to_int(f[5]);
      d.memory_total = std::uint64_t(parse_int(f[6]).value_or(0));
      d.mig_current = to_int(f[7]);
      d.mig_pending = to_int(f[8]);
      if (f.size() > 9) d.nvlinks_active = to_int(f[9]);
      p.devices.push_back(std::move(d));
    } else if (k == "link") {
      auto f = split(v, '|');
      if (f.size() < 6) return;
      p.links.push_back({to_int(f[0]), to_int(f[1]), to_int(f[2]), to_int(f[3]), to_int(f[4]), to_int(f[5])});
    }
  });
}

DriverProbe::~DriverProbe() {
  // A child that reported everything was killed in finish() and exits on its own; waiting for it
  // here would wait for the driver's teardown after all. It stays a zombie until gpuenv exits.
  for (Child* c : {&cuda_, &nvml_, &order_})
    if (!c->reported) reap(*c, true);
}

std::string trusted_library_path(const Fs& fs, const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
#if defined(__aarch64__)
  const std::int32_t flags = elf::cache_flags_for(EM_AARCH64, 64);
  const std::vector<std::string> dirs = {"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64",
                                         "/lib", "/usr/lib"};
#else
  const std::int32_t flags = elf::cache_flags_for(EM_X86_64, 64);
  const std::vector<std::string> dirs = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
                                         "/lib", "/usr/lib"};
#endif
  if (auto text = fs.read_opt("/etc/ld.so.cache", 64u << 20))
    if (auto cache = elf::parse_ld_cache(*text))
      if (auto* e = cache->lookup(name, flags, {}); e && e->path.starts_with('/')) return e->path;
  for (auto& d : dirs)
    if (fs.exists(d + "/" + name)) return d + "/" + name;
  return dirs.front() + "/" + name;
}

void DriverProbe::start(const DriverProbeOptions& opts_in) {
  opts_ = opts_in;
  if (opts_.trusted_only) {
    Fs fs;
    opts_.libcuda = trusted_library_path(fs, opts_.libcuda);
    opts_.libnvml = trusted_library_path(fs, opts_.libnvml);
  }
  const DriverProbeOptions& opts = opts_;
  if (!opts.enabled) return;
  start_ms_ = now_ms();
  cuda_ = spawn(cuda_child, opts.libcuda);
  nvml_ = spawn(nvml_child, opts.libnvml);
  // With several GPUs and a restricted or reordered view, a third child records CUDA's default numbering;
  // without CUDA_VISIBLE_DEVICES and CUDA_DEVICE_ORDER the main child's numbering is that already.
  order_needed_ = opts.gpu_count_hint > 1;
  if (order_needed_ && (::getenv("CUDA_VISIBLE_DEVICES") || ::getenv("CUDA_DEVICE_ORDER")))
    order_ = spawn(cuda_order_child, opts.libcuda);
}

void DriverProbe::finish(Snapshot& s, const std::function<void()>& on_slow) {
  if (!opts_.enabled) {
    s.cuda.status = s.nvml.status = "skipped";
    return;
  }
  const double deadline = start_ms_ + opts_.timeout_s * 1000.0;
  bool slow_reported = false;
  while (true) {
    pollfd fds[3];
    Child* who[3];
    int n = 0;
    for (Child* c : {&cuda_, &nvml_, &order_}) {
      if (c->fd >= 0 && !c->eof && !c->reported) {
        fds[n] = {c->fd, POLLIN, 0};
        who[n++] = c;
      }
    }
    if (n == 0) break;
    double now = now_ms();
    double left = deadline - now;
    if (left <= 0) {
      // A child that already reported its final status is finished, only slow to exit.
      for (int i = 0; i < n; ++i) {
        drain(*who[i]);
        if (!who[i]->eof && !has_final_status(who[i]->output)) who[i]->timed_out = true;
      }
      break;
    }
    double wait = left;
    if (on_slow && !slow_reported) {
      double until_slow = start_ms_ + 1000.0 - now;
      if (until_slow <= 0) {
        slow_reported = true;
        on_slow();
      } else {
        wait = std::min(wait, until_slow);
      }
    }
    int r = ::poll(fds, nfds_t(n), int(wait) + 1);
    if (r < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents) {
        drain(*who[i]);
        // Done at its final line: the child's exit (the driver tearing down its context takes
        // tens of milliseconds) is not waited for.
        if (!who[i]->eof && status_line_complete(who[i]->output)) who[i]->reported = true;
        if (who[i]->eof || who[i]->reported) (who[i] == &cuda_ ? cuda_done_ms_ : nvml_done_ms_) = now_ms();
      }
    }
  }
  // Kill whatever is still running: hung (reaped, so a crash or timeout is told apart), or finished
  // and busy exiting (killed and left to exit on its own; the kernel reaps it when gpuenv exits).
  for (Child* c : {&cuda_, &nvml_, &order_}) {
    if (c->reported && !c->eof && c->pid > 0 && !c->reaped) {
      ::kill(c->pid, SIGKILL);
      if (::waitpid(c->pid, &c->wait_status, WNOHANG) == c->pid) c->reaped = true;
      else c->wait_status = 0;
      ::close(c->fd);
      c->fd = -1;
      continue;
    }
    reap(*c, !c->eof);
  }

  s.cuda = CudaProbe{};
  s.cuda.status = "skipped";
  parse_cuda_child_output(cuda_.output, s.cuda);
  if (s.cuda.requested.empty()) s.cuda.requested = opts_.libcuda;
  apply_exit(cuda_, s.cuda);
  s.cuda.elapsed_ms = ((cuda_done_ms_ > 0 ? cuda_done_ms_ : now_ms()) - start_ms_);

  if (order_.pid > 0) {
    CudaProbe all;
    parse_cuda_child_output(order_.output, all);
    if (all.status == "ok")
      for (auto& d : all.devices) s.cuda.default_order.push_back(d.pci_bus_id);
  } else if (order_needed_ && s.cuda.status == "ok") {
    for (auto& d : s.cuda.devices) s.cuda.default_order.push_back(d.pci_bus_id);
  }

  s.nvml = NvmlProbe{};
  s.nvml.status = "skipped";
  parse_nvml_child_output(nvml_.output, s.nvml);
  if (s.nvml.requested.empty()) s.nvml.requested = opts_.libnvml;
  apply_exit(nvml_, s.nvml);
  s.nvml.elapsed_ms = ((nvml_done_ms_ > 0 ? nvml_done_ms_ : now_ms()) - start_ms_);
}

}  // namespace gpuenv
