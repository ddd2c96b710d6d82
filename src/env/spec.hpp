#pragma once
// gpuenv.toml, the file: found by walking up from the current directory, read
// and parsed into a Spec (src/model/spec.hpp; docs/run-and-lock.md).
#include <optional>
#include <string>

#include "model/spec.hpp"
#include "util/fs.hpp"
#include "util/result.hpp"

namespace gpuenv {

inline constexpr int kSpecSchema = 1;

// Parses the text of a spec; `path` names the file in errors ("gpuenv.toml:4:9: ...").
// Unknown keys and wrong types are errors, so a typo never goes unnoticed.
Result<Spec> parse_spec(std::string_view text, const std::string& path);

// Walks up from `start_dir` (absolute) to "/" and returns the first gpuenv.toml found.
std::optional<std::string> find_spec(const std::string& start_dir, const Fs& fs = Fs());

// Reads and parses a spec file.
Result<Spec> load_spec(const std::string& path, const Fs& fs = Fs());

// The spec that applies in `dir` (absolute; found walking up, read through `fs`), as doctor looks for it:
// neither a spec nor an error when there is none (or `dir` is not absolute); the error when the file found
// cannot be read or parsed.
FoundSpec spec_for_directory(const std::string& dir, const Fs& fs);

}  // namespace gpuenv
