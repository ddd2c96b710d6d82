#pragma once
// Which PYTHONPATH entries belong to another interpreter or Python version.
// Pure functions over path strings: the motivating case is a nix-shell whose
// PYTHONPATH holds ~50 store paths, some of them of python3.12 or of another
// interpreter's prefix, while the shell declares Python 3.11.
#include <string>
#include <string_view>
#include <vector>

namespace gpuenv {

// "3.12" for ".../lib/python3.12/site-packages", "/nix/store/<hash>-python3-3.12.4/...",
// "/nix/store/<hash>-python3.12-numpy-1.26.4/..."; "" when the path names no version.
std::string python_version_in_path(std::string_view path);

// The prefix of the Python installation that `path` lies in, when the path
// itself says so: P for "P/lib/python3.X/site-packages[/...]" (also
// dist-packages, lib64), or the store path of a Nix interpreter
// ("/nix/store/<hash>-python3-3.11.9[-env]"). "" otherwise.
std::string python_prefix_in_path(std::string_view path);

// A Nix store path of an interpreter (not a package): "/nix/store/<hash>-python3-3.11.9"
// or "...-python3-3.11.9-env"; "" otherwise.
std::string nix_interpreter_prefix(std::string_view path);

// "3.11" from "3.11.9" (or "3.11").
std::string python_minor_version(std::string_view version);

struct PythonIdentity {
  std::string version;                   // of the declared interpreter: "3.11" or "3.11.9"
  std::vector<std::string> own_prefixes; // its prefix, base prefix, and the store path it really lives in
};

struct EntryVerdict {
  bool keep = true;
  std::string reason;  // why it goes (empty when kept)
};

// other_prefixes: prefixes of other interpreters known on this machine (venvs,
// conda environments, system Pythons) — entries inside their site-packages go.
EntryVerdict classify_pythonpath_entry(std::string_view entry, const PythonIdentity& self,
                                       const std::vector<std::string>& other_prefixes);

struct PythonPathRepair {
  std::vector<std::string> kept;
  std::vector<std::pair<std::string, std::string>> removed;  // entry, reason
};
// Applies classify_pythonpath_entry to every entry of a PYTHONPATH value, in
// order, also dropping repeats of an earlier entry.
PythonPathRepair repair_pythonpath(std::string_view value, const PythonIdentity& self,
                                   const std::vector<std::string>& other_prefixes);

}  // namespace gpuenv
