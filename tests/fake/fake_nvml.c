/* A stand-in for libnvidia-ml.so.1 for tests. Behaviour from the environment:
 *   FAKE_NVML_INIT            nvmlInit_v2 return code (default 0; 18 = version mismatch, 9 = driver not loaded)
 *   FAKE_NVML_DRIVER_VERSION  (default 580.159.04)
 *   FAKE_NVML_CUDA_VERSION    (default FAKE_CUDA_VERSION or 13000)
 *   FAKE_NVML_CRASH / FAKE_NVML_HANG / FAKE_NVML_EXIT = load|init|devices
 *   FAKE_GPUS                 the device list (fake_gpus.h); NVML ignores CUDA_VISIBLE_DEVICES, like the real one. */
#include "fake_gpus.h"

typedef int nvmlReturn_t;
typedef struct fake_gpu* nvmlDevice_t;

typedef struct {
  char busIdLegacy[16];
  unsigned domain, bus, device, pciDeviceId, pciSubSystemId;
  char busId[32];
} nvmlPciInfo_t;

typedef struct {
  unsigned long long total, free, used;
} nvmlMemory_t;

__attribute__((constructor)) static void fake_nvml_load(void) {
  fake_stage("FAKE_NVML_CRASH", "FAKE_NVML_HANG", "FAKE_NVML_EXIT", "load");
}

nvmlReturn_t nvmlInit_v2(void) {
  fake_stage("FAKE_NVML_CRASH", "FAKE_NVML_HANG", "FAKE_NVML_EXIT", "init");
  fake_load_gpus();
  return fake_env_int("FAKE_NVML_INIT", 0);
}

nvmlReturn_t nvmlShutdown(void) { return 0; }

const char* nvmlErrorString(nvmlReturn_t r) {
  switch (r) {
    case 0: return "Success";
    case 9: return "Driver Not Loaded";
    case 12: return "NVML Shared Library Not Found";
    case 18: return "Driver/library version mismatch";
    default: return "Unknown Error";
  }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char* v, unsigned len) {
  const char* d = getenv("FAKE_NVML_DRIVER_VERSION");
  snprintf(v, len, "%s", d ? d : "580.159.04");
  return 0;
}

nvmlReturn_t nvmlSystemGetCudaDriverVersion(int* v) {
  *v = fake_env_int("FAKE_NVML_CUDA_VERSION", fake_env_int("FAKE_CUDA_VERSION", 13000));
  return 0;
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned* n) {
  fake_stage("FAKE_NVML_CRASH", "FAKE_NVML_HANG", "FAKE_NVML_EXIT", "devices");
  *n = (unsigned)fake_gpu_count;
  return 0;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned i, nvmlDevice_t* d) {
  if ((int)i >= fake_gpu_count) return 2;
  *d = &fake_gpus[i];
  return 0;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char* name, unsigned len) {
  snprintf(name, len, "%s", d->name);
  return 0;
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char* u, unsigned len) {
  snprintf(u, len, "%s", d->uuid);
  return 0;
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t* p) {
  memset(p, 0, sizeof *p);
  unsigned dom = 0, bus = 0, dv = 0, fn = 0;
  sscanf(d->bus, "%x:%x:%x.%x", &dom, &bus, &dv, &fn);
  p->domain = dom;
  p->bus = bus;
  p->device = dv;
  snprintf(p->busId, sizeof p->busId, "%08x:%02x:%02x.0", dom, bus, dv);
  return 0;
}

nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t d, int* maj, int* min) {
  *maj = d->cc_major;
  *min = d->cc_minor;
  return 0;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t* m) {
  m->total = d->mem_mib * 1024ULL * 1024ULL;
  m->free = m->total;
  m->used = 0;
  return 0;
}

nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t d, unsigned* cur, unsigned* pend) {
  if (d->mig < 0) return 3; /* NVML_ERROR_NOT_SUPPORTED */
  *cur = (unsigned)d->mig;
  *pend = (unsigned)d->mig;
  return 0;
}
