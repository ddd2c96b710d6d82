#include "env/init.hpp"

#include <fmt/format.h>

#include "model/python_paths.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {
std::string q(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}
}  // namespace

std::string render_initial_spec(const Snapshot& s, const Interpreter* py, const std::string& spec_dir,
                                const std::vector<Finding>& open_findings) {
  std::string o;
  o += "# gpuenv.toml: the environment this project runs in (docs/run-and-lock.md).\n";
  o += "#   gpuenv run -- CMD    run CMD in it        gpuenv env     print it for eval (direnv: use gpuenv)\n";
  o += "#   gpuenv lock          fingerprint it       gpuenv verify  has anything changed since?\n";
  std::string machine;
  if (!s.host.os_pretty_name.empty()) machine += s.host.os_pretty_name;
  if (!s.kernel.version.empty()) machine += (machine.empty() ? "" : ", ") + std::string("driver ") + s.kernel.version;
  for (auto& d : s.cuda.devices) machine += fmt::format(", GPU {} {} ({}.{})", d.index, d.name, d.cc_major, d.cc_minor);
  if (!machine.empty()) o += "# Written by `gpuenv init` on: " + machine + "\n";
  if (!open_findings.empty()) {
    o += "#\n# Open findings when this file was written (gpuenv init --force); `gpuenv doctor` re-checks:\n";
    for (auto& f : open_findings) {
      o += fmt::format("#   {} {}: {}\n", severity_name(f.severity), f.id, f.title);
      if (!f.fix.empty())
        for (auto& line : split_lines(f.fix)) o += "#       " + line + "\n";
    }
  }
  o += "schema = 1\n\n[python]\n";
  if (py) {
    std::string path = py->path;
    if (!spec_dir.empty() && path.starts_with(spec_dir + "/")) path = path.substr(spec_dir.size() + 1);
    o += "# The interpreter: a path (relative to this file) or a command name on PATH.\n";
    o += "interpreter = " + q(path) + "\n";
    auto minor = python_minor_version(py->version);
    if (!minor.empty()) o += "version = " + q(minor) + "   # refuse to run with another version\n";
    bool venv = py->kind == "venv";
    o += std::string(venv ? "# " : "") + "no_user_site = true   # keep ~/.local/lib/python" + minor +
         "/site-packages out (PYTHONNOUSERSITE=1)" + (venv ? "; a venv does this already" : "") + "\n";
  } else {
    o += "# No Python interpreter was found; name one:\n# interpreter = \".venv/bin/python\"\n# version = \"3.12\"\n";
  }
  o += "\n[frameworks]\n";
  bool any = false;
  if (py)
    for (auto& f : py->frameworks) {
      o += fmt::format("{} = {{ accelerator = {}, version = {} }}   # found {}\n", f.name, q(f.cuda_build ? "cuda" : "cpu"),
                       q(f.version.substr(0, f.version.find('+'))), f.version);
      any = true;
    }
  if (!any) o += "# torch = \"cuda\"\n# tensorflow = { accelerator = \"cuda\", version = \"2.18\" }\n";
  o += "\n[gpus]\n# visible = [0, 1]   # CUDA_VISIBLE_DEVICES; \"all\" unsets it\n";
  o += "\n[libraries]\n# extra_dirs = [\"/opt/mylib/lib\"]   # put first on LD_LIBRARY_PATH\n";
  o += "\n[env]\n# unset = [\"LD_PRELOAD\"]\n\n[env.set]\n# TF_CPP_MIN_LOG_LEVEL = \"2\"\n";
  return o;
}

}  // namespace gpuenv
