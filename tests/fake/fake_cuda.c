/* A stand-in for libcuda.so.1 for tests. Behaviour from the environment:
 *   FAKE_CUDA_VERSION   cuDriverGetVersion result (default 13000)
 *   FAKE_CUDA_INIT      cuInit return code (default 0; 34 = stub, 803 = mismatch, ...)
 *   FAKE_CUDA_CRASH / FAKE_CUDA_HANG / FAKE_CUDA_EXIT = load|version|init|devices
 *   FAKE_GPUS           the device list (fake_gpus.h)
 * CUDA_VISIBLE_DEVICES is applied the way the real driver does: indices or
 * GPU-UUID prefixes, stopping at the first invalid entry. */
#include <stddef.h>

#include "fake_gpus.h"

typedef int CUresult;
typedef int CUdevice;

static int visible[FAKE_MAX_GPUS];
static int visible_count = 0;
static int initialised = 0;

__attribute__((constructor)) static void fake_cuda_load(void) {
  fake_stage("FAKE_CUDA_CRASH", "FAKE_CUDA_HANG", "FAKE_CUDA_EXIT", "load");
}

/* CUDA's numbering before CUDA_VISIBLE_DEVICES: FAKE_GPUS order (standing for fastest first), or PCI bus
 * order with CUDA_DEVICE_ORDER=PCI_BUS_ID. */
static int order[FAKE_MAX_GPUS];

static int order_count = 0;

/* FAKE_CUDA_HIDE=bus: a GPU that NVML lists but CUDA cannot use (a GPU in an error state). */
static void apply_device_order(void) {
  const char* hide = getenv("FAKE_CUDA_HIDE");
  order_count = 0;
  for (int i = 0; i < fake_gpu_count; ++i)
    if (!hide || strcmp(hide, fake_gpus[i].bus) != 0) order[order_count++] = i;
  const char* o = getenv("CUDA_DEVICE_ORDER");
  if (!o || strcmp(o, "PCI_BUS_ID") != 0) return;
  for (int i = 1; i < order_count; ++i)
    for (int j = i; j > 0 && strcmp(fake_gpus[order[j]].bus, fake_gpus[order[j - 1]].bus) < 0; --j) {
      int t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
}

static void apply_visible_devices(void) {
  fake_load_gpus();
  apply_device_order();
  const char* cvd = getenv("CUDA_VISIBLE_DEVICES");
  visible_count = 0;
  if (!cvd) {
    for (int i = 0; i < order_count; ++i) visible[visible_count++] = order[i];
    return;
  }
  char buf[1024];
  strncpy(buf, cvd, sizeof buf - 1);
  buf[sizeof buf - 1] = 0;
  char* save = NULL;
  for (char* tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    while (*tok == ' ') tok++;
    int idx = -1;
    if (strncmp(tok, "GPU-", 4) == 0) {
      for (int i = 0; i < fake_gpu_count; ++i)
        if (strncmp(fake_gpus[i].uuid, tok, strlen(tok)) == 0) idx = i;
    } else {
      char* end = NULL;
      long v = strtol(tok, &end, 10);
      if (end != tok && *end == 0 && v >= 0 && v < order_count) idx = order[v];
    }
    if (idx < 0) break;
    visible[visible_count++] = idx;
  }
}

CUresult cuDriverGetVersion(int* v) {
  fake_stage("FAKE_CUDA_CRASH", "FAKE_CUDA_HANG", "FAKE_CUDA_EXIT", "version");
  if (!v) return 1;
  *v = fake_env_int("FAKE_CUDA_VERSION", 13000);
  return 0;
}

CUresult cuInit(unsigned flags) {
  (void)flags;
  fake_stage("FAKE_CUDA_CRASH", "FAKE_CUDA_HANG", "FAKE_CUDA_EXIT", "init");
  int r = fake_env_int("FAKE_CUDA_INIT", 0);
  if (r != 0) return r;
  apply_visible_devices();
  if (visible_count == 0) return 100; /* CUDA_ERROR_NO_DEVICE */
  initialised = 1;
  return 0;
}

static const char* names[][2] = {
    {"0", "CUDA_SUCCESS"},
    {"3", "CUDA_ERROR_NOT_INITIALIZED"},
    {"34", "CUDA_ERROR_STUB_LIBRARY"},
    {"46", "CUDA_ERROR_DEVICE_UNAVAILABLE"},
    {"100", "CUDA_ERROR_NO_DEVICE"},
    {"304", "CUDA_ERROR_OPERATING_SYSTEM"},
    {"802", "CUDA_ERROR_SYSTEM_NOT_READY"},
    {"803", "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"},
    {"804", "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE"},
    {"999", "CUDA_ERROR_UNKNOWN"},
};

CUresult cuGetErrorName(CUresult e, const char** out) {
  /* The toolkit's stub answers every call, this one included, with 34. */
  if (getenv("FAKE_CUDA_NO_ERROR_NAMES")) return 34;
  char code[16];
  snprintf(code, sizeof code, "%d", e);
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i)
    if (strcmp(names[i][0], code) == 0) {
      *out = names[i][1];
      return 0;
    }
  return 1;
}

CUresult cuGetErrorString(CUresult e, const char** out) {
  static char buf[64];
  snprintf(buf, sizeof buf, "fake libcuda error %d", e);
  *out = buf;
  return 0;
}

CUresult cuDeviceGetCount(int* n) {
  fake_stage("FAKE_CUDA_CRASH", "FAKE_CUDA_HANG", "FAKE_CUDA_EXIT", "devices");
  if (!initialised) return 3;
  *n = visible_count;
  return 0;
}

CUresult cuDeviceGet(CUdevice* d, int ordinal) {
  if (!initialised) return 3;
  if (ordinal < 0 || ordinal >= visible_count) return 101;
  *d = ordinal;
  return 0;
}

static struct fake_gpu* dev(CUdevice d) { return (d >= 0 && d < visible_count) ? &fake_gpus[visible[d]] : NULL; }

CUresult cuDeviceGetName(char* name, int len, CUdevice d) {
  struct fake_gpu* g = dev(d);
  if (!g) return 101;
  snprintf(name, (size_t)len, "%s", g->name);
  return 0;
}

CUresult cuDeviceGetAttribute(int* v, int attr, CUdevice d) {
  struct fake_gpu* g = dev(d);
  if (!g) return 101;
  if (attr == 75) *v = g->cc_major;
  else if (attr == 76) *v = g->cc_minor;
  else *v = 0;
  return 0;
}

CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice d) {
  struct fake_gpu* g = dev(d);
  if (!g) return 101;
  *bytes = (size_t)g->mem_mib * 1024 * 1024;
  return 0;
}

CUresult cuDeviceGetUuid(unsigned char* u, CUdevice d) {
  struct fake_gpu* g = dev(d);
  if (!g) return 101;
  /* "GPU-429eff51-749c-e5e9-9697-26a010359571" -> 16 bytes */
  const char* p = g->uuid + 4;
  int n = 0;
  while (*p && n < 16) {
    if (*p == '-') {
      p++;
      continue;
    }
    unsigned v = 0;
    sscanf(p, "%2x", &v);
    u[n++] = (unsigned char)v;
    p += 2;
  }
  return 0;
}

CUresult cuDeviceGetPCIBusId(char* bus, int len, CUdevice d) {
  struct fake_gpu* g = dev(d);
  if (!g) return 101;
  snprintf(bus, (size_t)len, "%s", g->bus);
  return 0;
}
