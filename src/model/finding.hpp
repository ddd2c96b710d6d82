#pragma once
#include <string>
#include <utility>
#include <vector>

namespace gpuenv {

enum class Severity { Error, Warning, Info };
const char* severity_name(Severity s);
bool parse_severity(const std::string& s, Severity& out);

struct Evidence {
  std::string key;
  std::string value;
};

struct Finding {
  std::string id;        // stable check ID, e.g. driver.version-mismatch
  Severity severity = Severity::Error;
  std::string title;     // one line: what is wrong
  std::string subject;   // what it is about (a GPU, a library path, an interpreter), may be empty
  std::vector<Evidence> evidence;
  std::string cause;     // the root cause in one sentence
  std::string fix;       // the exact fix: a command or a config line, may be several lines

  Finding& add(std::string key, std::string value) {
    evidence.push_back({std::move(key), std::move(value)});
    return *this;
  }
};

struct Summary {
  int errors = 0, warnings = 0, infos = 0;
  bool healthy() const { return errors == 0; }
};
Summary summarize(const std::vector<Finding>& findings);

}  // namespace gpuenv
