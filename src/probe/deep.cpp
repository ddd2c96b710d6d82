// doctor --deep: import each framework in a child process of its interpreter and run one GPU op.
#include "probe/deep.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstring>
#include <set>

#include "util/strings.hpp"
#include "util/subprocess.hpp"

namespace gpuenv {

namespace {

// Runs under every Python 3 from 3.6 on. Prints one line "@@gpuenv-deep@@ {json}" on stdout at the end;
// the framework's own output goes where it goes (stderr is captured and matched against known messages).
// "ok" is False only when the import or the GPU operation fails; a framework that imports but cannot
// enumerate GPUs is ok with device_count 0 and the reason in "error".
const char* kScript = R"PY(
import json, os, sys
fw = sys.argv[1]
r = {"ok": False, "stage": "import", "device_count": -1, "devices": []}

def cuda_str(v):
    try:
        v = int(v)
    except Exception:
        return ""
    return "%d.%d" % (v // 1000, (v % 1000) // 10) if v > 0 else ""

def note_error(e):
    import traceback
    traceback.print_exc()
    sys.stderr.flush()
    r["error"] = (type(e).__name__ + ": " + str(e)).strip()

def check(v, want):
    r["op_result"] = repr(v)
    if abs(v - want) > 1e-6:
        raise RuntimeError("the GPU computed %r instead of %r" % (v, want))

def devices_then_op(enumerate_devices, op):
    r["stage"] = "devices"
    try:
        names = enumerate_devices()
    except Exception as e:
        note_error(e)
        r["device_count"] = 0
        r["ok"] = True
        return
    r["device_count"] = len(names)
    r["devices"] = [str(n) for n in names]
    r["ok"] = True
    if names:
        r["stage"] = "op"
        r["ok"] = False
        op()
        r["ok"] = True

try:
    if fw == "torch":
        import torch
        r["version"] = str(torch.__version__)
        r["location"] = os.path.dirname(torch.__file__)
        r["cuda_version"] = str(torch.version.cuda or "")
        r["cuda_build"] = bool(torch.version.cuda)
        def devs():
            if not torch.cuda.is_available():
                return []
            try:
                r["cudnn_version"] = str(torch.backends.cudnn.version() or "")
                r["driver_cuda"] = cuda_str(torch._C._cuda_getDriverVersion())
            except Exception:
                pass
            return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        def op():
            x = torch.ones(2, device="cuda")
            check(float((x + x).sum().item()), 4.0)
        devices_then_op(devs, op)
    elif fw == "tensorflow":
        import tensorflow as tf
        r["version"] = str(tf.__version__)
        r["location"] = os.path.dirname(tf.__file__)
        try:
            bi = tf.sysconfig.get_build_info()
            r["cuda_build"] = bool(bi.get("is_cuda_build", False))
            r["cuda_version"] = str(bi.get("cuda_version", "") or "")
            r["cudnn_version"] = str(bi.get("cudnn_version", "") or "")
        except Exception:
            r["cuda_build"] = bool(tf.test.is_built_with_cuda())
        def devs():
            names = []
            for g in tf.config.list_physical_devices("GPU"):
                try:
                    names.append(tf.config.experimental.get_device_details(g).get("device_name", g.name))
                except Exception:
                    names.append(g.name)
            return names
        def op():
            with tf.device("/GPU:0"):
                a = tf.ones((2, 2))
                b = tf.linalg.matmul(a, a)
                check(float(tf.reduce_sum(b).numpy()), 8.0)
        devices_then_op(devs, op)
    elif fw == "jax":
        import jax
        r["version"] = str(jax.__version__)
        r["location"] = os.path.dirname(jax.__file__)
        try:
            import importlib.util
            r["cuda_build"] = any(importlib.util.find_spec(m) is not None for m in
                                  ("jax_cuda13_plugin", "jax_cuda12_plugin", "jax_plugins.xla_cuda13", "jax_plugins.xla_cuda12"))
        except Exception:
            pass
        gpus = []
        def devs():
            gpus.extend(d for d in jax.devices() if d.platform in ("gpu", "cuda", "rocm"))
            try:
                from jax._src.lib import cuda_versions
                if cuda_versions is not None:
                    r["cuda_version"] = cuda_str(cuda_versions.cuda_runtime_get_version())
                    r["driver_cuda"] = cuda_str(cuda_versions.cuda_driver_get_version())
                    r["cuda_build"] = True
            except Exception:
                pass
            return [getattr(d, "device_kind", str(d)) for d in gpus]
        def op():
            import jax.numpy as jnp
            x = jax.device_put(jnp.ones(2), gpus[0])
            check(float((x + x).sum()), 4.0)
        devices_then_op(devs, op)
    elif fw == "cupy":
        import cupy
        r["version"] = str(cupy.__version__)
        r["location"] = os.path.dirname(cupy.__file__)
        r["cuda_build"] = True
        rt = cupy.cuda.runtime
        try:
            r["cuda_version"] = cuda_str(rt.runtimeGetVersion())
            r["driver_cuda"] = cuda_str(rt.driverGetVersion())
        except Exception:
            pass
        def devs():
            names = []
            for i in range(rt.getDeviceCount()):
                n = rt.getDeviceProperties(i).get("name", b"")
                names.append(n.decode() if isinstance(n, bytes) else str(n))
            return names
        def op():
            x = cupy.ones(2, dtype=cupy.float32)
            check(float((x + x).sum()), 4.0)
        devices_then_op(devs, op)
    else:
        raise ValueError("gpuenv --deep does not know the framework " + fw)
    if r["ok"]:
        r["stage"] = "done" if r["stage"] == "op" or r["device_count"] == 0 else r["stage"]
except BaseException as e:
    note_error(e)
    r["ok"] = False
sys.stdout.flush()
sys.stdout.write("\n@@gpuenv-deep@@ " + json.dumps(r) + "\n")
sys.stdout.flush()
)PY";

constexpr const char* kMarker = "@@gpuenv-deep@@ ";
constexpr size_t kStdoutCap = 1 << 20, kStderrKeep = 64 << 10, kStderrTail = 16 << 10;

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string tail_lines(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  std::string t = s.substr(s.size() - max);
  if (auto nl = t.find('\n'); nl != std::string::npos && nl + 1 < t.size()) t = t.substr(nl + 1);
  return t;
}

void parse_result(const std::string& out, DeepResult& r) {
  auto pos = out.rfind(kMarker);
  if (pos == std::string::npos) return;
  auto end = out.find('\n', pos);
  std::string line = out.substr(pos + std::strlen(kMarker), end == std::string::npos ? std::string::npos : end - pos - std::strlen(kMarker));
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    r.error = "the deep script printed an unreadable result";
    return;
  }
  auto str = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
  r.status = j.value("ok", false) ? "ok" : "failed";
  r.stage = str("stage");
  r.version = str("version");
  r.location = str("location");
  r.cuda_version = str("cuda_version");
  r.cudnn_version = str("cudnn_version");
  r.driver_cuda = str("driver_cuda");
  r.cuda_build = j.value("cuda_build", false);
  if (j.contains("device_count") && j["device_count"].is_number_integer()) r.device_count = j["device_count"].get<int>();
  if (j.contains("devices") && j["devices"].is_array())
    for (auto& d : j["devices"])
      if (d.is_string()) r.devices.push_back(d.get<std::string>());
  r.op_result = str("op_result");
  r.error = str("error");
}

std::string signal_text(int sig) {
  const char* name = ::strsignal(sig);
  return name ? fmt::format("signal {} ({})", sig, name) : fmt::format("signal {}", sig);
}

}  // namespace

