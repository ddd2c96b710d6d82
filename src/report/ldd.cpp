// Views of gpuenv ldd: a tree like libtree's (children of a file are the loads it requested), or JSON.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>

#include "model/json.hpp"
#include "report/formats.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

// One line per GPU under a file's GPU code: what runs there, or that nothing does.
std::string verdict_lines(const LddReport& r, const LddReport::Entry& e, const std::string& path, const Style& sty) {
  std::string out;
  for (auto& v : e.verdicts) {
    if (v.path != path) continue;
    auto& g = r.gpus[v.gpu];
    auto head = fmt::format("  {} ({}): ", g.label, g.cc.sm());
    if (v.coverage == TargetCoverage::Sass)
      out += head + "runs SASS " + join(v.runs, " ") + "\n";
    else if (v.coverage == TargetCoverage::Ptx)
      out += head + sty.yellow("PTX only") + " (" + join(v.runs, " ") + "): the driver JIT-compiles it at the first launch\n";
    else
      out += head + sty.red("cannot run this code") + ": no SASS for " + g.cc.str() + " (sm_" + std::to_string(g.cc.major) +
             "x up to " + g.cc.sm() + ") and no PTX it can JIT-compile (compute_" + std::to_string(g.cc.major) +
             std::to_string(g.cc.minor) + " or older); kernels fail with \"no kernel image is available for execution on "
             "the device\"\n";
  }
  return out;
}

std::string ldd_tree(const LddReport& r, const LddReport::Entry& e, bool all, const RenderOptions& o) {
  const Style& sty = o.style;
  const Consumer& c = e.consumer;
  std::string out;
  std::map<std::string, std::vector<const Resolution*>> kids;
  for (auto& l : c.loads) kids[l.requested_by].push_back(&l);
  std::set<std::string> shown;
  std::function<void(const std::string&, const std::string&)> walk = [&](const std::string& parent,
                                                                          const std::string& indent) {
    auto& list = kids[parent];
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto* l = list[i];
      bool last = i + 1 == list.size();
      bool system = !all && l->family.empty() &&
                    (l->reason == "ld.so.cache" || l->reason.starts_with("default path")) && !l->path.empty();
      // A load a preloaded object satisfies is shown: the preload, not the paths, decided it.
      bool preloaded = l->reason.starts_with("LD_PRELOAD") || l->reason.starts_with("/etc/ld.so.preload");
      if (l->reused && !all && !preloaded) continue;
      if (system && o.verbosity == 0) continue;
      std::string branch = indent + (last ? "└── " : "├── ");
      if (l->path.empty())
        out += fmt::format("{}{} {}\n", branch, sty.bold(l->name), sty.red("not found"));
      else
        out += fmt::format("{}{} {} [{}]{}\n", branch, l->name, l->path, l->reason, l->version.empty() ? "" : " " + l->version);
      if (o.verbosity > 0 && (l->path.empty() || o.verbosity > 1))
        for (auto& p : l->considered) out += fmt::format("{}    tried {}\n", indent, p);
      for (auto& sk : l->skipped) out += fmt::format("{}    skipped {}\n", indent, sk);
      if (!l->damage.empty())
        out += fmt::format("{}    {} {}: the loader maps it and the process dies with SIGBUS\n", indent, sty.red("damaged:"),
                           l->damage);
      if (!l->reused && !l->path.empty() && shown.insert(l->path).second) walk(l->path, indent + (last ? "    " : "│   "));
    }
  };
  out += sty.bold(e.file) + "\n";
  walk(e.file, "");
  for (auto& k : c.kernels) {
    // The sections are named when some code lies outside .nv_fatbin (libcufft: .ldata).
    bool elsewhere = std::any_of(k.sections.begin(), k.sections.end(), [](auto& n) { return n != ".nv_fatbin"; });
    out += fmt::format("GPU code in {}{}: SASS {}; PTX {}{}\n", k.path, elsewhere ? " (" + join(k.sections, ", ") + ")" : "",
                       k.sass.empty() ? "none" : join(k.sass, " "), k.ptx.empty() ? "none" : join(k.ptx, " "),
                       k.error.empty() ? "" : " (" + k.error + ")");
    out += verdict_lines(r, e, k.path, sty);
  }
  if (r.fatbin && r.gpus.empty() && !c.kernels.empty())
    out += "No verdict for GPUs: " + r.no_gpu_reason + " (--cc X.Y judges for a compute capability)\n";
  return out;
}

}  // namespace

std::string render(const LddReport& r, Format f, const RenderOptions& o) {
  if (f == Format::Json) {
    Json out = Json::array();
    for (auto& e : r.files) out.push_back(e.consumer);
    return json_text(out) + "\n";
  }
  if (f != Format::Text) throw std::logic_error(std::string("ldd has no ") + format_name(f) + " renderer");
  std::string out;
  for (auto& e : r.files) out += ldd_tree(r, e, r.all, o);
  return out;
}

}  // namespace gpuenv
