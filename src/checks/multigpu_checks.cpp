// Several GPUs: do CUDA and NVML see the same ones, what CUDA_VISIBLE_DEVICES
// selects under each device order, and how the GPUs reach each other.
#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <set>

#include "checks/check.hpp"
#include "checks/facts.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

std::string gpu_label(const Snapshot& s, const std::string& bus) {
  for (auto& g : physical_gpus(s))
    if (g.bus == bus) return bus + (g.name.empty() ? "" : " " + g.name);
  return bus;
}

bool pci_order_requested(const Snapshot& s) {
  auto* o = s.getenv("CUDA_DEVICE_ORDER");
  return o && *o == "PCI_BUS_ID";
}

void cuda_nvml_disagree(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  if (s.nvml.status != ProbeStatus::Ok || s.cuda.status != ProbeStatus::Ok) return;
  // CUDA's whole view: the unrestricted enumeration, or the process's own when nothing restricts it.
  std::vector<std::string> cuda_all = s.cuda.default_order;
  if (cuda_all.empty() && !s.getenv("CUDA_VISIBLE_DEVICES"))
    for (auto& d : s.cuda.devices) cuda_all.push_back(d.pci_bus_id);
  if (cuda_all.empty()) return;
  std::set<std::string> c(cuda_all.begin(), cuda_all.end()), n;
  for (auto& d : s.nvml.devices) n.insert(d.pci_bus_id);
  std::vector<std::string> only_nvml, only_cuda;
  std::set_difference(n.begin(), n.end(), c.begin(), c.end(), std::back_inserter(only_nvml));
  std::set_difference(c.begin(), c.end(), n.begin(), n.end(), std::back_inserter(only_cuda));
  std::vector<std::string> mismatched;
  for (auto& cd : s.cuda.devices)
    for (auto& nd : s.nvml.devices)
      if (cd.pci_bus_id == nd.pci_bus_id &&
          (cd.uuid != nd.uuid || cd.cc_major != nd.cc_major || cd.cc_minor != nd.cc_minor))
        mismatched.push_back(cd.pci_bus_id);
  if (only_nvml.empty() && only_cuda.empty() && mismatched.empty()) return;
  auto& f = e.emit(fmt::format("CUDA and NVML disagree about the GPUs ({} vs {})", c.size(), n.size()));
  f.add("CUDA sees", join(cuda_all, ", "));
  std::vector<std::string> nv;
  for (auto& d : s.nvml.devices) nv.push_back(d.pci_bus_id);
  f.add("NVML sees", join(nv, ", "));
  for (auto& b : only_nvml) f.add("missing from CUDA", gpu_label(s, b));
  for (auto& b : only_cuda) f.add("missing from NVML", b);
  for (auto& b : mismatched) f.add("different identity", b);
  f.cause = only_nvml.empty() ? "The two driver interfaces report different GPUs: a partial driver installation or a "
                                "GPU that changed state between them."
                              : "NVML lists a GPU that CUDA cannot use: usually a GPU in an error state (an Xid, a "
                                "fallen-off-the-bus or ECC-retired GPU) or one reserved for a MIG or vGPU mode.";
  f.fix = "nvidia-smi -q -i " + (only_nvml.empty() ? std::string("0") : only_nvml[0]) +
          "   # its state; then: sudo dmesg | grep -i xid   (a GPU that lost the bus needs a reset or a reboot)";
}

void visible_devices_invalid(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto* cvd = s.getenv("CUDA_VISIBLE_DEVICES");
  if (!cvd || trim(*cvd).empty() || s.cuda.status != ProbeStatus::Ok) return;  // no-visible-device covers "none at all"
  auto entries = visible_devices(s, *cvd, pci_order_requested(s));
  auto bad = std::find_if(entries.begin(), entries.end(), [](auto& x) { return !x.problem.empty(); });
  if (bad == entries.end()) return;
  std::vector<std::string> kept;
  for (auto it = entries.begin(); it != bad; ++it) kept.push_back(it->text);
  auto& f = e.emit("CUDA_VISIBLE_DEVICES=" + *cvd + ": '" + bad->text + "' names no device", Severity::Warning);
  f.add("CUDA_VISIBLE_DEVICES", *cvd);
  f.add("entry " + bad->text, bad->problem);
  f.add("CUDA uses", kept.empty() ? "no GPU" : join(kept, ","));
  f.add("GPUs on this machine", std::to_string(physical_gpu_count(s)));
  f.cause = "CUDA stops reading CUDA_VISIBLE_DEVICES at the first entry that names no device, so the GPUs listed "
            "after '" + bad->text + "' are silently not used.";
  f.fix = "export CUDA_VISIBLE_DEVICES=" + (kept.empty() ? std::string("0") : join(kept, ",")) +
          "   # only entries that exist (nvidia-smi -L lists indices and UUIDs)";
}

