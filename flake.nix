# gpuenv as a Nix flake (docs/nix.md, "gpuenv on NixOS: the package and the module"):
#   nix run github:OWNER/gpuenv -- doctor          run it once
#   nix profile install .                          from a clone: on PATH, kept by the profile (a GC root)
#                                                  (`nix profile add .` on Nix 2.30 and newer; Lix has only install)
#   imports = [ gpuenv.nixosModules.default ]; programs.gpuenv.enable = true;   in a flake-based NixOS config
#     (programs.gpuenv.prometheus.enable, programs.gpuenv.slurmHealthCheck.enable: the exporter timer, the Slurm check)
{
  description = "gpuenv: finds why a GPU program does not see the GPU, and writes the environment that does";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forEachSystem = f: nixpkgs.lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});
    in
    {
      packages = forEachSystem (system: pkgs: rec {
        gpuenv = pkgs.callPackage ./nix/package.nix { commit = self.shortRev or self.dirtyShortRev or "unknown"; };
        default = gpuenv;
      });

      apps = forEachSystem (system: pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${system}.gpuenv}/bin/gpuenv";
        };
      });

      nixosModules.default = import ./nix/module.nix self;
    };
}
