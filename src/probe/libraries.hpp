#pragma once
// The library analysis shared by `gpuenv doctor` (probe_libraries) and
// `gpuenv ldd FILE`: loader configuration of the inspected machine and the
// resolution of one consumer.
#include <optional>
#include <string>
#include <vector>

#include "elf/resolver.hpp"
#include "knowledge/knowledge.hpp"
#include "model/snapshot.hpp"
#include "probe/context.hpp"

namespace gpuenv {

// The loader's configuration for programs of `arch` ("" = the host's, s.host.arch; when that is unknown, the
// machine this gpuenv was built for).
elf::LoaderConfig loader_config(const ProbeContext& ctx, const Snapshot& s, const std::string& arch = "");
// The resolver for the file `path`: `host`, or for a file of the other 64-bit machine gpuenv knows (an arm64 tree
// under --root on x86_64, or the kernel's machine not the userland's, as under qemu-user) one with that machine's
// loader configuration, as its own loader would use, made in `other` once for all such files.
const elf::Resolver& resolver_for_file(const ProbeContext& ctx, const Snapshot& s, const elf::Resolver& host,
                                       const std::string& path, std::optional<elf::Resolver>& other);

// Resolves a file the user names, as `ldd` would (loaded by path from a
// program without RPATH), with its GPU code when `fatbin` is set.
Consumer resolve_file(const ProbeContext& ctx, const elf::Resolver& r, const Snapshot& s, const std::string& path,
                      bool fatbin);

// Site-packages directories to search for wheels: from the Python probe, or the fallback.
std::vector<std::string> site_package_dirs(const ProbeContext& ctx, const Snapshot& s);

// Reads the GPU code of one file: its .nv_fatbin section, then the containers found by their magic in its other
// data sections (elf::scan_fatbins); empty lists when it has none.
FatbinInfo read_fatbin(const Fs& fs, const std::string& path);

}  // namespace gpuenv