void device_order(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto fastest = cuda_numbering(s, false);
  auto pci = cuda_numbering(s, true);
  if (fastest.size() < 2 || fastest == pci || pci_order_requested(s)) return;
  auto* cvd = s.getenv("CUDA_VISIBLE_DEVICES");
  bool by_index = false;
  if (cvd)
    for (auto& x : split(*cvd, ',', false)) by_index = by_index || parse_int(trim(x)).has_value();
  auto& f = e.emit(by_index ? "CUDA_VISIBLE_DEVICES counts GPUs in a different order than nvidia-smi"
                            : "CUDA numbers the GPUs differently from nvidia-smi",
                   by_index ? Severity::Warning : Severity::Info);
  for (size_t i = 0; i < fastest.size(); ++i)
    f.add(fmt::format("CUDA device {}", i),
          fmt::format("{} (nvidia-smi GPU {})", gpu_label(s, fastest[i]),
                      std::find(pci.begin(), pci.end(), fastest[i]) - pci.begin()));
  if (cvd) f.add("CUDA_VISIBLE_DEVICES", *cvd);
  f.cause = "CUDA's default order is fastest first, nvidia-smi's (and NVML's) is PCI bus order; on this machine they "
            "differ, so an index means different GPUs to the two.";
  f.fix = "export CUDA_DEVICE_ORDER=PCI_BUS_ID   # CUDA then counts like nvidia-smi; or select GPUs by UUID "
          "(CUDA_VISIBLE_DEVICES=GPU-...)";
}

void visible_selection(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  auto* cvd = s.getenv("CUDA_VISIBLE_DEVICES");
  if (!cvd || physical_gpu_count(s) < 2 || trim(*cvd).empty()) return;
  auto def = visible_devices(s, *cvd, false);
  auto pci = visible_devices(s, *cvd, true);
  std::vector<std::string> sel;
  for (auto& x : (pci_order_requested(s) ? pci : def))
    if (!x.bus.empty()) sel.push_back(x.bus);
  if (sel.empty()) return;
  auto& f = e.emit("CUDA_VISIBLE_DEVICES=" + *cvd + " selects " + join(sel, ", "), Severity::Info);
  for (size_t i = 0; i < def.size(); ++i) {
    std::string a = def[i].bus.empty() ? (def[i].problem.empty() ? "order unknown" : "nothing") : gpu_label(s, def[i].bus);
    std::string b = pci[i].bus.empty() ? "nothing" : gpu_label(s, pci[i].bus);
    f.add("'" + def[i].text + "'", def[i].kind == "index" ? "default order: " + a + "; CUDA_DEVICE_ORDER=PCI_BUS_ID: " + b : a);
  }
  f.add("CUDA_DEVICE_ORDER", s.getenv("CUDA_DEVICE_ORDER") ? *s.getenv("CUDA_DEVICE_ORDER") : "(unset: fastest first)");
  f.cause = "Which physical GPUs this process uses, for each way CUDA can number them.";
  f.fix = "";
}

void p2p_unavailable(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  std::vector<const GpuLink*> bad;
  for (auto& l : s.nvml.links)
    if (l.p2p_read > 0 && l.nvlinks == 0 && l.p2p_nvlink != 0) bad.push_back(&l);
  if (bad.empty()) return;
  auto& f = e.emit(fmt::format("{} GPU pair(s) cannot reach each other directly (no peer-to-peer)", bad.size()),
                   Severity::Warning);
  for (auto* l : bad) {
    auto& d = s.nvml.devices;
    std::string a = size_t(l->a) < d.size() ? d[size_t(l->a)].pci_bus_id : std::to_string(l->a);
    std::string b = size_t(l->b) < d.size() ? d[size_t(l->b)].pci_bus_id : std::to_string(l->b);
    f.add(fmt::format("GPU {} - GPU {}", l->a, l->b),
          fmt::format("{} - {}: P2P status {}, {}", a, b, l->p2p_read, topology_name(l->topology)));
  }
  f.cause = "Without P2P (no NVLink, and PCIe peer access refused: IOMMU/ACS in a VM or the chipset), NCCL and "
            "frameworks copy GPU-to-GPU data through host memory, several times slower.";
  f.fix = "nvidia-smi topo -p2p r   # confirms; in a VM ask for a NVLink/P2P-capable instance, on bare metal "
          "disable PCIe ACS or use IOMMU passthrough (iommu=pt)";
}

}  // namespace

void add_multigpu_checks(std::vector<CheckDef>& out) {
  out.push_back({"gpu.cuda-nvml-disagree", Severity::Error, "CUDA and NVML see different GPUs", cuda_nvml_disagree});
  out.push_back({"driver.visible-devices-invalid", Severity::Warning,
                 "An entry of CUDA_VISIBLE_DEVICES names no device, so CUDA ignores it and the rest", visible_devices_invalid});
  out.push_back({"gpu.device-order", Severity::Warning,
                 "CUDA's default GPU order differs from nvidia-smi's (PCI bus) order", device_order});
  out.push_back({"gpu.visible-devices", Severity::Info,
                 "Which physical GPUs CUDA_VISIBLE_DEVICES selects, under each device order", visible_selection});
  out.push_back({"gpu.p2p-unavailable", Severity::Warning, "GPU pairs without peer-to-peer access (NCCL slows down)",
                 p2p_unavailable});
}

}  // namespace gpuenv
