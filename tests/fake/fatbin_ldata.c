// A library that keeps its GPU code outside .nv_fatbin, the way libcufft.so.12 keeps most of its fatbins in
// .ldata (the x86-64 large-data section): the containers of tests/data/k2.nv_fatbin (nvcc 13.0: SASS sm_100f
// sm_120a, PTX compute_90a compute_100f) in .ldata, and a CUDA runtime wrapper (magic 0x466243B1) in
// .nvFatBinSegment pointing at them. No .nv_fatbin section. tests/CMakeLists.txt names the data file.
#ifndef GPUENV_K2_FATBIN
#define GPUENV_K2_FATBIN "tests/data/k2.nv_fatbin"
#endif

__asm__(".section .ldata,\"aw\",@progbits\n"
        ".balign 16\n"
        ".globl gpuenv_fatbin_in_ldata\n"
        "gpuenv_fatbin_in_ldata:\n"
        ".incbin \"" GPUENV_K2_FATBIN "\"\n"
        ".previous\n");

extern const unsigned char gpuenv_fatbin_in_ldata[];

struct fatbin_wrapper {
  int magic;
  int version;
  const void* data;
  const void* filename_or_fatbins;
};

__attribute__((section(".nvFatBinSegment"), used, aligned(8))) struct fatbin_wrapper gpuenv_fatbin_wrapper = {
    0x466243B1, 1, gpuenv_fatbin_in_ldata, 0};

const void* gpuenv_fatbin(void) { return gpuenv_fatbin_wrapper.data; }
