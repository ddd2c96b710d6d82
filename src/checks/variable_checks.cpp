// Environment variables that CUDA, NCCL, the container runtime and the GPU frameworks read, judged against the
// grammar and effect in variables.toml (checks/variable_grammar.hpp): a value a framework rejects at start, one
// it ignores, one that silently leaves it without a GPU; and the NCCL settings that do not fit this machine
// (an interface that does not exist, P2P or InfiniBand turned off where the hardware has them).
#include <algorithm>
#include <set>

#include "checks/check.hpp"
#include "checks/facts.hpp"
#include "checks/variable_grammar.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

using Status = VariableVerdict::Status;

const char* framework_label(const std::string& fw) {
  if (fw == "torch") return "PyTorch";
  if (fw == "jax") return "JAX";
  if (fw == "cupy") return "CuPy";
  if (fw == "tensorflow") return "TensorFlow";
  if (fw == "nccl") return "NCCL";
  if (fw == "container") return "the NVIDIA container runtime";
  return "CUDA";
}

// The framework's installed copy ("torch 2.11.0+cu130 in /opt/torch/.venv/bin/python"), nullptr when no
// interpreter found here has it. cuda, nccl and container rows are read by every CUDA program.
const Framework* installed(const Snapshot& s, const std::string& fw, const Interpreter** where) {
  bool python_fw = fw == "torch" || fw == "jax" || fw == "cupy" || fw == "tensorflow";
  if (!python_fw) return nullptr;
  for (auto& py : s.python.interpreters)
    for (auto& f : py.frameworks)
      if (f.name == fw && f.shadowed_by.empty()) {
        *where = &py;
        return &f;
      }
  return nullptr;
}

bool python_framework(const std::string& fw) {
  return fw == "torch" || fw == "jax" || fw == "cupy" || fw == "tensorflow";
}

// A value the reader would accept, made from the user's by the usual slips (case, spaces, key=value,
// true/false for PyTorch's True/False); "" when none of them gives one.
std::string corrected(const VariableRule& r, const VariableFacts& facts, const std::string& value) {
  std::vector<std::string> tries;
  std::string t = value;
  t.erase(std::remove_if(t.begin(), t.end(), [](char c) { return c == ' ' || c == '\t'; }), t.end());
  tries.push_back(t);
  for (auto& v : r.values) {
    if (to_lower(v) == to_lower(t)) tries.push_back(v);
  }
  if (r.kind == "torch_alloc_conf") {
    std::string u = replace_all(t, "=", ":");
    u = replace_all(replace_all(u, ":true", ":True"), ":false", ":False");
    tries.push_back(u);
  }
  for (auto& c : tries)
    if (c != value && judge_variable(r, facts, c).status == Status::Ok) return c;
  return "";
}

