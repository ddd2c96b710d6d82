#pragma once
// The gpuenv.toml that `gpuenv init` writes from the current environment.
#include <string>
#include <vector>

#include "model/finding.hpp"
#include "model/snapshot.hpp"

namespace gpuenv {

// py: the interpreter to declare (nullptr: a commented [python] section).
// open_findings: listed as comments at the top (init --force).
std::string render_initial_spec(const Snapshot& s, const Interpreter* py, const std::string& spec_dir,
                                const std::vector<Finding>& open_findings);

}  // namespace gpuenv
