#pragma once
// Shared between the pieces of the static Python probe (python_*.cpp), nothing else.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "probe/python.hpp"

namespace gpuenv::python_probe {

// Non-empty and made only of characters in `set`.
bool all_of_chars(std::string_view s, std::string_view set);
// "3.11", "3.11.9": digits and dots, at least one dot.
bool is_version(std::string_view v);

// The directories of an interpreter's sys.path that can hold distributions, with their scans, in sys.path order.
using SiteDirs = std::vector<std::pair<std::string, const SiteScanCache::Dir*>>;
// The frameworks (torch, tensorflow, jax, cupy) in those directories, appended to py.frameworks; a later copy
// of a framework is shadowed by the first (python_frameworks.cpp).
void add_frameworks(const Fs& fs, Interpreter& py, const SiteDirs& dirs);

}  // namespace gpuenv::python_probe