void variable_invalid(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto& facts = in.know.variables();
  for (auto& r : facts.variables) {
    auto* value = s.getenv(r.name);
    if (!value) continue;
    VariableVerdict v;
    if (!r.conflicts_with.empty() && s.getenv(r.conflicts_with) && !value->empty() && !s.getenv(r.conflicts_with)->empty())
      v = {Status::Rejected, r.conflicts_with + " is set too", r.conflict_message};
    else
      v = judge_variable(r, facts, *value);
    if (v.status == Status::Ok || v.status == Status::Cpu) continue;
    const Interpreter* where = nullptr;
    const Framework* fw = installed(s, r.framework, &where);
    bool absent = python_framework(r.framework) && !fw;
    std::string who = framework_label(r.framework);
    Severity sev = v.status == Status::Rejected && !absent ? Severity::Error : Severity::Warning;
    std::string verb = v.status == Status::Rejected ? "rejects" : v.status == Status::Ignored ? "ignores" : "does not document";
    if (v.status == Status::MeansOn) verb = "reads as on";
    auto& f = e.emit(r.name + "=" + shell_quote(*value) + ": " + who + " " + verb + " this value", sev);
    f.subject = r.name;
    f.add(r.name, "\"" + *value + "\"");
    f.add("problem", v.problem);
    if (fw) f.add("framework", label(*fw) + " (" + where->path + ")");
    else if (absent) f.add("framework", std::string("no ") + r.framework + " found on this machine");
    f.add("source", r.source);
    switch (v.status) {
      case Status::Rejected:
        f.cause = who + std::string(" stops with an error when it reads ") + r.name +
                  (r.framework == "torch"  ? " (when its CUDA allocator starts, at the first tensor on the GPU)"
                   : r.framework == "jax"  ? " (when its CUDA backend initialises, at the first computation)"
                   : r.framework == "cupy" ? (r.name == "CUPY_ACCELERATORS" ? " (at import cupy)" : " (when it sets up a device's memory pool)")
                   : r.framework == "nccl" ? " (at communicator initialisation)"
                                           : "") +
                  (v.message.empty() ? "." : ": \"" + v.message + "\"");
        break;
      case Status::Ignored:
        f.cause = who + " does not accept the value and " + (r.effect.empty() ? "keeps its default." : r.effect + ".");
        break;
      case Status::MeansOn:
        f.cause = v.problem + ".";
        break;
      default:
        f.cause = std::string("The value is outside what ") + who + " documents (" + r.source + "); what it does with it is not defined.";
    }
    if (absent) f.cause += " (Nothing on this machine reads it now: no " + r.framework + " was found.)";
    bool conflict = !r.conflicts_with.empty() && v.status == Status::Rejected && s.getenv(r.conflicts_with) &&
                    v.message == r.conflict_message;
    std::string fix = conflict ? "" : corrected(r, facts, *value);
    if (conflict) f.fix = "unset " + r.name + "   # keep " + r.conflicts_with + ", its current name";
    else if (!fix.empty()) f.fix = "export " + r.name + "=" + shell_quote(fix) + "   # or: unset " + r.name;
    else f.fix = "unset " + r.name + "   # " + (r.values.empty() ? "then set it again following " + r.source
                                                                    : "accepted values: " + join(r.values, ", "));
  }
}

void variable_hides_gpu(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto& facts = in.know.variables();
  for (auto& r : facts.variables) {
    auto* value = s.getenv(r.name);
    if (!value || r.kind == "set_elsewhere") continue;
    if (judge_variable(r, facts, *value).status != Status::Cpu) continue;
    const Interpreter* where = nullptr;
    const Framework* fw = installed(s, r.framework, &where);
    if (python_framework(r.framework) && !fw) continue;  // nothing it would send to the CPU
    // The container runtime's variable means something only inside a container.
    if (r.framework == "container" && !in_container(s)) continue;
    std::string who = fw ? label(*fw) : framework_label(r.framework);
    auto& f = e.emit(r.name + "=" + shell_quote(*value) + ": " +
                         (r.framework == "container" ? "this container was started without a GPU"
                                                     : who + " will run on the CPU, without an error"),
                     Severity::Warning);
    f.subject = r.name;
    f.add(r.name, "\"" + *value + "\"");
    if (fw) f.add("framework", label(*fw) + " (" + where->path + ")");
    if (gpu_expected(s)) f.add("GPUs on this machine", std::to_string(physical_gpu_count(s)));
    f.add("source", r.source);
    f.cause = r.cpu_effect + ".";
    if (r.name == "JAX_PLATFORMS") f.fix = "unset JAX_PLATFORMS   # or export JAX_PLATFORMS=cuda,cpu";
    else if (r.name == "JAX_PLATFORM_NAME") f.fix = "unset JAX_PLATFORM_NAME";
    else if (r.framework == "container")
      f.fix = "start the container with the GPUs it needs: docker run --gpus all ... (or NVIDIA_VISIBLE_DEVICES=all with "
              "--runtime=nvidia); Kubernetes: request nvidia.com/gpu in the pod's resources";
    else f.fix = "unset " + r.name;
  }
}

