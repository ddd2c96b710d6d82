#pragma once
// Compatibility facts, loaded from the TOML data files under src/knowledge/
// (embedded at build time; GPUENV_KNOWLEDGE_DIR overrides them at run time).
// Checks read facts through this class; no version table lives in C++.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace toml {
inline namespace v3 {
class table;
}
}  // namespace toml

namespace gpuenv {

struct ErrorFact {
  int code = 0;
  std::string name;
  std::string meaning;
  std::string cause;  // may be empty
  std::string fix;    // may be empty
  std::string source;
};

class Knowledge {
 public:
  // Loads the embedded files (or GPUENV_KNOWLEDGE_DIR). Throws std::runtime_error on a malformed file.
  static const Knowledge& get();
  static std::unique_ptr<Knowledge> load_from_dir(const std::string& dir);
  static std::unique_ptr<Knowledge> load_embedded();

  Knowledge();
  ~Knowledge();

  const ErrorFact* cuda_error(int code) const;
  const ErrorFact* nvml_error(int code) const;

  // Raw access to a parsed file (name without ".toml"); nullptr when absent.
  const toml::table* file(const std::string& name) const;
  std::vector<std::string> file_names() const;

 private:
  void add_file(const std::string& name, const std::string& text);
  void index();
  std::map<std::string, std::unique_ptr<toml::table>> files_;
  std::map<int, ErrorFact> cuda_errors_, nvml_errors_;
};

}  // namespace gpuenv
