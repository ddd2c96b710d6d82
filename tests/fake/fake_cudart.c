// A stand-in libcudart.so.12: only its SONAME matters (fake_nix_cuda_app needs it).
int cudaGetDeviceCount(int* n) {
  *n = 0;
  return 100;  // cudaErrorNoDevice
}
