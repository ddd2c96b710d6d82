#include <fmt/format.h>

#include "model/spec.hpp"
#include "report/report.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

namespace gpuenv {

std::string verdict_line(const std::vector<Finding>& findings) {
  auto sum = summarize(findings);
  int problems = sum.errors + sum.warnings;
  if (sum.errors == 0) {
    if (sum.warnings == 0) return "GPU ready";
    return fmt::format("GPU ready, with {} warning{}", sum.warnings, sum.warnings == 1 ? "" : "s");
  }
  std::vector<std::string> parts;
  parts.push_back(fmt::format("{} error{}", sum.errors, sum.errors == 1 ? "" : "s"));
  if (sum.warnings) parts.push_back(fmt::format("{} warning{}", sum.warnings, sum.warnings == 1 ? "" : "s"));
  return fmt::format("{} problem{} ({})", problems, problems == 1 ? "" : "s", join(parts, ", "));
}

std::string doctor_verdict(const DoctorReport& r) {
  const auto& sel = r.selection;
  const Snapshot& s = r.snap;
  auto sum = summarize(r.findings);
  auto plural = [](size_t n, const char* what) { return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s"); };
  // No error, but nothing saw a GPU either (a container without /sys and the driver not probed, --no-driver on such
  // a tree): not "GPU ready", which no fact here supports.
  bool seen = !s.cuda.devices.empty() || !s.nvml.devices.empty() || !s.pci.empty() || !s.kernel.proc_gpus.empty();
  if (!sel.partial() && !seen && sum.errors == 0) {
    std::vector<std::string> why;
    if (!s.pci_bus_visible) why.push_back("no PCI bus visible");
    if (s.cuda.status == ProbeStatus::Skipped) why.push_back("the driver not probed");
    std::string head = sum.warnings == 0 ? "no problems found" : "no errors, " + plural(size_t(sum.warnings), "warning");
    return head + ", but no GPU seen" + (why.empty() ? "" : " (" + join(why, ", ") + ")");
  }
  if (!sel.partial()) return verdict_line(r.findings);
  std::string in = fmt::format("in the {} selected check{}", r.checks.size(), r.checks.size() == 1 ? "" : "s");
  std::string skipped = fmt::format("({} skipped)", sel.skipped.size());
  if (sum.errors == 0) {
    if (sum.warnings == 0) return "no problems " + in + " " + skipped;
    return "no errors " + in + ", " + plural(size_t(sum.warnings), "warning") + " " + skipped;
  }
  return verdict_line(r.findings) + " " + in + " " + skipped;
}

std::string selection_line(const DoctorReport& r) {
  const auto& sel = r.selection;
  if (!sel.partial()) return "";
  std::vector<std::string> how;
  if (!sel.only.empty()) how.push_back("--only " + join(sel.only, ","));
  if (!sel.skip.empty()) how.push_back("--skip " + join(sel.skip, ","));
  return fmt::format("{} of {} ran ({})", r.checks.size(), r.checks.size() + sel.skipped.size(), join(how, " "));
}

std::vector<std::pair<std::string, std::string>> machine_summary(const Snapshot& s) {
  std::vector<std::pair<std::string, std::string>> out;
  // GPUs: the CUDA view when it worked, else NVML, else PCI.
  if (!s.cuda.devices.empty()) {
    // The process's own numbering, as frameworks name them (cuda:0).
    for (auto& d : s.cuda.devices)
      out.push_back({fmt::format("cuda:{}", d.index),
                     fmt::format("{} (compute {}.{}, {}) at {}", d.name, d.cc_major, d.cc_minor,
                                 human_bytes(d.total_memory), d.pci_bus_id)});
    if (s.nvml.devices.size() > s.cuda.devices.size()) {
      std::vector<std::string> all;
      for (auto& d : s.nvml.devices) all.push_back(d.pci_bus_id);
      out.push_back({"all GPUs", fmt::format("{} on this machine: {}", all.size(), join(all, ", "))});
    }
  } else if (!s.nvml.devices.empty()) {
    for (auto& d : s.nvml.devices)
      out.push_back({fmt::format("GPU {}", d.index),
                     fmt::format("{} (compute {}.{}) at {}", d.name, d.cc_major, d.cc_minor, d.pci_bus_id)});
  } else if (!s.pci.empty()) {
    for (auto& d : s.pci)
      out.push_back({"GPU (PCI)", fmt::format("{} [10de:{}]{}, driver: {}", d.address,
                                              d.device_id.size() > 2 ? d.device_id.substr(2) : d.device_id,
                                              d.name.empty() ? "" : " " + d.name, d.driver.empty() ? "none" : d.driver)});
  } else {
    out.push_back({"GPU", "none found"});
  }
  std::string drv;
  if (s.kernel.loaded)
    drv = fmt::format("{} ({} kernel module)", s.kernel.version.empty() ? "loaded" : s.kernel.version,
                      s.kernel.flavour.empty() ? "nvidia" : s.kernel.flavour);
  else
    drv = s.host.wsl ? "WSL2 (Windows host driver)" : "not loaded";
  out.push_back({"driver", drv});
  std::string cuda;
  if (s.cuda.status == ProbeStatus::Skipped) cuda = "not probed";
  else if (s.cuda.status == ProbeStatus::NotFound) cuda = "libcuda not found";
  else {
    cuda = s.cuda.driver_version > 0 ? "driver API " + cuda_version_string(s.cuda.driver_version) : "driver API unknown";
    if (!s.cuda.library_path.empty()) cuda += ", " + s.cuda.library_path;
    if (s.cuda.status != ProbeStatus::Ok) cuda += " [" + std::string(to_string(s.cuda.status)) + "]";
  }
  out.push_back({"CUDA", cuda});
  std::string host = s.host.os_pretty_name.empty() ? s.host.os_id : s.host.os_pretty_name;
  if (!s.host.kernel_release.empty()) host += ", kernel " + s.host.kernel_release;
  if (!s.host.glibc_version.empty()) host += ", glibc " + s.host.glibc_version;
  if (!s.host.arch.empty()) host += ", " + s.host.arch;
  out.push_back({"host", host});
  std::vector<std::string> where;
  if (!s.host.container.empty()) where.push_back("container: " + s.host.container);
  if (!s.host.virtualization.empty()) where.push_back("VM: " + s.host.virtualization);
  if (s.host.wsl) where.push_back("WSL2");
  if (s.host.nixos) where.push_back("NixOS");
  if (!where.empty()) out.push_back({"runs in", join(where, ", ")});
  // Python: the interpreter `python` runs (and the declared one when it differs), its frameworks.
  auto& py = s.python;
  auto describe = [](const Interpreter& i) {
    std::string d = (i.version.empty() ? std::string("Python") : "Python " + i.version) + " " + i.path;
    if (!i.kind.empty()) d += " (" + i.kind + ")";
    return d;
  };
  const Interpreter* active = py.active >= 0 && size_t(py.active) < py.interpreters.size()
                                  ? &py.interpreters[size_t(py.active)] : nullptr;
  const Interpreter* declared = py.declared >= 0 && size_t(py.declared) < py.interpreters.size()
                                    ? &py.interpreters[size_t(py.declared)] : nullptr;
  if (active) out.push_back({"python", describe(*active)});
  if (declared && declared != active) out.push_back({"declared", describe(*declared) + ", by " + py.declared_by});
  if (!py.interpreters.empty()) {
    size_t others = py.interpreters.size() - (active ? 1 : 0) - (declared && declared != active ? 1 : 0);
    if (!active) out.push_back({"python", "none on PATH"});
    if (others) {
      std::vector<std::string> v;
      for (auto& i : py.interpreters)
        if (&i != active && &i != declared) v.push_back(i.version.empty() ? i.path : i.version);
      out.push_back({"also", fmt::format("{} other interpreter{}: {}", others, others == 1 ? "" : "s", join(v, ", "))});
    }
  }
  if (auto* t = declared ? declared : active) {
    std::vector<std::string> fws;
    for (auto& f : t->frameworks) {
      if (!f.shadowed_by.empty()) continue;
      std::string d = f.name + " " + (f.version.empty() ? "?" : f.version);
      if (f.cuda_build) d += f.cuda_version.empty() ? " (CUDA)" : " (CUDA " + f.cuda_version + ")";
      else d += " (" + (f.variant.empty() ? std::string("cpu") : f.variant) + ")";
      fws.push_back(d);
    }
    if (!fws.empty()) out.push_back({"packages", join(fws, ", ")});
  }
  // The project's gpuenv.toml that could not be used (a syntax error, a missing interpreter): on every report,
  // not only under -v, since the checks then ran without what the project declares.
  for (auto& e : s.probe_errors)
    if (contains(e, std::string("/") + kSpecFileName + ":") || contains(e, std::string("/") + kSpecFileName + " "))
      out.push_back({kSpecFileName, "not used: " + e});
  if (s.deep.ran) {
    // doctor --deep: one line per framework imported for real.
    if (s.deep.results.empty()) out.push_back({"deep", "no framework found to import"});
    for (auto& r : s.deep.results) {
      std::string what = r.status == "ok"
                             ? (r.device_count > 0 ? fmt::format("GPU op ok on {} GPU{}{}", r.device_count, r.device_count == 1 ? "" : "s",
                                                                 r.devices.empty() ? "" : " (" + r.devices[0] + ")")
                                                   : std::string("imported, sees no GPU"))
                             : r.status == "timeout" ? "timed out at stage " + r.stage : "failed at stage " + r.stage;
      out.push_back({"deep", fmt::format("{}{}: {}, {:.1f} s, {}", r.framework, r.version.empty() ? "" : " " + r.version, what,
                                         r.duration_ms / 1000, r.interpreter)});
    }
  }
  return out;
}

// Bytes of UTF-8 sequences count as letters, so "ren" is not replaced inside "rené".
static bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Replaces whole-word occurrences only, so "vm" does not touch "kvm". With `whole_path`, `word` is a directory
// replaced only where it is a whole path: "/home/al" in "/home/al/x" but not in "/home/alice" or "/x/home/al".
static std::string replace_word(std::string text, const std::string& word, const std::string& with,
                                bool whole_path = false) {
  if (word.empty()) return text;
  size_t pos = 0;
  while ((pos = text.find(word, pos)) != std::string::npos) {
    bool left = pos == 0 || (!word_char(text[pos - 1]) && !(whole_path && text[pos - 1] == '/'));
    size_t end = pos + word.size();
    bool right = end >= text.size() || !word_char(text[end]) ||
                 (text[end] == '.' && (end + 1 >= text.size() || !word_char(text[end + 1])));
    if (left && right) {
      text.replace(pos, word.size(), with);
      pos += with.size();
    } else {
      pos = end;
    }
  }
  return text;
}

Redactor Redactor::from(const Snapshot& s) {
  Redactor r{s.host.user, s.host.home, s.host.hostname};
  // The distribution's name is no host name even when they are spelled alike (a host called "debian").
  if (!s.host.os_id.empty()) {
    r.keep.push_back("\"os_id\": \"" + s.host.os_id + "\"");
    r.keep.push_back(s.host.os_id + ", kernel ");  // the host line of the text and Markdown summaries
  }
  return r;
}

std::string Redactor::apply(std::string text) const {
  // Phrases to keep are swapped for placeholders (\x01 never occurs in a report) and put back at the end.
  std::vector<std::string> marks;
  for (size_t i = 0; i < keep.size(); ++i) {
    marks.push_back(std::string("\x01keep") + std::to_string(i) + "\x01");
    text = replace_all(std::move(text), keep[i], marks.back());
  }
  std::string h = home;
  while (h.size() > 1 && h.back() == '/') h.pop_back();
  if (!h.empty() && h != "/") text = replace_word(std::move(text), h, "~", /*whole_path=*/true);
  if (!hostname.empty()) text = replace_word(std::move(text), hostname, "<host>");
  // "root" and one- or two-letter names say nothing about a person and would mangle text.
  if (user.size() > 2 && user != "root") text = replace_word(std::move(text), user, "<user>");
  for (size_t i = 0; i < keep.size(); ++i) text = replace_all(std::move(text), marks[i], keep[i]);
  return text;
}

}  // namespace gpuenv
