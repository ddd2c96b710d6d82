// NVIDIA GPUs on the PCI bus, from sysfs; names from the system's pci.ids.
#include <string_view>

#include "knowledge/knowledge.hpp"
#include "probe/probes.hpp"
#include "util/strings.hpp"

namespace gpuenv {

// Finds "\tDDDD  Name" under vendor 10de in pci.ids text.
static std::string pci_ids_name(std::string_view db, std::string_view device_id) {
  size_t pos = db.find("\n10de  ");
  if (pos == std::string_view::npos) return "";
  pos = db.find('\n', pos + 1);
  std::string want = "\t" + to_lower(device_id) + "  ";
  while (pos != std::string_view::npos && pos + 1 < db.size()) {
    size_t start = pos + 1;
    size_t end = db.find('\n', start);
    std::string_view line = db.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!line.empty() && line[0] != '\t' && line[0] != '#') break;  // next vendor
    if (line.starts_with(want)) return std::string(trim(line.substr(want.size())));
    pos = end;
  }
  return "";
}

void probe_pci(const ProbeContext& ctx, Snapshot& s) {
  auto& fs = ctx.fs;
  const std::string base = "/sys/bus/pci/devices";
  std::optional<std::string> ids;
  bool ids_loaded = false;
  auto addrs = fs.list(base);
  s.pci_bus_visible = !addrs.empty();
  if (addrs.empty()) s.probe_errors.push_back("cannot list " + base + " (no sysfs?)");
  for (auto& addr : addrs) {
    std::string dir = base + "/" + addr;
    auto vendor = fs.read_line(dir + "/vendor");
    if (!vendor || to_lower(*vendor) != "0x10de") continue;
    auto cls = fs.read_line(dir + "/class").value_or("");
    // Display controllers only (0x03xxxx): skips the HDMI audio function and NVSwitch bridges.
    if (!cls.starts_with("0x03")) continue;
    PciDevice d;
    d.address = addr;
    d.vendor_id = to_lower(*vendor);
    d.device_id = to_lower(fs.read_line(dir + "/device").value_or(""));
    d.subsystem_vendor_id = to_lower(fs.read_line(dir + "/subsystem_vendor").value_or(""));
    d.subsystem_device_id = to_lower(fs.read_line(dir + "/subsystem_device").value_or(""));
    d.class_id = cls;
    if (auto numa = fs.read_line(dir + "/numa_node")) d.numa_node = int(parse_int(*numa).value_or(-1));
    if (auto link = fs.readlink(dir + "/driver")) d.driver = base_name(*link);
    if (!ids_loaded) {
      ids_loaded = true;
      for (const char* p : {"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids", "/usr/share/pci.ids"})
        if ((ids = fs.read_opt(p))) break;
    }
    if (ids && d.device_id.size() > 2) d.name = pci_ids_name(*ids, d.device_id.substr(2));
    // No pci.ids (minimal containers, NixOS): the bundled table of NVIDIA GPUs.
    if (d.name.empty())
      if (auto* m = Knowledge::get().gpu_by_device_id(d.device_id)) d.name = m->chip + " [" + m->name + "]";
    s.pci.push_back(std::move(d));
  }
}

}  // namespace gpuenv