void nccl_socket_ifname_missing(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto* spec = s.getenv("NCCL_SOCKET_IFNAME");
  auto& ifs = s.host.net_interfaces;
  if (!spec || trim(*spec).empty() || ifs.empty()) return;  // unknown interface list: nothing to compare
  if (!nccl_selected_interfaces(*spec, ifs).empty()) return;
  auto* r = in.know.variables().rule("NCCL_SOCKET_IFNAME");
  auto& f = e.emit("NCCL_SOCKET_IFNAME=" + shell_quote(*spec) + " matches no network interface of this machine");
  f.subject = "NCCL_SOCKET_IFNAME";
  f.add("NCCL_SOCKET_IFNAME", "\"" + *spec + "\"");
  f.add("interfaces", join(ifs, ", "));
  if (r) f.add("source", r->source);
  f.cause = "NCCL takes the interfaces whose names start with one of the listed prefixes (\"^\" excludes them, \"=\" "
            "wants the exact name); none here does, so NCCL finds no interface for its bootstrap and every "
            "communicator fails to initialise" +
            (r && !r->message.empty() ? " (NCCL WARN " + r->message + "; torch.distributed raises a NCCL error)" : std::string()) + ".";
  std::string pick;
  for (auto& i : ifs)
    if (i != "lo" && !i.starts_with("docker") && !i.starts_with("veth") && !i.starts_with("virbr")) {
      pick = i;
      break;
    }
  f.fix = (pick.empty() ? std::string("unset NCCL_SOCKET_IFNAME") : "export NCCL_SOCKET_IFNAME=" + pick) +
          "   # the interface that carries the traffic between the nodes (ip -br addr); or unset it: NCCL then "
          "picks one itself";
}

bool disabled(const Snapshot& s, const char* name) {
  auto* v = s.getenv(name);
  if (!v) return false;
  auto n = parse_int(trim(*v));
  return n && *n != 0;
}

void nccl_transport_disabled(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto& facts = in.know.variables();
  if (disabled(s, "NCCL_P2P_DISABLE")) {
    std::vector<std::string> pairs;
    for (auto& l : s.nvml.links)
      if (l.p2p_read == 0 || l.nvlinks > 0)
        pairs.push_back("GPU " + std::to_string(l.a) + " - GPU " + std::to_string(l.b) +
                        (l.nvlinks > 0 ? " (" + std::to_string(l.nvlinks) + " NVLink)" : " (PCIe P2P)"));
    if (!pairs.empty()) {
      auto& f = e.emit("NCCL_P2P_DISABLE=" + *s.getenv("NCCL_P2P_DISABLE") + " turns off the GPUs' direct path (" +
                       std::to_string(pairs.size()) + " pair(s) have one)");
      f.subject = "NCCL_P2P_DISABLE";
      f.add("NCCL_P2P_DISABLE", *s.getenv("NCCL_P2P_DISABLE"));
      for (auto& p : pairs) f.add("peer-to-peer", p);
      if (auto* r = facts.rule("NCCL_P2P_DISABLE")) f.add("source", r->source);
      f.cause = "NCCL then copies GPU-to-GPU traffic through host memory instead of NVLink or PCIe peer access: "
                "collectives run several times slower, with no error.";
      f.fix = "unset NCCL_P2P_DISABLE   # set it only where P2P is broken (gpuenv reports gpu.p2p-unavailable then)";
    }
  }
  if (disabled(s, "NCCL_IB_DISABLE") && !s.host.ib_devices.empty()) {
    auto& f = e.emit("NCCL_IB_DISABLE=" + *s.getenv("NCCL_IB_DISABLE") + " turns off InfiniBand/RoCE (" +
                     join(s.host.ib_devices, ", ") + " present)");
    f.subject = "NCCL_IB_DISABLE";
    f.add("NCCL_IB_DISABLE", *s.getenv("NCCL_IB_DISABLE"));
    f.add("InfiniBand devices", join(s.host.ib_devices, ", "));
    if (auto* r = facts.rule("NCCL_IB_DISABLE")) f.add("source", r->source);
    f.cause = "NCCL then sends traffic between nodes over TCP sockets instead of the InfiniBand/RoCE adapters: "
              "multi-node training runs far slower, with no error.";
    f.fix = "unset NCCL_IB_DISABLE";
  }
}

}  // namespace

void add_variable_checks(std::vector<CheckDef>& out) {
  out.push_back({"env.variable-invalid", Severity::Error,
                 "a variable CUDA, NCCL or a framework reads has a value it rejects, ignores or does not document",
                 variable_invalid});
  out.push_back({"env.variable-hides-gpu", Severity::Warning,
                 "a variable's value leaves a framework on the CPU without an error (JAX_PLATFORMS=cpu, ...)",
                 variable_hides_gpu});
  out.push_back({"nccl.socket-ifname-missing", Severity::Error,
                 "NCCL_SOCKET_IFNAME matches no network interface of this machine", nccl_socket_ifname_missing});
  out.push_back({"nccl.transport-disabled", Severity::Warning,
                 "NCCL_P2P_DISABLE or NCCL_IB_DISABLE turns off a transport the machine has", nccl_transport_disabled});
}

}  // namespace gpuenv
