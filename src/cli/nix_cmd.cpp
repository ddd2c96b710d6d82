// gpuenv nix shell|flake|system: Nix files for the detected machine (src/nix/generate.cpp does the work).
#include <unistd.h>

#include <cstdio>

#include "build_info.hpp"
#include "app/activation.hpp"
#include "cli/cli.hpp"
#include "nix/generate.hpp"
#include "probe/snapshot.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

struct NixArgs {
  DoctorInputs in;
  std::string spec;
  std::string output;
  bool force = false;
  bool container_toolkit = false;
  bool tensorrt = false;
  std::string branch;
  std::string release;
  bool allow_eol = false;
  bool cuda_capabilities = false;
  std::string today;  // --today (hidden): the date end of support is compared with, for tests
};



using Renderer = Result<std::string> (*)(const Spec&, const Snapshot&, const Knowledge&, const nix::Options&);

// "dir/flake.nix" -> "dir/", "flake.nix" -> "".
std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

int generate(const NixArgs& a, const char* default_file, Renderer render, const char* next) {
  Spec spec = spec_for_command(a.spec);
  std::string out = a.output.empty() ? default_file : a.output;
  Fs fs;
  if (out != "-" && fs.exists(out)) {
    // Replacing is a rename onto the path: never onto a device (/dev/null), a directory or a pipe.
    if (fs.lstat(out).kind != FileKind::Regular)
      throw UsageError(out + " is not a regular file; -o - writes to stdout");
    if (!a.force) throw UsageError(out + " exists; pass --force to replace it, or -o FILE (-o - for stdout)");
  }
  DoctorInputs in = a.in;
  in.only = {"gpu.*"};  // the facts are what matters here; run as few checks as possible
  in.spec = FoundSpec{spec.path.empty() ? std::nullopt : std::optional<Spec>(spec), ""};
  auto run = run_doctor_pipeline_here(in);
  nix::Options o;
  o.version = GPUENV_VERSION;
  o.container_toolkit = a.container_toolkit;
  o.tensorrt = a.tensorrt;
  o.nixpkgs_branch = a.branch;
  o.nixos_release = a.release;
  o.allow_eol = a.allow_eol;
  o.cuda_capabilities = a.cuda_capabilities;
  o.today = !a.today.empty() ? a.today : utc_now_iso8601().substr(0, 10);  // for the end of support of releases
  // The release a flake.lock already pins: next to the flake being written, or /etc/nixos's for the system module.
  // (A saved snapshot is from another machine: its /etc/nixos is not this one's.)
  std::string lock = render == nix::render_flake                       ? dir_of(out == "-" ? "" : out) + "flake.lock"
                     : render == nix::render_system && a.in.from.empty() ? std::string("/etc/nixos/flake.lock")
                                                                         : std::string();
  Fs lock_fs(render == nix::render_system ? a.in.root : "/");
  if (!lock.empty() && a.release.empty() && a.branch.empty())
    if (auto text = lock_fs.read_opt(lock); text && !nix::nixpkgs_branch_of_lock(*text).empty()) {
      o.lock_branch = nix::nixpkgs_branch_of_lock(*text);
      o.lock_file = lock;
    }
  std::vector<std::string> warnings;
  o.warnings = &warnings;
  auto text = render(spec, run.snap, Knowledge::get(), o);
  if (!text) throw UsageError(text.error());
  for (auto& w : warnings) std::fprintf(stderr, "gpuenv: warning: %s\n", w.c_str());
  write_output(out, *text);
  if (out != "-") std::fprintf(stderr, "gpuenv: wrote %s; next: %s\n", out.c_str(), next);
  return kExitOk;
}

