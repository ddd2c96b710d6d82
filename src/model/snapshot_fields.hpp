#pragma once
// The field list of each model type in a doctor document: `fields(f, v)` calls f(key, member) for every member,
// in the order the JSON writes them. model/json.cpp maps them to and from nlohmann-json (json_fields.hpp);
// the fleet's fast reader (fleet/node_reader.cpp) reads the same lists from RapidJSON. A new field is added
// here once, and docs/schema.md says what it means.
#include "model/deep.hpp"
#include "model/finding.hpp"
#include "model/snapshot.hpp"

namespace gpuenv {

template <class F> void fields(F&& f, HostInfo& v) {
  f("hostname", v.hostname);
  f("user", v.user);
  f("home", v.home);
  f("uid", v.uid);
  f("groups", v.groups);
  f("os_id", v.os_id);
  f("os_pretty_name", v.os_pretty_name);
  f("os_version_id", v.os_version_id);
  f("kernel_release", v.kernel_release);
  f("arch", v.arch);
  f("glibc_version", v.glibc_version);
  f("container", v.container);
  f("container_hints", v.container_hints);
  f("virtualization", v.virtualization);
  f("wsl", v.wsl);
  f("nixos", v.nixos);
  f("opengl_driver_dir", v.opengl_driver_dir);
  f("shm_bytes", v.shm_bytes);
  f("net_interfaces", v.net_interfaces);
  f("ib_devices", v.ib_devices);
}

template <class F> void fields(F&& f, PciDevice& v) {
  f("address", v.address);
  f("vendor_id", v.vendor_id);
  f("device_id", v.device_id);
  f("subsystem_vendor_id", v.subsystem_vendor_id);
  f("subsystem_device_id", v.subsystem_device_id);
  f("class_id", v.class_id);
  f("name", v.name);
  f("driver", v.driver);
  f("numa_node", v.numa_node);
}

template <class F> void fields(F&& f, DeviceNode& v) {
  f("path", v.path);
  f("kind", v.kind);
  f("mode", v.mode);
  f("uid", v.uid);
  f("gid", v.gid);
  f("group", v.group);
  f("accessible", v.accessible);
  f("major", v.major);
  f("minor", v.minor);
  f("major_name", v.major_name);
  f("same_as", v.same_as);
  f("mount_point", v.mount_point);
}

template <class F> void fields(F&& f, DeviceCgroup& v) {
  f("version", v.version);
  f("file", v.file);
  f("rules", v.rules);
}

template <class F> void fields(F&& f, KernelDriver& v) {
  f("loaded", v.loaded);
  f("version", v.version);
  f("flavour", v.flavour);
  f("version_line", v.version_line);
  f("module_version", v.module_version);
  f("nouveau_loaded", v.nouveau_loaded);
  f("uvm_loaded", v.uvm_loaded);
  f("proc_gpus", v.proc_gpus);
  f("device_nodes", v.device_nodes);
  f("char_majors", v.char_majors);
  f("device_cgroup", v.device_cgroup);
}

template <class F> void fields(F&& f, CudaDevice& v) {
  f("index", v.index);
  f("name", v.name);
  f("cc_major", v.cc_major);
  f("cc_minor", v.cc_minor);
  f("total_memory", v.total_memory);
  f("uuid", v.uuid);
  f("pci_bus_id", v.pci_bus_id);
}

template <class F> void fields(F&& f, CudaProbe& v) {
  f("status", v.status);
  f("requested", v.requested);
  f("library_path", v.library_path);
  f("library_version", v.library_version);
  f("dlerror", v.dlerror);
  f("stage", v.stage);
  f("driver_version", v.driver_version);
  f("init_result", v.init_result);
  f("init_error_name", v.init_error_name);
  f("init_error_string", v.init_error_string);
  f("device_count", v.device_count);
  f("devices", v.devices);
  f("default_order", v.default_order);
  f("signal", v.signal);
  f("elapsed_ms", v.elapsed_ms);
}

template <class F> void fields(F&& f, NvmlDevice& v) {
  f("index", v.index);
  f("name", v.name);
  f("uuid", v.uuid);
  f("pci_bus_id", v.pci_bus_id);
  f("cc_major", v.cc_major);
  f("cc_minor", v.cc_minor);
  f("memory_total", v.memory_total);
  f("mig_current", v.mig_current);
  f("mig_pending", v.mig_pending);
  f("nvlinks_active", v.nvlinks_active);
}

template <class F> void fields(F&& f, GpuLink& v) {
  f("a", v.a);
  f("b", v.b);
  f("topology", v.topology);
  f("p2p_read", v.p2p_read);
  f("p2p_nvlink", v.p2p_nvlink);
  f("nvlinks", v.nvlinks);
}

template <class F> void fields(F&& f, NvmlProbe& v) {
  f("status", v.status);
  f("requested", v.requested);
  f("library_path", v.library_path);
  f("library_version", v.library_version);
  f("dlerror", v.dlerror);
  f("stage", v.stage);
  f("init_result", v.init_result);
  f("init_error", v.init_error);
  f("driver_version", v.driver_version);
  f("cuda_driver_version", v.cuda_driver_version);
  f("devices", v.devices);
  f("links", v.links);
  f("signal", v.signal);
  f("elapsed_ms", v.elapsed_ms);
}

template <class F> void fields(F&& f, LibraryCopy& v) {
  f("name", v.name);
  f("path", v.path);
  f("realpath", v.realpath);
  f("soname", v.soname);
  f("version", v.version);
  f("origin", v.origin);
  f("stub", v.stub);
  f("size", v.size);
  f("arch", v.arch);
  f("elf_class", v.elf_class);
  f("package", v.package);
  f("elf_error", v.elf_error);
}

template <class F> void fields(F&& f, Resolution& v) {
  f("name", v.name);
  f("kind", v.kind);
  f("when", v.when);
  f("requested_by", v.requested_by);
  f("path", v.path);
  f("realpath", v.realpath);
  f("family", v.family);
  f("version", v.version);
  f("reason", v.reason);
  f("reused", v.reused);
  f("depth", v.depth);
  f("considered", v.considered);
  f("skipped", v.skipped);
  f("damage", v.damage);
}

template <class F> void fields(F&& f, FatbinInfo& v) {
  f("path", v.path);
  f("sass", v.sass);
  f("ptx", v.ptx);
  f("error", v.error);
  f("sections", v.sections);
}

template <class F> void fields(F&& f, Consumer& v) {
  f("name", v.name);
  f("kind", v.kind);
  f("version", v.version);
  f("location", v.location);
  f("interpreter", v.interpreter);
  f("model", v.model);
  f("loads", v.loads);
  f("kernels", v.kernels);
}

template <class F> void fields(F&& f, Preload& v) {
  f("entry", v.entry);
  f("source", v.source);
  f("path", v.path);
  f("realpath", v.realpath);
  f("soname", v.soname);
  f("family", v.family);
}

template <class F> void fields(F&& f, Libraries& v) {
  f("copies", v.copies);
  f("consumers", v.consumers);
  f("site_dirs", v.site_dirs);
  f("ld_cache_format", v.ld_cache_format);
  f("system_dirs", v.system_dirs);
  f("hwcaps", v.hwcaps);
  f("preload", v.preload);
}

template <class F> void fields(F&& f, PathEntry& v) {
  f("path", v.path);
  f("origin", v.origin);
  f("pth_file", v.pth_file);
  f("exists", v.exists);
}

template <class F> void fields(F&& f, RecordCheck& v) {
  f("entries", v.entries);
  f("missing", v.missing);
  f("missing_count", v.missing_count);
  f("changed", v.changed);
  f("changed_count", v.changed_count);
  f("hashed", v.hashed);
  f("error", v.error);
}

template <class F> void fields(F&& f, Distribution& v) {
  f("name", v.name);
  f("version", v.version);
  f("location", v.location);
  f("metadata", v.metadata);
  f("requires_dist", v.requires_dist);
  f("installer", v.installer);
  f("shadowed_by", v.shadowed_by);
  f("record", v.record);
}

template <class F> void fields(F&& f, Framework& v) {
  f("name", v.name);
  f("version", v.version);
  f("location", v.location);
  f("distribution", v.distribution);
  f("cuda_build", v.cuda_build);
  f("cuda_version", v.cuda_version);
  f("cudnn_version", v.cudnn_version);
  f("variant", v.variant);
  f("required_wheels", v.required_wheels);
  f("arch_list", v.arch_list);
  f("shadowed_by", v.shadowed_by);
}

template <class F> void fields(F&& f, ShadowedModule& v) {
  f("name", v.name);
  f("wins", v.wins);
  f("shadowed", v.shadowed);
}

template <class F> void fields(F&& f, Interpreter& v) {
  f("path", v.path);
  f("realpath", v.realpath);
  f("found_as", v.found_as);
  f("version", v.version);
  f("implementation", v.implementation);
  f("kind", v.kind);
  f("prefix", v.prefix);
  f("base_prefix", v.base_prefix);
  f("include_system_site_packages", v.include_system_site_packages);
  f("sys_path", v.sys_path);
  f("pth_imports", v.pth_imports);
  f("distributions", v.distributions);
  f("frameworks", v.frameworks);
  f("shadowed_modules", v.shadowed_modules);
}

template <class F> void fields(F&& f, PythonInfo& v) {
  f("interpreters", v.interpreters);
  f("active", v.active);
  f("declared", v.declared);
  f("declared_by", v.declared_by);
  f("pip", v.pip);
  f("pip_interpreter", v.pip_interpreter);
}

template <class F> void fields(F&& f, NixBinary& v) {
  f("path", v.path);
  f("cuda_needed", v.cuda_needed);
  f("runpath", v.runpath);
  f("fatbin", v.fatbin);
  f("nix_toolchain", v.nix_toolchain);
}

template <class F> void fields(F&& f, NixInfo& v) {
  f("project_dir", v.project_dir);
  f("inspected_dirs", v.inspected_dirs);
  f("binaries", v.binaries);
  f("wrappers", v.wrappers);
}

template <class F> void fields(F&& f, CudaToolkit& v) {
  f("path", v.path);
  f("realpath", v.realpath);
  f("version", v.version);
  f("version_file", v.version_file);
  f("nvcc", v.nvcc);
  f("found_as", v.found_as);
}

template <class F> void fields(F&& f, ToolkitInfo& v) {
  f("toolkits", v.toolkits);
  f("selected", v.selected);
  f("selected_by", v.selected_by);
  f("nvcc_on_path", v.nvcc_on_path);
  f("problems", v.problems);
}

template <class F> void fields(F&& f, DeepResult& v) {
  f("interpreter", v.interpreter);
  f("framework", v.framework);
  f("status", v.status);
  f("stage", v.stage);
  f("version", v.version);
  f("location", v.location);
  f("cuda_version", v.cuda_version);
  f("cudnn_version", v.cudnn_version);
  f("driver_cuda", v.driver_cuda);
  f("cuda_build", v.cuda_build);
  f("device_count", v.device_count);
  f("devices", v.devices);
  f("op_result", v.op_result);
  f("error", v.error);
  f("stderr_tail", v.stderr_tail);
  f("exit_code", v.exit_code);
  f("signal", v.signal);
  f("duration_ms", v.duration_ms);
}

template <class F> void fields(F&& f, DeepProbe& v) {
  f("ran", v.ran);
  f("timeout_s", v.timeout_s);
  f("results", v.results);
}

template <class F> void fields(F&& f, Snapshot& v) {
  f("schema_version", v.schema_version);
  f("tool_version", v.tool_version);
  f("created", v.created);
  f("root", v.root);
  f("host", v.host);
  f("pci_bus_visible", v.pci_bus_visible);
  f("pci", v.pci);
  f("kernel", v.kernel);
  f("cuda", v.cuda);
  f("nvml", v.nvml);
  f("env", v.env);
  f("python", v.python);
  f("libraries", v.libraries);
  f("nix", v.nix);
  f("deep", v.deep);
  f("probe_errors", v.probe_errors);
  f("toolkit", v.toolkit);
}

template <class F> void fields(F&& f, Evidence& v) {
  f("key", v.key);
  f("value", v.value);
}

template <class F> void fields(F&& f, Finding& v) {
  f("id", v.id);
  f("severity", v.severity);
  f("title", v.title);
  f("subject", v.subject);
  f("evidence", v.evidence);
  f("cause", v.cause);
  f("fix", v.fix);
}

}  // namespace gpuenv
