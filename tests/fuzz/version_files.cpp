// The version managers' files as the shim resolver reads them (probe/python_shims.cpp): pyenv's
// .python-version, a .tool-versions line, a mise.toml [tools] entry.
#include "fuzz_support.hpp"
#include "probe/python.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = gpuenv::fuzz::as_text(data, size);
  (void)gpuenv::pyenv_version_file_words(text);
  (void)gpuenv::tool_versions_entry(text, "python");
  (void)gpuenv::mise_toml_tool(text, "python");
  return 0;
}
