# The gpuenv package (flake.nix packages.default). Its inputs are the libraries CMakeLists.txt looks for; the
# version is the one of CMakeLists.txt's project() line, so the two cannot disagree.
{ lib
, stdenv
, cmake
, pkg-config
, autoAddDriverRunpath
, fmt
, cli11
, nlohmann_json
, rapidjson
, tomlplusplus
, elfutils
, zlib
, nettle
, commit ? "unknown"
}:

stdenv.mkDerivation {
  pname = "gpuenv";
  version = builtins.head (builtins.match ".*project\\(gpuenv VERSION ([0-9.]+) .*" (builtins.readFile ../CMakeLists.txt));

  src = lib.cleanSourceWith {
    src = ./..;
    # Not the build trees at the top (build/, build-*/) or the editor's files: they change on every build.
    filter = path: type:
      let rel = lib.removePrefix (toString ./.. + "/") (toString path);
      in !(type == "directory" && builtins.match "build[^/]*" rel != null) && lib.cleanSourceFilter path type;
  };

  # autoAddDriverRunpath puts /run/opengl-driver/lib into gpuenv's RUNPATH: on NixOS the driver probe finds
  # libcuda.so.1 and libnvidia-ml.so.1 there, as every Nix-built CUDA program does.
  nativeBuildInputs = [ cmake pkg-config autoAddDriverRunpath ];
  buildInputs = [ fmt cli11 nlohmann_json rapidjson tomlplusplus elfutils zlib nettle ];

  cmakeFlags = [
    "-DCMAKE_BUILD_TYPE=Release"
    "-DGPUENV_PORTABLE=OFF" # Nix links against the store's libraries; no static runtime needed
    "-DGPUENV_BUILD_TESTS=OFF"
    "-DGPUENV_BUILD_BENCH=OFF"
    "-DGPUENV_COMMIT=${commit}" # no .git in the build sandbox
  ];

  # No installPhase: CMake's install rules (cmake/packaging.cmake) put bin/gpuenv, sbin/gpuenv-healthcheck, the man
  # page and the bash/zsh/fish completions (made by the built gpuenv), share/gpuenv (direnv, deploy) and the docs
  # under $out, the layout of the .deb and .rpm.

  meta = {
    description = "Diagnoses NVIDIA GPU environments (driver, CUDA, frameworks) and writes ones that work";
    mainProgram = "gpuenv";
    platforms = [ "x86_64-linux" "aarch64-linux" ];
  };
}
