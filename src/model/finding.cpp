#include "model/finding.hpp"

namespace gpuenv {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Info: return "info";
  }
  return "error";
}

bool parse_severity(const std::string& s, Severity& out) {
  if (s == "error") out = Severity::Error;
  else if (s == "warning") out = Severity::Warning;
  else if (s == "info") out = Severity::Info;
  else return false;
  return true;
}

Summary summarize(const std::vector<Finding>& findings) {
  Summary s;
  for (auto& f : findings) {
    if (f.severity == Severity::Error) ++s.errors;
    else if (f.severity == Severity::Warning) ++s.warnings;
    else ++s.infos;
  }
  return s;
}

}  // namespace gpuenv
