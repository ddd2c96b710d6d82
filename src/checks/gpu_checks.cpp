// The hardware layer: is there an NVIDIA GPU, and which kernel driver owns it.
#include "checks/check.hpp"
#include "checks/facts.hpp"

namespace gpuenv {

namespace {

std::string describe(const PciDevice& d) {
  // "0x10de" -> "10de"; a snapshot read with --from may hold anything there.
  auto hex = [](const std::string& id) { return id.starts_with("0x") ? id.substr(2) : id; };
  std::string s = d.address + " [" + hex(d.vendor_id) + ":" + hex(d.device_id) + "]";
  if (!d.name.empty()) s += " " + d.name;
  return s;
}

void none_on_pci(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  if (!s.pci.empty() || s.host.wsl || cuda_works(s) || !s.pci_bus_visible) return;
  if (!s.kernel.proc_gpus.empty()) return;  // the driver sees GPUs even if sysfs hides them
  auto& f = e.emit("No NVIDIA GPU on the PCI bus");
  f.add("PCI display devices from vendor 0x10de", "none under /sys/bus/pci/devices");
  if (in_container(s)) f.add("container", s.host.container);
  if (!s.host.virtualization.empty()) f.add("virtualization", s.host.virtualization);
  f.cause = "This machine (or VM) has no NVIDIA GPU attached, so no framework can use CUDA here.";
  f.fix = s.host.virtualization.empty()
              ? "Run on a machine with an NVIDIA GPU (check that the card is seated and enabled in the firmware setup)."
              : "Attach a GPU to this VM (PCI passthrough with vfio-pci on the host, or a GPU instance type in the cloud).";
}

void bound_to_nouveau(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  for (auto& d : s.pci) {
    if (d.driver != "nouveau") continue;
    auto& f = e.emit("The GPU is driven by nouveau, which cannot run CUDA");
    f.subject = d.address;
    f.add("device", describe(d));
    f.add("bound driver", "nouveau");
    f.add("nvidia module loaded", s.kernel.loaded ? "yes" : "no");
    f.cause = "The open-source nouveau driver claimed the GPU; CUDA needs NVIDIA's own kernel module.";
    if (s.host.nixos)
      f.fix = nixos_driver_fix(s, in.know);
    else
      f.fix = "printf 'blacklist nouveau\\noptions nouveau modeset=0\\n' | sudo tee /etc/modprobe.d/blacklist-nouveau.conf\n"
              "sudo update-initramfs -u   # dracut -f on Fedora/RHEL\n"
              "# install the NVIDIA driver (e.g. sudo ubuntu-drivers install), then: sudo reboot";
  }
}

void unbound(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  if (!s.kernel.loaded) return;  // driver.module-not-loaded names that root cause
  for (auto& d : s.pci) {
    if (!d.driver.empty()) continue;
    auto& f = e.emit("The nvidia module is loaded but did not claim this GPU");
    f.subject = d.address;
    f.add("device", describe(d));
    f.add("bound driver", "none");
    f.add("kernel module", s.kernel.version.empty() ? "loaded" : s.kernel.version + " (" + s.kernel.flavour + ")");
    f.cause = "The kernel module refused the GPU: usually a GPU this driver branch (or the open kernel module) "
              "does not support; the kernel log says which.";
    f.fix = "sudo dmesg | grep -i -E 'NVRM|nvidia'   # the reason the module skipped the device";
  }
}

void vfio(const CheckInput& in, Emitter& e) {
  for (auto& d : in.snap.pci) {
    if (d.driver != "vfio-pci" && d.driver != "pci-stub") continue;
    auto& f = e.emit("The GPU is reserved for virtual machines (" + d.driver + ")", Severity::Warning);
    f.subject = d.address;
    f.add("device", describe(d));
    f.add("bound driver", d.driver);
    f.cause = "The GPU is bound to " + d.driver + " for PCI passthrough, so the host cannot use it.";
    f.fix = "Remove the device from the vfio-pci.ids= kernel parameter (or the vfio modprobe.d file) and reboot, "
            "if the host should use it.";
  }
}

}  // namespace

void add_gpu_checks(std::vector<CheckDef>& out) {
  out.push_back({"gpu.none-on-pci", Severity::Error, "No NVIDIA GPU on the PCI bus", none_on_pci});
  out.push_back({"gpu.nouveau", Severity::Error, "The GPU is bound to nouveau instead of the NVIDIA driver",
                 bound_to_nouveau});
  out.push_back({"gpu.unbound", Severity::Error, "The nvidia module is loaded but no driver claimed the GPU", unbound});
  out.push_back({"gpu.vfio", Severity::Warning, "The GPU is bound to vfio-pci for VM passthrough", vfio});
}

}  // namespace gpuenv
