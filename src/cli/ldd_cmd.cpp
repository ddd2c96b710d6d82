// gpuenv ldd FILE: the dependency tree the dynamic loader builds for FILE,
// computed from the files with glibc's rules (like libtree), with the reason
// for every choice; -v lists the paths tried; --fatbin lists GPU code.
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <unistd.h>

#include "cli/cli.hpp"
#include "model/json.hpp"
#include "probe/libraries.hpp"
#include "probe/probes.hpp"
#include "util/strings.hpp"
#include "util/term.hpp"

namespace gpuenv {

namespace {

struct LddArgs {
  std::vector<std::string> files;
  int verbose = 0;
  bool json = false, fatbin = false, all = false;
  std::string root = "/";
};

int run_ldd(const LddArgs& a) {
  ProbeContext ctx{Fs(a.root), current_environment()};
  if (!ctx.fs.is_dir("/")) throw UsageError("--root " + a.root + " is not a directory");
  Snapshot s;
  probe_env(ctx, s);
  probe_host(ctx, s);
  auto cfg = loader_config(ctx, s);
  elf::Resolver r(ctx.fs, cfg);
  Json out = Json::array();
  bool missing = false;
  Style sty{should_color(1)};
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
    auto c = resolve_file(ctx, r, s, file, a.fatbin);
    for (auto& l : c.loads) missing |= l.path.empty() || !l.damage.empty();
    if (a.json) {
      out.push_back(c);
      continue;
    }
    // A tree like libtree's: children of a file are the steps it requested.
    std::map<std::string, std::vector<const Resolution*>> kids;
    for (auto& l : c.loads) kids[l.requested_by].push_back(&l);
    std::set<std::string> shown;
    std::function<void(const std::string&, const std::string&)> walk = [&](const std::string& parent,
                                                                            const std::string& indent) {
      auto& list = kids[parent];
      for (std::size_t i = 0; i < list.size(); ++i) {
        auto* l = list[i];
        bool last = i + 1 == list.size();
        bool system = !a.all && l->family.empty() &&
                      (l->reason == "ld.so.cache" || l->reason.starts_with("default path")) && !l->path.empty();
        if (l->reused && !a.all) continue;
        if (system && a.verbose == 0) continue;
        std::string branch = indent + (last ? "└── " : "├── ");
        std::string name = l->name;
        if (l->path.empty())
          std::printf("%s%s %s\n", branch.c_str(), sty.bold(name).c_str(),
                      sty.red("not found").c_str());
        else
          std::printf("%s%s %s [%s]%s\n", branch.c_str(), name.c_str(), l->path.c_str(), l->reason.c_str(),
                      l->version.empty() ? "" : (" " + l->version).c_str());
        if (a.verbose > 0 && (l->path.empty() || a.verbose > 1))
          for (auto& p : l->considered)
            std::printf("%s    tried %s\n", indent.c_str(), p.c_str());
        for (auto& sk : l->skipped) std::printf("%s    skipped %s\n", indent.c_str(), sk.c_str());
        if (!l->damage.empty())
          std::printf("%s    %s %s: the loader maps it and the process dies with SIGBUS\n", indent.c_str(),
                      sty.red("damaged:").c_str(), l->damage.c_str());
        if (!l->reused && !l->path.empty() && shown.insert(l->path).second)
          walk(l->path, indent + (last ? "    " : "│   "));
      }
    };
    std::printf("%s\n", sty.bold(file).c_str());
    walk(file, "");
    for (auto& k : c.kernels)
      std::printf("GPU code in %s: SASS %s; PTX %s%s\n", k.path.c_str(),
                  k.sass.empty() ? "none" : join(k.sass, " ").c_str(), k.ptx.empty() ? "none" : join(k.ptx, " ").c_str(),
                  k.error.empty() ? "" : (" (" + k.error + ")").c_str());
  }
  if (a.json) std::printf("%s\n", json_text(out).c_str());
  return missing ? kExitProblems : kExitOk;
}

}  // namespace

void add_ldd_command(Cli& cli) {
  auto args = std::make_shared<LddArgs>();
  auto* cmd = cli.add("ldd", "Show which file each needed library of FILE resolves to, and why (no code is run)",
                      [args] { return run_ldd(*args); });
  cmd->add_option("files", args->files, "ELF files (libraries or programs)")->required();
  cmd->add_flag("-v,--verbose", args->verbose, "-v: paths tried for missing libraries; -vv: for every library");
  cmd->add_flag("-a,--all", args->all, "also show libraries already loaded higher up and system libraries");
  cmd->add_flag("--fatbin", args->fatbin, "list the GPU code (SASS sm_XX, PTX compute_XX) of every file with any");
  cmd->add_flag("--json", args->json, "JSON: one consumer object per file (docs/schema.md, libraries.consumers)");
  cmd->add_option("--root", args->root, "inspect a mounted system image instead of / (its ld.so.cache, LD_LIBRARY_PATH from this shell)");
  cmd->footer(
      "Examples:\n"
      "  gpuenv ldd .venv/lib/python3.12/site-packages/torch/lib/libtorch_cuda.so\n"
      "  gpuenv ldd -v ./my_extension.so        # where did it look for what is missing?\n"
      "  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu gpuenv ldd libtorch_cuda.so   # what would change?\n"
      "  gpuenv ldd --fatbin libmykernels.so    # which GPUs can run it\n"
      "Reasons: RPATH/RUNPATH of the requesting file (with the entry), LD_LIBRARY_PATH, ld.so.cache, default path.\n"
      "Exit code 1 when a library is not found.");
}

}  // namespace gpuenv
