// The doctor JSON document (docs/schema.md): model/json.cpp's snapshot and findings, and, when --only/--skip
// left checks out, which checks ran and which were skipped.
#include "model/json.hpp"
#include "report/report.hpp"

namespace gpuenv {

std::string render_json(const DoctorReport& r) {
  Json j = doctor_to_json(r.snap, r.findings);
  if (r.selection.partial()) {
    Json checks = Json::array();
    for (auto& c : check_outcomes(r)) checks.push_back(Json{{"id", c.id}, {"status", check_status_name(c.status)}});
    Json sel = Json{{"only", r.selection.only},
                    {"skip", r.selection.skip},
                    {"ran", r.checks.size()},
                    {"skipped", r.selection.skipped.size()},
                    {"checks", checks}};
    // After "summary", before the findings: a reader sees at once that the verdict covers a selection.
    Json out = Json::object();
    for (auto it = j.begin(); it != j.end(); ++it) {
      out[it.key()] = it.value();
      if (it.key() == "summary") out["selection"] = sel;
    }
    j = std::move(out);
  }
  return json_text(j) + "\n";
}

}  // namespace gpuenv
