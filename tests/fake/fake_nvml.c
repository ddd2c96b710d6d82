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

/* NVML numbers GPUs in PCI bus order, whatever order FAKE_GPUS lists them in. */
static int pci_order[FAKE_MAX_GPUS];

nvmlReturn_t nvmlInit_v2(void) {
  fake_stage("FAKE_NVML_CRASH", "FAKE_NVML_HANG", "FAKE_NVML_EXIT", "init");
  fake_load_gpus();
  for (int i = 0; i < fake_gpu_count; ++i) pci_order[i] = i;
  for (int i = 1; i < fake_gpu_count; ++i)
    for (int j = i; j > 0 && strcmp(fake_gpus[pci_order[j]].bus, fake_gpus[pci_order[j - 1]].bus) < 0; --j) {
      int t = pci_order[j];
      pci_order[j] = pci_order[j - 1];
      pci_order[j - 1] = t;
    }
  return fake_env_int("FAKE_NVML_INIT", 0);
}

/* FAKE_TOPOLOGY="a-b:level:p2p:nvlinks;..." in NVML (PCI) indices; pairs not listed: level 30, P2P OK, no NVLink. */
static void fake_link(int a, int b, int* level, int* p2p, int* nvlinks) {
  *level = 30;
  *p2p = 0;
  *nvlinks = 0;
  const char* t = getenv("FAKE_TOPOLOGY");
  if (!t) return;
  char buf[1024];
  strncpy(buf, t, sizeof buf - 1);
  buf[sizeof buf - 1] = 0;
  char* save = NULL;
  for (char* e = strtok_r(buf, ";", &save); e; e = strtok_r(NULL, ";", &save)) {
    int x = -1, y = -1, l = 30, p = 0, n = 0;
    if (sscanf(e, "%d-%d:%d:%d:%d", &x, &y, &l, &p, &n) < 2) continue;
    if ((x == a && y == b) || (x == b && y == a)) {
      *level = l;
      *p2p = p;
      *nvlinks = n;
    }
  }
}

static int handle_index(struct fake_gpu* d) {
  for (int i = 0; i < fake_gpu_count; ++i)
    if (&fake_gpus[pci_order[i]] == d) return i;
  return -1;
}

nvmlReturn_t nvmlDeviceGetTopologyCommonAncestor(nvmlDevice_t a, nvmlDevice_t b, int* level) {
  int p, n;
  fake_link(handle_index(a), handle_index(b), level, &p, &n);
  return 0;
}

nvmlReturn_t nvmlDeviceGetP2PStatus(nvmlDevice_t a, nvmlDevice_t b, int caps, int* status) {
  int level, p, n;
  fake_link(handle_index(a), handle_index(b), &level, &p, &n);
  if (caps == 2) *status = n > 0 ? 0 : 5; /* NVLINK: NOT_SUPPORTED without links */
  else *status = p;
  return 0;
}

/* Links 0..n-1 of GPU a go to the first other GPU it has NVLinks with (enough for pairs). */
nvmlReturn_t nvmlDeviceGetNvLinkState(nvmlDevice_t d, unsigned link, int* active) {
  int me = handle_index(d), total = 0;
  for (int o = 0; o < fake_gpu_count; ++o) {
    int level, p, n;
    if (o == me) continue;
    fake_link(me, o, &level, &p, &n);
    total += n;
  }
  *active = (int)link < total ? 1 : 0;
  return 0;
}

nvmlReturn_t nvmlDeviceGetNvLinkRemotePciInfo_v2(nvmlDevice_t d, unsigned link, nvmlPciInfo_t* pci) {
  int me = handle_index(d), seen = 0;
  for (int o = 0; o < fake_gpu_count; ++o) {
    int level, p, n;
    if (o == me) continue;
    fake_link(me, o, &level, &p, &n);
    if ((int)link < seen + n) {
      unsigned dom = 0, bus = 0, dv = 0, fn = 0;
      sscanf(fake_gpus[pci_order[o]].bus, "%x:%x:%x.%x", &dom, &bus, &dv, &fn);
      memset(pci, 0, sizeof *pci);
      pci->domain = dom;
      pci->bus = bus;
      pci->device = dv;
      return 0;
    }
    seen += n;
  }
  return 3;
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
  *d = &fake_gpus[pci_order[i]];
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
