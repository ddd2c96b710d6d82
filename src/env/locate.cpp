#include "env/locate.hpp"

#include "probe/probes.hpp"

namespace gpuenv {

void probe_for_activation(const ProbeContext& ctx, Snapshot& s) {
  if (auto mv = ctx.fs.read_line("/sys/module/nvidia/version")) {
    s.kernel.loaded = true;
    s.kernel.version = *mv;
  }
  probe_driver_libraries(ctx, s);
}

std::string shim_root(const Environment& env) {
  auto it = env.find("XDG_CACHE_HOME");
  if (it != env.end() && it->second.starts_with('/')) return it->second + "/gpuenv/shims";
  it = env.find("HOME");
  std::string home = it != env.end() && !it->second.empty() ? it->second : "/tmp";
  return home + "/.cache/gpuenv/shims";
}

PreparedActivation prepare_activation(const Spec& spec, const Environment& env, const std::string& root) {
  PreparedActivation p;
  ProbeContext ctx{Fs(root), env};
  p.snap.root = root;
  probe_for_activation(ctx, p.snap);
  p.declared = locate_declared_interpreter(ctx, spec, p.snap.python);
  ActivationInput in{p.snap, spec, env};
  in.interpreter = p.declared.index;
  in.interpreter_error = p.declared.error;
  in.python_in_bin_dir = p.declared.python_in_bin_dir;
  in.shim_root = shim_root(env);
  p.result = activate(in);
  return p;
}

}  // namespace gpuenv