const char* deep_script() { return kScript; }

DeepResult run_deep_one(const std::string& python, const std::string& framework, double timeout_s,
                        const std::function<void()>& on_slow) {
  DeepResult r;
  r.interpreter = python;
  r.framework = framework;
  r.status = "failed";
  r.stage = "start";

  ProcessSpec spec;
  spec.argv = {python, "-c", kScript, framework};
  spec.timeout_s = timeout_s;  // its own process group: a timeout kills whatever the framework started too
  spec.stdout_keep = kStdoutCap;
  spec.stderr_keep = kStderrKeep;
  auto ran = run_process(spec, 1000, on_slow);
  r.duration_ms = ran.elapsed_ms;
  if (!ran.started()) {
    r.error = ran.start_error;
    return r;
  }
  const std::string& out = ran.out;
  std::string err = ran.exec_error.empty() ? ran.err : "gpuenv: " + ran.exec_error + "\n";
  r.stderr_tail = tail_lines(err, kStderrTail);

  if (ran.timed_out) {
    parse_result(out, r);  // nothing, normally
    r.status = "timeout";
    r.error = fmt::format("no answer within {:g} s", timeout_s);
    return r;
  }
  r.exit_code = ran.exit_code;
  r.signal = ran.signal;
  parse_result(out, r);
  if (out.rfind(kMarker) == std::string::npos) {
    r.status = "failed";
    if (r.signal) r.error = "the interpreter was killed by " + signal_text(r.signal) + " before finishing";
    else if (!ran.exec_error.empty()) r.error = ran.exec_error;
    else r.error = fmt::format("the interpreter exited with status {} before finishing", r.exit_code);
  }
  return r;
}

DeepProbe probe_deep(const Snapshot& snap, const DeepOptions& opts) {
  DeepProbe d;
  d.ran = true;
  d.timeout_s = opts.timeout_s;
  static const std::set<std::string> known = {"torch", "tensorflow", "jax", "cupy"};
  struct Job {
    std::string python, framework;
  };
  std::vector<Job> jobs;
  std::set<std::string> seen;
  for (auto& py : snap.python.interpreters) {
    std::string env_key = py.prefix.empty() ? py.path : py.prefix;
    for (auto& fw : py.frameworks) {
      if (!known.count(fw.name) || !fw.shadowed_by.empty()) continue;
      if (!seen.insert(env_key + '\0' + fw.name).second) continue;
      jobs.push_back({py.path, fw.name});
    }
  }
  auto t0 = std::chrono::steady_clock::now();
  bool announced = false;
  for (size_t i = 0; i < jobs.size(); ++i) {
    auto say = [&, i] {
      if (!opts.on_progress) return;
      announced = true;
      opts.on_progress(fmt::format("--deep: importing {} with {} ({}/{})...", jobs[i].framework, jobs[i].python, i + 1, jobs.size()));
    };
    if (announced || ms_since(t0) > 1000) say();
    std::function<void()> slow;
    if (!announced && opts.on_progress) slow = say;
    d.results.push_back(run_deep_one(jobs[i].python, jobs[i].framework, opts.timeout_s, slow));
  }
  return d;
}

}  // namespace gpuenv
