/* Linked into the old-glibc build only (GPUENV_OLD_GLIBC=ON, scripts/build-portable.sh): the static C++ runtime
 * and unwinder of this machine's GCC 12 were built against glibc 2.36 and call functions older C libraries lack.
 * Defined here, they bind to these definitions instead of versioned glibc symbols, so the binary needs no
 * GLIBC_ version above 2.28 (RHEL 8). Each one does what the caller needs, nothing more:
 *   arc4random (2.36): std::random_device's default source      -> getrandom(2)
 *   __libc_single_threaded (2.32): libstdc++'s atomics shortcut  -> 0, "maybe threads": always the atomic path
 *   _dl_find_object (2.35): the unwinder's FDE lookup (GCC 12 has no other path once it was built with it)
 *                           -> the same answer from dl_iterate_phdr: the object's mapped range and its
 *                              PT_GNU_EH_FRAME segment
 *   pthread_cond_clockwait (2.30): condition_variable::wait_until on steady_clock
 *                                  -> pthread_cond_timedwait with the deadline moved to CLOCK_REALTIME
 *   pthread_mutex_clocklock (2.30): timed_mutex on steady_clock -> the same conversion */
#define _GNU_SOURCE
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

uint32_t arc4random(void) {
  uint32_t v = 0;
  size_t got = 0;
  while (got < sizeof v) {
    long n = syscall(SYS_getrandom, (char*)&v + got, sizeof v - got, 0);
    if (n > 0) got += (size_t)n;
    else if (errno != EINTR) break;
  }
  return v;
}

char __libc_single_threaded = 0;

/* glibc 2.35's struct dl_find_object (x86_64 and aarch64: neither dlfo_eh_dbase nor dlfo_eh_count). */
struct dl_find_object {
  unsigned long long dlfo_flags;
  void* dlfo_map_start;
  void* dlfo_map_end;
  struct link_map* dlfo_link_map;
  void* dlfo_eh_frame;
  unsigned long long reserved[7];
};

struct find_pc {
  uintptr_t pc;
  struct dl_find_object* out;
  int found;
};

static int find_pc_in(struct dl_phdr_info* info, size_t size, void* data) {
  (void)size;
  struct find_pc* f = data;
  uintptr_t lo = UINTPTR_MAX, hi = 0, eh = 0;
  int inside = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)* ph = &info->dlpi_phdr[i];
    uintptr_t start = info->dlpi_addr + ph->p_vaddr, end = start + ph->p_memsz;
    if (ph->p_type == PT_LOAD) {
      if (start < lo) lo = start;
      if (end > hi) hi = end;
      if (f->pc >= start && f->pc < end) inside = 1;
    } else if (ph->p_type == PT_GNU_EH_FRAME) {
      eh = start;
    }
  }
  if (!inside) return 0;
  f->out->dlfo_flags = 0;
  f->out->dlfo_map_start = (void*)lo;
  f->out->dlfo_map_end = (void*)hi;
  f->out->dlfo_link_map = NULL;
  f->out->dlfo_eh_frame = (void*)eh;
  f->found = eh != 0;
  return 1;
}

int _dl_find_object(void* pc, struct dl_find_object* result) {
  struct find_pc f = {(uintptr_t)pc, result, 0};
  dl_iterate_phdr(find_pc_in, &f);
  return f.found ? 0 : -1;
}

static struct timespec to_realtime(clockid_t clock, const struct timespec* abstime) {
  if (clock == CLOCK_REALTIME) return *abstime;
  struct timespec now_c, now_r, out;
  clock_gettime(clock, &now_c);
  clock_gettime(CLOCK_REALTIME, &now_r);
  long long ns = (long long)(abstime->tv_sec - now_c.tv_sec) * 1000000000LL + (abstime->tv_nsec - now_c.tv_nsec);
  if (ns < 0) ns = 0;
  ns += (long long)now_r.tv_sec * 1000000000LL + now_r.tv_nsec;
  out.tv_sec = (time_t)(ns / 1000000000LL);
  out.tv_nsec = (long)(ns % 1000000000LL);
  return out;
}

int pthread_cond_clockwait(pthread_cond_t* cond, pthread_mutex_t* mutex, clockid_t clock, const struct timespec* abstime) {
  struct timespec rt = to_realtime(clock, abstime);
  return pthread_cond_timedwait(cond, mutex, &rt);
}

int pthread_mutex_clocklock(pthread_mutex_t* mutex, clockid_t clock, const struct timespec* abstime) {
  struct timespec rt = to_realtime(clock, abstime);
  return pthread_mutex_timedlock(mutex, &rt);
}
