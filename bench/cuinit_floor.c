/* The least a program must do to talk to the GPU: load libcuda and call cuInit.
 * bench/doctor.sh measures gpuenv doctor against this. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  const char* lib = argc > 1 ? argv[1] : (getenv("GPUENV_LIBCUDA") ? getenv("GPUENV_LIBCUDA") : "libcuda.so.1");
  void* h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "cuinit_floor: %s\n", dlerror());
    return 2;
  }
  int (*cuInit)(unsigned) = (int (*)(unsigned))dlsym(h, "cuInit");
  if (!cuInit) return 2;
  return cuInit(0) == 0 ? 0 : 1;
}
