# NixOS module of the gpuenv flake (nixosModules.default), docs/nix.md "gpuenv on NixOS":
#   programs.gpuenv.enable                 gpuenv on every user's PATH, part of the system closure (never
#                                          garbage-collected while the system generation exists)
#   programs.gpuenv.prometheus.enable      a timer that writes `gpuenv doctor --format prometheus` into a directory
#                                          for node_exporter's textfile collector (docs/fleet.md)
#   programs.gpuenv.slurmHealthCheck.enable  gpuenv as slurmd's HealthCheckProgram: drains a node whose GPU stack
#                                          fails a check, resumes it once it passes (docs/fleet.md)
# Options it sets, from nixpkgs: nixos/modules/config/system-path.nix (environment.systemPackages),
# nixos/modules/system/boot/systemd.nix (systemd.services, systemd.timers), nixos/modules/system/boot/systemd/
# tmpfiles.nix (systemd.tmpfiles.rules), nixos/modules/services/computing/slurm/slurm.nix (services.slurm.extraConfig,
# lines appended to slurm.conf).
self:
{ config, lib, pkgs, ... }:

let
  cfg = config.programs.gpuenv;
  gpuenv = "${cfg.package}/bin/gpuenv";
  # slurmd runs HealthCheckProgram without arguments and without the PATH of its service, and NixOS's scontrol finds
  # slurm.conf only through its wrapper (SLURM_CONF), which the slurm module puts into the system path.
  healthCheck = pkgs.writeShellScript "gpuenv-healthcheck" ''
    exec ${gpuenv} slurm healthcheck --timeout 20 --scontrol /run/current-system/sw/bin/scontrol ${lib.escapeShellArgs cfg.slurmHealthCheck.extraArgs} "$@"
  '';
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

    prometheus = {
      enable = lib.mkEnableOption "a systemd timer that writes gpuenv's findings as Prometheus metrics (textfile collector)";
      directory = lib.mkOption {
        type = lib.types.str;
        default = "/var/lib/gpuenv/textfile";
        description = ''
          Directory of gpuenv.prom. Point node_exporter's textfile collector at it:
          services.prometheus.exporters.node.extraFlags = [ "--collector.textfile.directory=<this directory>" ].
        '';
      };
      interval = lib.mkOption {
        type = lib.types.str;
        default = "5min";
        description = "How often the metrics are written (systemd.time(7) span, OnUnitActiveSec).";
      };
    };

    slurmHealthCheck = {
      enable = lib.mkEnableOption "gpuenv as Slurm's HealthCheckProgram on this node (services.slurm.client)";
      interval = lib.mkOption {
        type = lib.types.ints.positive;
        default = 300;
        description = "HealthCheckInterval: seconds between two runs of the health check.";
      };
      nodeState = lib.mkOption {
        type = lib.types.str;
        default = "ANY";
        description = "HealthCheckNodeState: the node states in which the check runs (slurm.conf(5)).";
      };
      extraArgs = lib.mkOption {
        type = lib.types.listOf lib.types.str;
        default = [ ];
        example = [ "--strict" "--skip" "python.*" ];
        description = "Options added to `gpuenv slurm healthcheck` (gpuenv slurm healthcheck --help).";
      };
    };
  };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    { environment.systemPackages = [ cfg.package ]; }

    (lib.mkIf cfg.prometheus.enable {
      systemd.tmpfiles.rules = [ "d ${cfg.prometheus.directory} 0755 root root -" ];
      systemd.services.gpuenv-prometheus = {
        description = "gpuenv doctor: GPU stack metrics for node_exporter";
        serviceConfig = {
          Type = "oneshot";
          # Exit code 1 means problems were found and written as metrics: a success for this unit.
          ExecStart = "${gpuenv} doctor --format prometheus -o ${cfg.prometheus.directory}/gpuenv.prom";
          SuccessExitStatus = "1";
        };
      };
      systemd.timers.gpuenv-prometheus = {
        wantedBy = [ "timers.target" ];
        timerConfig = {
          OnBootSec = "1min";
          OnUnitActiveSec = cfg.prometheus.interval;
        };
      };
    })

    (lib.mkIf cfg.slurmHealthCheck.enable {
      services.slurm.extraConfig = ''
        HealthCheckProgram=${healthCheck}
        HealthCheckInterval=${toString cfg.slurmHealthCheck.interval}
        HealthCheckNodeState=${cfg.slurmHealthCheck.nodeState}
      '';
    })
  ]);
}
