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

// A version manager's shim (pyenv's and asdf's scripts, mise's links, all in a
// .../shims/ directory) resolved to the executable the manager would run, the way
// the manager chooses it (pyenv: PYENV_VERSION, .python-version from PWD up,
// $PYENV_ROOT/version, each a version or a prefix of one, then the system PATH;
// asdf: ASDF_PYTHON_VERSION, .tool-versions from PWD up, ~/.tool-versions; mise:
// MISE_PYTHON_VERSION, mise.toml/.mise.toml/.tool-versions from PWD up, the global
// config). Read from files only; the shim is never run (python_shims.cpp).
struct ShimResolution {
  std::string shim;      // the path asked about
  std::string manager;   // "pyenv", "asdf", "mise"; "" when the path is no shim
  std::string target;    // what the manager would run; "" when it would find nothing
  std::string selected;  // the versions selected and where from: "3.11.7 (/root/.pyenv/version)"
  // "<shim> is pyenv's shim for <target> (selected: ...)" or "..., and pyenv would find no python3.12 (...)".
  std::string describe() const;
};
ShimResolution resolve_shim(const ProbeContext& ctx, const std::string& path);
// The version files' grammars: pyenv's .python-version (words, ':' or blank separated, '#' comments),
// a .tool-versions line for one tool, a mise.toml [tools] entry ("3.12", ["3.12", "3.11"], { version = "3.12" }).
std::vector<std::string> pyenv_version_file_words(std::string_view text);
std::vector<std::string> tool_versions_entry(std::string_view text, const std::string& tool);
std::vector<std::string> mise_toml_tool(std::string_view text, const std::string& tool);

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
