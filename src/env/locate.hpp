#pragma once
// The few facts activation needs, read through ProbeContext::fs (so --root
// fixture trees work) and nothing more: `gpuenv run` must stay fast, so this
// never starts the driver probe nor scans site-packages.
#include <string>

#include "env/activate.hpp"
#include "model/snapshot.hpp"
#include "model/spec.hpp"
#include "probe/context.hpp"
#include "probe/python.hpp"

namespace gpuenv {

// The declared interpreter is located by the Python probe's locate_declared_interpreter (probe/python.hpp),
// which prepare_activation calls on its light snapshot.

// The kernel module version and the driver library copies (cheap: a few directory listings).
void probe_for_activation(const ProbeContext& ctx, Snapshot& s);

// Everything `run`, `env` and `shell` need: probe (light) + activate.
struct PreparedActivation {
  Snapshot snap;
  DeclaredInterpreter declared;
  Activation result;
};
PreparedActivation prepare_activation(const Spec& spec, const Environment& env, const std::string& root = "/");

// gpuenv's cache directory: the first usable of $XDG_CACHE_HOME/gpuenv (an absolute path), ~/.cache/gpuenv and
// $TMPDIR/gpuenv-$UID (default /tmp; made mode 0700 here, used only when it is ours and no link). Usable: the
// directory, or its nearest existing parent, is a directory we may write. Otherwise `path` is "" and `error`
// says, for each candidate, why not.
struct CacheDir {
  std::string path;
  std::string error;
};
CacheDir cache_dir(const Environment& env);
// cache_dir(env).path + "/shims" ("" when there is no cache directory).
std::string shim_root(const Environment& env);

}  // namespace gpuenv
