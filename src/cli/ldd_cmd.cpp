// gpuenv ldd FILE: the dependency tree the dynamic loader builds for FILE,
// computed from the files with glibc's rules (like libtree), with the reason
// for every choice; -v lists the paths tried; --fatbin lists GPU code.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>

#include "app/inputs.hpp"
#include "cli/cli.hpp"
#include "probe/driver_probe.hpp"
#include "probe/libraries.hpp"
#include "probe/probes.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

namespace gpuenv {

namespace {

struct LddArgs {
  std::vector<std::string> files;
  int verbose = 0;
  FormatArgs format;
  bool fatbin = false, all = false;
  std::vector<std::string> cc;  // --cc: judge the GPU code for these capabilities instead of the machine's GPUs
  std::string root = "/";
};

// The GPUs --fatbin judges for: --cc, else the ones the driver probe finds (started by the caller).
void ldd_gpus(const LddArgs& a, DriverProbe* driver, LddReport& report) {
  for (auto& list : a.cc)
    for (auto& c : split(list, ',', false)) {
      auto cc = ComputeCapability::parse(trim(c));
      if (!cc) throw UsageError("--cc " + c + ": not a compute capability (X.Y, e.g. 9.0)");
      report.gpus.push_back({"--cc " + cc->str(), *cc});
    }
  if (!a.cc.empty()) return;
  if (!driver) {
    report.no_gpu_reason = "the driver is not probed under --root";
    return;
  }
  Snapshot s;
  driver->finish(s);
  for (auto& d : s.cuda.devices)
    if (d.cc_major) report.gpus.push_back({"GPU " + std::to_string(d.index) + " " + d.name, {d.cc_major, d.cc_minor}});
  if (report.gpus.empty())
    for (auto& d : s.nvml.devices)
      if (d.cc_major) report.gpus.push_back({"GPU " + std::to_string(d.index) + " " + d.name, {d.cc_major, d.cc_minor}});
  if (report.gpus.empty()) report.no_gpu_reason = "the driver reports no GPU on this machine";
}

int run_ldd(const LddArgs& a) {
  Format format = a.format.resolve();
  ProbeContext ctx{Fs(a.root), current_environment()};
  if (!ctx.fs.is_dir("/")) throw UsageError("--root " + a.root + " is not a directory");
  // --fatbin: the driver finds the GPUs while the files are read (under --root only with GPUENV_LIBCUDA).
  std::unique_ptr<DriverProbe> driver;
  if (a.fatbin && a.cc.empty()) {
    auto opts = snapshot_options(a.root, ctx.env, DriverInputs{}).driver;
    if (opts.enabled) {
      driver = std::make_unique<DriverProbe>();
      driver->start(opts);
    }
  }
  Snapshot s;
  probe_env(ctx, s);
  probe_host(ctx, s);
  elf::Resolver r(ctx.fs, loader_config(ctx, s));
  std::optional<elf::Resolver> other;  // for files of the other machine (resolver_for_file)
  RenderOptions o;
  o.style.color = should_color(1);
  o.verbosity = a.verbose;
  LddReport report;  // JSON: every file at the end; text: each file's tree as soon as it is resolved
  report.all = a.all;
  report.fatbin = a.fatbin;
  if (a.fatbin) ldd_gpus(a, driver.get(), report);
  bool unrunnable = false;
  bool missing = false;
  for (auto& file0 : a.files) {
    std::string file = file0;
    if (!file.starts_with("/")) {
      char cwd[4096];
      if (getcwd(cwd, sizeof cwd)) file = normalize_path(std::string(cwd) + "/" + file);
    }
    auto st = ctx.fs.stat(file);
    if (st.kind == FileKind::Missing) throw UsageError(file0 + ": no such file");
    auto info = elf::read_elf(ctx.fs, file);
    if (!info) throw UsageError(info.error());
    auto c = resolve_file(ctx, resolver_for_file(ctx, s, r, file, other), s, file, a.fatbin);
    for (auto& l : c.loads) missing |= l.path.empty() || !l.damage.empty();
    auto verdicts = judge_fatbins(c.kernels, report.gpus);
    report.files.push_back({file, std::move(c), std::move(verdicts)});
    unrunnable |= report.any_unrunnable();
    if (format == Format::Text) {
      std::fputs(render(report, format, o).c_str(), stdout);
      report.files.clear();
    }
  }
  if (format == Format::Json) std::fputs(render(report, format, o).c_str(), stdout);
  return missing || unrunnable ? kExitProblems : kExitOk;
}

}  // namespace

void add_ldd_command(Cli& cli) {
  auto args = std::make_shared<LddArgs>();
  auto* cmd = cli.add("ldd", "Show which file each needed library of FILE resolves to, and why (no code is run)",
                      [args] { return run_ldd(*args); });
  cmd->add_option("files", args->files, "ELF files (libraries or programs)")->required();
  cmd->add_flag("-v,--verbose", args->verbose, "-v: paths tried for missing libraries; -vv: for every library");
  cmd->add_flag("-a,--all", args->all, "also show libraries already loaded higher up and system libraries");
  cmd->add_flag("--fatbin", args->fatbin,
                "list the GPU code (SASS sm_XX, PTX compute_XX) of every file with any, and whether this machine's GPUs can run it");
  cmd->add_option("--cc", args->cc, "with --fatbin: judge for this compute capability (9.0; a list: 8.0,9.0) instead of this machine's GPUs");
  add_format_options(cmd, args->format, ReportKind::Ldd, "JSON: one consumer object per file (docs/schema.md, libraries.consumers)");
  cmd->add_option("--root", args->root, "inspect a mounted system image instead of / (its ld.so.cache, LD_LIBRARY_PATH from this shell)");
  cmd->footer(
      "Examples:\n"
      "  gpuenv ldd .venv/lib/python3.12/site-packages/torch/lib/libtorch_cuda.so\n"
      "  gpuenv ldd -v ./my_extension.so        # where did it look for what is missing?\n"
      "  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu gpuenv ldd libtorch_cuda.so   # what would change?\n"
      "  gpuenv ldd --fatbin libmykernels.so    # can this machine's GPUs run it?\n"
      "  gpuenv ldd --fatbin --cc 8.0 libmykernels.so   # ... an A100?\n"
      "Reasons: RPATH/RUNPATH of the requesting file (with the entry), LD_LIBRARY_PATH, ld.so.cache, default path.\n"
      "Exit code 1 when a library is not found, or (--fatbin) when a GPU can run none of a file's code.");
}

}  // namespace gpuenv
