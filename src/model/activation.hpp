#pragma once
// The result of activation (env/activate.hpp computes it): the new environment and each variable's change with
// its reasons. A model type, so the renderers of `gpuenv env` and `run -v` (src/report/) read it.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/environment.hpp"

namespace gpuenv {

struct VarChange {
  std::string name;
  std::optional<std::string> before, after;  // nullopt: unset
  std::vector<std::string> why;              // one line per reason, in the order they were applied
  std::vector<std::pair<std::string, std::string>> removed;  // list entries dropped, with the reason
  std::vector<std::string> added;                            // list entries added
};

struct Activation {
  Environment env;                  // the complete new environment
  std::vector<VarChange> changes;   // sorted by variable name
  std::vector<std::string> errors;  // why the environment cannot be built (nothing runs)
  std::vector<std::string> notes;   // worth saying with -v
  std::string interpreter;          // the declared interpreter's path, "" when none is declared
  // A directory of links (python, python3, python3.X -> interpreter) put first
  // on PATH when the interpreter's own directory cannot be (a system bin dir).
  std::string shim_dir;
  std::vector<std::pair<std::string, std::string>> shim_links;  // link name, target
  const VarChange* change(const std::string& name) const {
    for (auto& c : changes)
      if (c.name == name) return &c;
    return nullptr;
  }
};

}  // namespace gpuenv
