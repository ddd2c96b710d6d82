#include "model/json.hpp"
#include "model/snapshot_fields.hpp"

#include <fmt/format.h>
#include <cstdint>

namespace gpuenv {

void to_json(Json& j, const Severity& s) { j = severity_name(s); }
void from_json(const Json& j, Severity& s) {
  if (!j.is_string() || !parse_severity(j.get<std::string>(), s))
    throw nlohmann::json::type_error::create(302, "severity must be error, warning or info", nullptr);
}

GPUENV_JSON_DEFINE(HostInfo)
GPUENV_JSON_DEFINE(PciDevice)
GPUENV_JSON_DEFINE(DeviceNode)
GPUENV_JSON_DEFINE(DeviceCgroup)
GPUENV_JSON_DEFINE(KernelDriver)
GPUENV_JSON_DEFINE(CudaDevice)

// A probe status is its string in the JSON (docs/schema.md); an unknown string is an error naming the field.
void to_json(Json& j, ProbeStatus v) { j = std::string(to_string(v)); }
void from_json(const Json& j, ProbeStatus& v) {
  auto s = probe_status_from_string(j.get<std::string>());
  if (!s) throw nlohmann::json::other_error::create(599, "unknown probe status '" + j.get<std::string>() + "'", nullptr);
  v = *s;
}

GPUENV_JSON_DEFINE(CudaProbe)
GPUENV_JSON_DEFINE(NvmlDevice)
GPUENV_JSON_DEFINE(GpuLink)
GPUENV_JSON_DEFINE(NvmlProbe)
GPUENV_JSON_DEFINE(LibraryCopy)
GPUENV_JSON_DEFINE(Resolution)
GPUENV_JSON_DEFINE(FatbinInfo)
GPUENV_JSON_DEFINE(Consumer)
GPUENV_JSON_DEFINE(Preload)
GPUENV_JSON_DEFINE(Libraries)
GPUENV_JSON_DEFINE(PathEntry)
GPUENV_JSON_DEFINE(RecordCheck)
GPUENV_JSON_DEFINE(Distribution)
GPUENV_JSON_DEFINE(Framework)
GPUENV_JSON_DEFINE(ShadowedModule)
GPUENV_JSON_DEFINE(Interpreter)
GPUENV_JSON_DEFINE(PythonInfo)
GPUENV_JSON_DEFINE(NixBinary)
GPUENV_JSON_DEFINE(NixInfo)
GPUENV_JSON_DEFINE(CudaToolkit)
GPUENV_JSON_DEFINE(ToolkitInfo)
GPUENV_JSON_DEFINE(DeepResult)
GPUENV_JSON_DEFINE(DeepProbe)
GPUENV_JSON_DEFINE(Snapshot)
GPUENV_JSON_DEFINE(Evidence)
GPUENV_JSON_DEFINE(Finding)

Json doctor_to_json(const Snapshot& s, const std::vector<Finding>& findings) {
  auto sum = summarize(findings);
  Json j = Json::object();
  j["schema_version"] = kSchemaVersion;
  j["tool"] = "gpuenv";
  j["tool_version"] = s.tool_version;
  j["verdict"] = sum.healthy() ? "ready" : "problems";
  j["summary"] = Json{{"errors", sum.errors}, {"warnings", sum.warnings}, {"infos", sum.infos}};
  j["findings"] = findings;
  j["snapshot"] = s;
  return j;
}

std::string json_text(const Json& j, int indent) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

Result<DoctorDocument> parse_doctor_json(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Re-parse with exceptions to get the byte position of the error.
    try {
      auto discard = Json::parse(text);
      (void)discard;
    } catch (const nlohmann::json::parse_error& e) {
      return make_error(fmt::format("not valid JSON (byte {}): {}", e.byte, e.what()));
    } catch (const nlohmann::json::exception& e) {  // a number out of range (1e400)
      return make_error(std::string("not valid JSON: ") + e.what());
    }
    return make_error("not valid JSON");
  }
  if (!j.is_object()) return make_error("expected a JSON object (a gpuenv doctor --json document or a snapshot)");
  // A doctor document's own schema_version first: a newer document may have changed everything in it.
  auto too_new = [](const Json& v) {
    return v.is_number_unsigned() ? v.get<std::uint64_t>() > std::uint64_t(kSchemaVersion)
                                  : v.get<std::int64_t>() > kSchemaVersion;
  };
  if (auto top = j.find("schema_version"); top != j.end() && j.contains("snapshot")) {
    if (!top->is_number_integer()) return make_error("schema_version is not an integer");
    if (too_new(*top))
      return make_error(fmt::format("document schema {} is newer than this gpuenv understands ({}); upgrade gpuenv",
                                    top->dump(), kSchemaVersion));
  }
  const Json* snap = &j;
  if (j.contains("snapshot")) snap = &j["snapshot"];
  if (!snap->is_object() || !snap->contains("schema_version"))
    return make_error("no schema_version: this is not a gpuenv snapshot");
  const auto& sv = (*snap)["schema_version"];
  if (!sv.is_number_integer()) return make_error("schema_version is not an integer");
  if (too_new(sv))
    return make_error(fmt::format("snapshot schema {} is newer than this gpuenv understands ({}); upgrade gpuenv",
                                  sv.dump(), kSchemaVersion));
  std::int64_t version = sv.get<std::int64_t>();
  if (version < 1) return make_error(fmt::format("invalid schema_version {}", version));
  DoctorDocument doc;
  try {
    snap->get_to(doc.snapshot);
    if (snap != &j && j.contains("findings")) j["findings"].get_to(doc.findings);
  } catch (const nlohmann::json::exception& e) {
    return make_error(std::string("invalid snapshot: ") + e.what());
  }
  return doc;
}

}  // namespace gpuenv
