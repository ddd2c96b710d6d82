// A CUDA program as nvcc links it inside `nix develop`: DT_NEEDED libcudart.so.12 and a RUNPATH that names the
// Nix store's cuda_cudart but not /run/opengl-driver/lib (tests/CMakeLists.txt sets it). The fixtures
// nixos-runpath-lacks-driver and nix-built-no-driver-wrapper place it in a project's build directory.
int cudaGetDeviceCount(int* n);
int main(void) {
  int n = 0;
  return cudaGetDeviceCount(&n) == 0 ? 0 : 1;
}
