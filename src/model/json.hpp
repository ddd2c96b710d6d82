#pragma once
// JSON of the model (schema documented in docs/schema.md).
#include <string>
#include <vector>

#include "model/finding.hpp"
#include "model/json_fields.hpp"
#include "model/snapshot.hpp"
#include "util/result.hpp"

namespace gpuenv {

GPUENV_JSON_DECLARE(HostInfo)
GPUENV_JSON_DECLARE(PciDevice)
GPUENV_JSON_DECLARE(DeviceNode)
GPUENV_JSON_DECLARE(DeviceCgroup)
GPUENV_JSON_DECLARE(KernelDriver)
GPUENV_JSON_DECLARE(CudaDevice)
GPUENV_JSON_DECLARE(CudaProbe)
GPUENV_JSON_DECLARE(NvmlDevice)
GPUENV_JSON_DECLARE(GpuLink)
GPUENV_JSON_DECLARE(NvmlProbe)
GPUENV_JSON_DECLARE(LibraryCopy)
GPUENV_JSON_DECLARE(Resolution)
GPUENV_JSON_DECLARE(FatbinInfo)
GPUENV_JSON_DECLARE(Consumer)
GPUENV_JSON_DECLARE(Preload)
GPUENV_JSON_DECLARE(Libraries)
GPUENV_JSON_DECLARE(PathEntry)
GPUENV_JSON_DECLARE(RecordCheck)
GPUENV_JSON_DECLARE(Distribution)
GPUENV_JSON_DECLARE(Framework)
GPUENV_JSON_DECLARE(ShadowedModule)
GPUENV_JSON_DECLARE(Interpreter)
GPUENV_JSON_DECLARE(PythonInfo)
GPUENV_JSON_DECLARE(NixBinary)
GPUENV_JSON_DECLARE(NixInfo)
GPUENV_JSON_DECLARE(CudaToolkit)
GPUENV_JSON_DECLARE(ToolkitInfo)
GPUENV_JSON_DECLARE(DeepResult)
GPUENV_JSON_DECLARE(DeepProbe)
GPUENV_JSON_DECLARE(Snapshot)
GPUENV_JSON_DECLARE(Evidence)
GPUENV_JSON_DECLARE(Finding)

// The document `doctor --json` prints and `doctor --from` reads.
struct DoctorDocument {
  Snapshot snapshot;
  std::vector<Finding> findings;
};

Json doctor_to_json(const Snapshot& s, const std::vector<Finding>& findings);
// JSON text as gpuenv prints it: indented by two, a byte that is not valid UTF-8 (a path, a variable, a host
// name, a log line) becomes U+FFFD instead of an error (docs/schema.md).
std::string json_text(const Json& j, int indent = 2);
// Accepts a full doctor document or a bare snapshot object. Errors for
// malformed JSON, a newer schema, or wrong field types; never throws.
Result<DoctorDocument> parse_doctor_json(const std::string& text);

}  // namespace gpuenv
