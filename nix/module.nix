# NixOS module of the gpuenv flake (nixosModules.default): gpuenv on every user's PATH, part of the system
# closure (never garbage-collected while the system generation exists).
self:
{ config, lib, pkgs, ... }:

let
  cfg = config.programs.gpuenv;
in
{
  options.programs.gpuenv = {
    enable = lib.mkEnableOption "gpuenv, the GPU environment doctor";
    package = lib.mkOption {
      type = lib.types.package;
      default = self.packages.${pkgs.stdenv.hostPlatform.system}.gpuenv;
      defaultText = lib.literalExpression "gpuenv.packages.\${system}.gpuenv";
      description = "The gpuenv package to install.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [ cfg.package ];
  };
}
