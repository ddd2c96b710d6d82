#include "probe/driver_probe.hpp"

#include <dlfcn.h>
#include <elf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "elf/ldcache.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

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

std::string loaded_path(void* sym) {
  Dl_info info{};
  if (sym && ::dladdr(sym, &info) && info.dli_fname) return info.dli_fname;
  return "";
}

// The child's last line: its status.
[[noreturn]] void end_child(const char* status) {
  emit("status", status);
  ::_exit(0);
}

// The child's first stages: the library named, then dlopen; a failure ends the child with status not_found.
void* open_driver_library(const std::string& lib) {
  emit("requested", lib);
  emit("stage", "dlopen");
  void* h = ::dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* err = ::dlerror();  // read once: a second call returns NULL
    emit("dlerror", err ? err : "dlopen failed");
    end_child("not_found");
  }
  return h;
}

using CUresult = int;
using CUdevice = int;

[[noreturn]] void cuda_child(const std::string& lib) {
  void* h = open_driver_library(lib);
  auto sym = [&](const char* name) { return ::dlsym(h, name); };
  auto cuInit = reinterpret_cast<CUresult (*)(unsigned)>(sym("cuInit"));
  auto cuDriverGetVersion = reinterpret_cast<CUresult (*)(int*)>(sym("cuDriverGetVersion"));
  emit("library_path", loaded_path(cuInit ? reinterpret_cast<void*>(cuInit) : nullptr));
  if (!cuInit || !cuDriverGetVersion) {
    emit("dlerror", "cuInit or cuDriverGetVersion not exported");
    end_child("missing_symbols");
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
    end_child("init_failed");
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
  end_child("ok");
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
  void* h = open_driver_library(lib);
  auto sym = [&](const char* name) { return ::dlsym(h, name); };
  auto nvmlInit = reinterpret_cast<int (*)()>(sym("nvmlInit_v2"));
  if (!nvmlInit) nvmlInit = reinterpret_cast<int (*)()>(sym("nvmlInit"));
  emit("library_path", loaded_path(reinterpret_cast<void*>(nvmlInit)));
  if (!nvmlInit) {
    emit("dlerror", "nvmlInit_v2 not exported");
    end_child("missing_symbols");
  }
  auto nvmlErrorString = reinterpret_cast<const char* (*)(int)>(sym("nvmlErrorString"));
  emit("stage", "init");
  int r = nvmlInit();
  emit("init_result", std::to_string(r));
  if (r != 0) {
    if (nvmlErrorString) emit("init_error", nvmlErrorString(r));
    end_child("init_failed");
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
  end_child("ok");
}

// CUDA's own numbering of every GPU: the process's CUDA_VISIBLE_DEVICES and CUDA_DEVICE_ORDER removed.
[[noreturn]] void cuda_order_child(const std::string& lib) {
  ::unsetenv("CUDA_VISIBLE_DEVICES");
  ::unsetenv("CUDA_DEVICE_ORDER");
  cuda_child(lib);
}

// A child running body(lib), its lines streamed to the parent. Crashes show as signals (the runner
// restores the default handlers a sanitizer runtime replaced) and what drivers print goes to /dev/null,
// so gpuenv's stdout (which may carry JSON) stays clean. The child stays in gpuenv's process group: a
// Ctrl-C on the terminal reaches a hung driver too.
Process spawn(void (*body)(const std::string&), const std::string& lib, double timeout_s) {
  ProcessSpec spec;
  spec.function = [body, lib](int fd) {
    g_out = fd;
    body(lib);
    return 0;
  };
  spec.new_group = false;
  spec.timeout_s = timeout_s;
  // Done at its final line: the child's exit (the driver tearing down its context takes tens of
  // milliseconds) is not waited for.
  spec.on_line = [](std::string_view line) {
    return line.starts_with("status\t") ? LineAction::Stop : LineAction::Continue;
  };
  return Process(spec);
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
void apply_exit(const ProcessResult& r, P& p) {
  if (!r.started()) {
    p.status = ProbeStatus::Error;
    p.dlerror = "could not start the probe process";
    return;
  }
  if (r.timed_out) {
    p.status = ProbeStatus::Timeout;
    return;
  }
  if (r.signal) {
    p.status = ProbeStatus::Crashed;
    p.signal = r.signal;
    return;
  }
  if (p.status == ProbeStatus::Skipped) {
    // Exited without reporting a status: treat as a crash of the library (it called exit()).
    p.status = ProbeStatus::Crashed;
    p.dlerror = "the probe process exited with status " + std::to_string(r.exit_code) + " before finishing";
  }
}

// The lines both children write: what was asked for, how far it got, what loaded, the init result and the status.
template <class P>
bool common_line(const std::string& k, const std::string& v, P& p) {
  if (k == "requested") p.requested = v;
  else if (k == "stage") p.stage = v;
  else if (k == "dlerror") p.dlerror = v;
  else if (k == "library_path") p.library_path = v;
  else if (k == "init_result") p.init_result = to_int(v);
  else if (k == "status") p.status = probe_status_from_string(v).value_or(ProbeStatus::Skipped);
  else return false;
  return true;
}

}  // namespace

void parse_cuda_child_output(const std::string& out, CudaProbe& p) {
  for_each_line(out, [&](const std::string& k, const std::string& v) {
    if (common_line(k, v, p)) return;
    if (k == "driver_version") p.driver_version = to_int(v);
    else if (k == "init_error_name") p.init_error_name = v;
    else if (k == "init_error_string") p.init_error_string = v;
    else if (k == "device_count") p.device_count = to_int(v);
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
    if (common_line(k, v, p)) return;
    if (k == "init_error") p.init_error = v;
    else if (k == "driver_version") p.driver_version = v;
    else if (k == "cuda_driver_version") p.cuda_driver_version = to_int(v);
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
      p.links.push_back({to_int(f[0]), to_int(f[1]), GpuTopology(to_int(f[2])), to_int(f[3]), to_int(f[4]), to_int(f[5])});
    }
  });
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
  cuda_ = spawn(cuda_child, opts.libcuda, opts.timeout_s);
  nvml_ = spawn(nvml_child, opts.libnvml, opts.timeout_s);
  // With several GPUs and a restricted or reordered view, a third child records CUDA's default numbering;
  // without CUDA_VISIBLE_DEVICES and CUDA_DEVICE_ORDER the main child's numbering is that already.
  order_needed_ = opts.gpu_count_hint > 1;
  order_started_ = order_needed_ && (::getenv("CUDA_VISIBLE_DEVICES") || ::getenv("CUDA_DEVICE_ORDER"));
  if (order_started_) order_ = spawn(cuda_order_child, opts.libcuda, opts.timeout_s);
}

void DriverProbe::finish(Snapshot& s, const std::function<void()>& on_slow) {
  if (!opts_.enabled) {
    s.cuda.status = s.nvml.status = ProbeStatus::Skipped;
    return;
  }
  wait_all({&cuda_, &nvml_, &order_}, 1000, on_slow);

  s.cuda = CudaProbe{};
  s.cuda.status = ProbeStatus::Skipped;
  parse_cuda_child_output(cuda_.result().out, s.cuda);
  if (s.cuda.requested.empty()) s.cuda.requested = opts_.libcuda;
  apply_exit(cuda_.result(), s.cuda);
  s.cuda.elapsed_ms = cuda_.result().elapsed_ms;

  if (order_started_) {
    CudaProbe all;
    parse_cuda_child_output(order_.result().out, all);
    if (all.status == ProbeStatus::Ok)
      for (auto& d : all.devices) s.cuda.default_order.push_back(d.pci_bus_id);
  } else if (order_needed_ && s.cuda.status == ProbeStatus::Ok) {
    for (auto& d : s.cuda.devices) s.cuda.default_order.push_back(d.pci_bus_id);
  }

  s.nvml = NvmlProbe{};
  s.nvml.status = ProbeStatus::Skipped;
  parse_nvml_child_output(nvml_.result().out, s.nvml);
  if (s.nvml.requested.empty()) s.nvml.requested = opts_.libnvml;
  apply_exit(nvml_.result(), s.nvml);
  s.nvml.elapsed_ms = nvml_.result().elapsed_ms;
}

}  // namespace gpuenv