void add_common(CLI::App* cmd, NixArgs& a, const char* default_file) {
  cmd->add_option("--from", a.in.from, "Use a saved snapshot (doctor --json output; - for stdin) instead of probing");
  cmd->add_option("--spec", a.spec, "The gpuenv.toml to follow (default: found by walking up from here)");
  cmd->add_option("-o,--output", a.output, std::string("Write to FILE (default ") + default_file + "; - for stdout)");
  cmd->add_flag("--force", a.force, "Replace the output file when it exists");
  cmd->add_option("--root", a.in.root, "Read files under DIR instead of / (fixture trees)")->group("");
  cmd->add_option("--timeout", a.in.driver.timeout, "Seconds to wait for the driver probe (default 5)");
  cmd->add_flag("--no-driver", a.in.driver.no_driver, "Do not load the user-space driver (GPUs from PCI IDs only)");
  cmd->add_option("--nixos-release", a.release,
                  "Write for this NixOS release (26.05, unstable; default: the snapshot's for shell and system, "
                  "the current one for a flake)");
  cmd->add_flag("--allow-eol", a.allow_eol, "Write for a NixOS release past its end of support");
  cmd->add_option("--today", a.today, "Compare end of support with this date (YYYY-MM-DD), not today's")->group("");
  cmd->add_flag("--cuda-capabilities", a.cuda_capabilities,
                "Build CUDA code for this machine's GPUs only (config.cudaCapabilities): no binary cache has it, "
                "torch and friends build for hours");
}

}  // namespace

void add_nix_command(Cli& cli) {
  auto* nix = cli.app.add_subcommand(
      "nix",
      "Write shell.nix, flake.nix or a NixOS module for this machine's GPUs and gpuenv.toml.\n\n"
      "  gpuenv nix shell    shell.nix: python3XX.withPackages with the spec's frameworks, CUDA for this machine's GPUs\n"
      "  gpuenv nix flake    flake.nix: the same devShell for x86_64-linux and aarch64-linux, nixpkgs pinned\n"
      "                     to the current NixOS release, with the CUDA binary cache in nixConfig\n"
      "  gpuenv nix system   nixos-gpu.nix: driver, kernel module flavour and driver branch for these GPUs\n\n"
      "Every choice carries a comment saying why; the header names the gpuenv version and the snapshot facts used.");
  nix->require_subcommand(1);

  static NixArgs shell, flake, sys;
  auto* s = nix->add_subcommand(
      "shell",
      "Write shell.nix for this machine's GPUs and gpuenv.toml. The frameworks go into one\n"
      "python3XX.withPackages interpreter (nothing on PYTHONPATH); nixpkgs config sets allowUnfree and\n"
      "cudaSupport (cudaCapabilities only with --cuda-capabilities: builds from source). Written for the\n"
      "host's NixOS release; one past its end of support is refused unless --allow-eol.\n\n"
      "Examples:\n"
      "  gpuenv nix shell && nix-shell\n"
      "  gpuenv doctor --json > snap.json; gpuenv nix shell --from snap.json -o -");
  cli.actions[s] = [] { return generate(shell, "shell.nix", nix::render_shell, "nix-shell"); };
  add_common(s, shell, "shell.nix");

  auto* f = nix->add_subcommand(
      "flake",
      "Write flake.nix: the shell as devShells for x86_64-linux and aarch64-linux, nixpkgs pinned to\n"
      "the current NixOS release (or --nixos-release / --nixpkgs BRANCH), the CUDA binary cache in nixConfig.\n\n"
      "Examples:\n"
      "  gpuenv nix flake && git add flake.nix && nix develop");
  cli.actions[f] = [] { return generate(flake, "flake.nix", nix::render_flake, "git add flake.nix && nix develop"); };
  add_common(f, flake, "flake.nix");
  f->add_option("--nixpkgs", flake.branch,
                "nixpkgs branch to pin (default: nixos-<current release>)");

  auto* y = nix->add_subcommand(
      "system",
      "Write a NixOS module (nixos-gpu.nix) with the driver for these GPUs: graphics, the nvidia video\n"
      "driver, the open or proprietary kernel module and the driver branch that supports every GPU, as\n"
      "the host's NixOS release names it; the data-center driver and fabric manager on NVSwitch boards;\n"
      "the CUDA binary cache as a substituter.\n\n"
      "Examples:\n"
      "  gpuenv nix system && sudo cp nixos-gpu.nix /etc/nixos/   (then add it to imports)\n"
      "  gpuenv nix system --container-toolkit --tensorrt --from gpu-node.json -o -");
  cli.actions[y] = [] {
    return generate(sys, "nixos-gpu.nix", nix::render_system,
                    "add ./nixos-gpu.nix to imports in configuration.nix, then sudo nixos-rebuild switch");
  };
  add_common(y, sys, "nixos-gpu.nix");
  y->add_flag("--container-toolkit", sys.container_toolkit, "Also enable the NVIDIA container toolkit (CDI)");
  y->add_flag("--tensorrt", sys.tensorrt, "Also install TensorRT from cudaPackages");
}

}  // namespace gpuenv
