// Nix facts (docs/schema.md, "nix"): CUDA programs and libraries among the current project's build outputs, and
// the driver wrappers (nixGL, nix-gl-host) on PATH.
//
// Files inspected, directly in each directory (no recursion), at most kMaxFiles in all: $PWD, $PWD/build,
// $PWD/build/bin, $PWD/build/lib, $PWD/bin, $PWD/result/bin and $PWD/result/lib (nix-build's output link).
// A file counts as a CUDA user when a DT_NEEDED entry is a CUDA library (libraries.toml families) or it carries
// a .nv_fatbin section (nvcc links cudart statically by default and then loads libcuda.so.1 by name).
#include <algorithm>
#include <cstdint>

#include "elf/elf_file.hpp"
#include "knowledge/knowledge.hpp"
#include "probe/probes.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {
constexpr size_t kMaxFiles = 400;
constexpr std::uint64_t kMaxSize = 2ull << 30;
const char* const kBuildDirs[] = {"", "/build", "/build/bin", "/build/lib", "/bin", "/result/bin", "/result/lib"};
const char* const kWrappers[] = {"nixGL", "nixGLNvidia", "nixGLDefault", "nixglhost"};
}  // namespace

void probe_nix(const ProbeContext& ctx, Snapshot& s) {
  auto& n = s.nix;
  if (auto* path = ctx.getenv("PATH"))
    for (auto& dir : split(*path, ':', false))
      for (auto* w : kWrappers) {
        auto p = path_join(dir, w);
        if (ctx.fs.stat(p).kind == FileKind::Regular && std::find(n.wrappers.begin(), n.wrappers.end(), p) == n.wrappers.end())
          n.wrappers.push_back(p);
      }

  auto* pwd = ctx.getenv("PWD");
  if (!pwd || pwd->empty() || !pwd->starts_with('/')) return;
  n.project_dir = normalize_path(*pwd);
  // A project directory that is / or a system directory would mean reading system files: not a project.
  if (n.project_dir == "/" || n.project_dir == "/usr" || n.project_dir.starts_with("/nix/store")) return;
  const auto& know = Knowledge::get();
  size_t seen = 0;
  for (auto* sub : kBuildDirs) {
    std::string dir = n.project_dir + sub;
    if (!ctx.fs.is_dir(dir)) continue;
    n.inspected_dirs.push_back(dir);
    for (auto& name : ctx.fs.list(dir)) {
      if (seen >= kMaxFiles) break;
      std::string p = path_join(dir, name);
      auto st = ctx.fs.stat(p);
      if (st.kind != FileKind::Regular || st.size < 64 || st.size > kMaxSize) continue;
      auto head = ctx.fs.read(p, 4);
      if (!head || !elf::looks_like_elf(*head)) continue;
      ++seen;
      auto info = elf::read_elf(ctx.fs, p);
      if (!info) {
        s.probe_errors.push_back(p + ": " + info.error());
        continue;
      }
      NixBinary b;
      b.path = p;
      for (auto& need : info->needed)
        if (auto* fam = know.library_family_for_file(need)) {
          (void)fam;
          b.cuda_needed.push_back(need);
        }
      b.fatbin = info->fatbin_size > 0;
      if (b.cuda_needed.empty() && !b.fatbin) continue;
      const std::string& rp = info->has_runpath ? info->runpath : info->rpath;
      b.runpath = split(rp, ':', false);
      b.nix_toolchain = std::any_of(b.runpath.begin(), b.runpath.end(), [](auto& e) { return e.starts_with("/nix/store/"); });
      n.binaries.push_back(std::move(b));
    }
  }
}

}  // namespace gpuenv
