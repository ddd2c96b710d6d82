#pragma once
// The static Python probe, in pieces that other commands reuse: `gpuenv run`
// only needs locate_declared_interpreter and inspect_interpreter (cheap: a
// pyvenv.cfg, a directory listing); doctor runs the whole of probe_python
// (sys.path, distributions, frameworks). Nothing here runs an interpreter:
// everything is read from files. One file per concern: python_interpreters.cpp,
// python_syspath.cpp, python_dists.cpp, python_frameworks.cpp, python_discovery.cpp.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/python.hpp"
#include "model/spec.hpp"
#include "probe/context.hpp"
#include "util/result.hpp"

namespace gpuenv {

// What a Python installation says about itself without running it: pyvenv.cfg,
// store path names, pyenv version directories, the lib/pythonX.Y directory,
// the libpython file name, include/pythonX.Y/patchlevel.h.
// path: the executable as found; real: where it really lives ("" = fs.realpath(path)).
Interpreter inspect_interpreter(const Fs& fs, const std::string& path, const std::string& real = "");

// A pyenv shim (a script under .../shims/ that execs pyenv) resolved to the
// executable it would run: PYENV_VERSION, then .python-version walking up from
// PWD, then $PYENV_ROOT/version. "" when `path` is no shim or names nothing.
bool is_pyenv_shim(const Fs& fs, const std::string& path);
std::string resolve_pyenv_shim(const ProbeContext& ctx, const std::string& path);

// The interpreter a script's shebang names: "#!/x/python3", "#!/usr/bin/env python3"
// (looked up on PATH), and pip's long-path form "#!/bin/sh" + "'''exec' /x/python ...".
std::string shebang_interpreter(const ProbeContext& ctx, const std::string& script);

// The first executable `name` in a PATH value, "" when none.
std::string find_on_path(const Fs& fs, const std::string& name, const std::string& path_value);

// Adds an interpreter unless the same one (same path, or same real file and
// prefix) is there; records found_as either way. Returns its index.
int add_interpreter(PythonInfo& info, Interpreter py, const std::string& found_as);

struct DeclaredInterpreter {
  int index = -1;          // into PythonInfo::interpreters
  std::string error;       // when the spec declares one and it is not there
  bool python_in_bin_dir = false;
};

// Adds the spec's interpreter (found_as "spec") and the environments that
// PYTHONPATH and VIRTUAL_ENV point into (found_as "PYTHONPATH", "VIRTUAL_ENV")
// to info.interpreters, unless already there. probe_python calls it with
// ProbeContext::spec; `gpuenv run`'s light probe (env/locate.hpp) too. When ProbeContext::declared_interpreter
// is set, that one is taken instead of looking for it.
DeclaredInterpreter locate_declared_interpreter(const ProbeContext& ctx, const Spec& spec, PythonInfo& info);

// Fills py.sys_path and py.pth_imports the way CPython's getpath and site
// modules would for this environment (PYTHONPATH, PYTHONHOME, PYTHONNOUSERSITE,
// PYTHONUSERBASE, HOME): stdlib, lib-dynload, user site, site-packages or
// Debian's dist-packages, .pth files in sorted order. Needs py.version.
// With a cache, directory listings are shared with scan_distributions.
struct SiteScanCache;
void compute_sys_path(const ProbeContext& ctx, Interpreter& py, SiteScanCache* cache = nullptr);

// Distributions (*.dist-info/METADATA, *.egg-info/PKG-INFO headers only) and
// frameworks (torch, tensorflow, jax, cupy) of the interpreter's sys.path.
// The cache holds directory scans shared between interpreters.
struct SiteScanCache {
  struct Dir {
    bool listed = false, scanned = false;
    std::vector<std::string> names;  // sorted listing
    std::vector<Distribution> dists;
  };
  std::map<std::string, Dir> dirs;
  const std::vector<std::string>& names(const Fs& fs, const std::string& dir);
  const Dir& scan(const Fs& fs, const std::string& dir);
};
void scan_distributions(const ProbeContext& ctx, Interpreter& py, SiteScanCache& cache);

// PEP 503: lower case, runs of '-', '_', '.' become '-'.
std::string normalize_dist_name(std::string_view name);

// Parses the header block of METADATA/PKG-INFO (up to the first blank line).
void parse_metadata_headers(std::string_view text, Distribution& d);

// "torch" from "torch-2.11.0+cu130.dist-info" is not reliable (names with '-');
// this gives the name and version encoded in a .dist-info/.egg-info directory name.
std::pair<std::string, std::string> split_metadata_dir_name(std::string_view name);

// One row of a RECORD file: the path relative to the install directory, "sha256=<urlsafe base64>" (may be
// empty), and the size in bytes (-1: none given; -2: not a number).
struct RecordEntry {
  std::string path;
  std::string hash;
  long long size = -1;
};
// Parses RECORD as Python's csv module reads it (quoted fields, doubled quotes, CRLF); an error for an
// unclosed quote or more than max_rows rows.
Result<std::vector<RecordEntry>> parse_record(std::string_view text, std::size_t max_rows);

// Compares the files the RECORD of each GPU distribution (nvidia-*, the frameworks' own; not Debian's or
// conda's) lists with the disk: presence and size, sha256 too when ctx.hash_files. Fills Distribution::record;
// `done` remembers the distributions already compared (shared between interpreters).
void check_records(const ProbeContext& ctx, Interpreter& py, std::map<std::string, RecordCheck>& done);

}  // namespace gpuenv
