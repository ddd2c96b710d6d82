/* Shared by the fake libcuda and NVML: the GPU list comes from FAKE_GPUS,
 * "name,cc,memMiB,uuid,busid[,mig];..." (default: one H100 as on the real test machine). */
#ifndef FAKE_GPUS_H
#define FAKE_GPUS_H
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fake_gpu {
  char name[128];
  int cc_major, cc_minor;
  unsigned long long mem_mib;
  char uuid[80];
  char bus[32];
  int mig;
};

#define FAKE_MAX_GPUS 16
static struct fake_gpu fake_gpus[FAKE_MAX_GPUS];
static int fake_gpu_count = -1;

static void fake_load_gpus(void) {
  if (fake_gpu_count >= 0) return;
  const char* spec = getenv("FAKE_GPUS");
  if (!spec) spec = "NVIDIA H100 80GB HBM3,9.0,81559,GPU-429eff51-749c-e5e9-9697-26a010359571,0000:00:06.0,0";
  fake_gpu_count = 0;
  char buf[4096];
  strncpy(buf, spec, sizeof buf - 1);
  buf[sizeof buf - 1] = 0;
  char* save = NULL;
  for (char* dev = strtok_r(buf, ";", &save); dev && fake_gpu_count < FAKE_MAX_GPUS; dev = strtok_r(NULL, ";", &save)) {
    struct fake_gpu* g = &fake_gpus[fake_gpu_count];
    memset(g, 0, sizeof *g);
    g->mig = -1;
    char* f[6] = {0};
    int n = 0;
    char* s2 = NULL;
    for (char* p = strtok_r(dev, ",", &s2); p && n < 6; p = strtok_r(NULL, ",", &s2)) f[n++] = p;
    if (n < 5) continue;
    strncpy(g->name, f[0], sizeof g->name - 1);
    sscanf(f[1], "%d.%d", &g->cc_major, &g->cc_minor);
    g->mem_mib = strtoull(f[2], NULL, 10);
    strncpy(g->uuid, f[3], sizeof g->uuid - 1);
    strncpy(g->bus, f[4], sizeof g->bus - 1);
    if (n > 5) g->mig = atoi(f[5]);
    fake_gpu_count++;
  }
}

/* FAKE_<lib>_CRASH=stage crashes, FAKE_<lib>_HANG=stage hangs, FAKE_<lib>_EXIT=stage calls exit(3). */
static void fake_stage(const char* crash_var, const char* hang_var, const char* exit_var, const char* stage) {
  const char* c = getenv(crash_var);
  if (c && strcmp(c, stage) == 0) {
    volatile int* p = NULL;
    *p = 1; /* a real SIGSEGV */
    raise(SIGSEGV);
  }
  const char* h = getenv(hang_var);
  if (h && strcmp(h, stage) == 0)
    for (;;) pause();
  const char* e = getenv(exit_var);
  if (e && strcmp(e, stage) == 0) exit(3);
}

static int fake_env_int(const char* name, int def) {
  const char* v = getenv(name);
  return v && *v ? atoi(v) : def;
}
#endif
