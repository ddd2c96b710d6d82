// `doctor --from` JSON (model/json parse_doctor_json), then everything a replayed document reaches:
// the checks, every report format (text -vv, JSON, Markdown, Prometheus, NFD), --redact, and the lock
// written from it, which must read back.
#include <cstdlib>

#include "checks/check.hpp"
#include "fleet/fingerprint.hpp"
#include "fuzz_support.hpp"
#include "knowledge/knowledge.hpp"
#include "lock/lock.hpp"
#include "model/json.hpp"
#include "report/report.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpuenv;
  auto doc = parse_doctor_json(std::string(fuzz::as_text(data, size)));
  if (!doc) return 0;
  const Snapshot& s = doc->snapshot;
  auto findings = run_checks(s, Knowledge::get());
  TextOptions t;
  t.verbosity = 2;
  auto redact = Redactor::from(s);
  (void)redact.apply(render_text(s, findings, t));
  auto json = render_json(DoctorReport{s, findings});
  if (!parse_doctor_json(json)) std::abort();  // what doctor --json prints, doctor --from reads
  (void)redact.apply(render_markdown(DoctorReport{s, findings}));
  ExporterOptions e;
  e.stack_fingerprint = stack_fingerprint(s).digest;
  (void)render_prometheus(s, findings, e);
  (void)render_nfd(s, findings, e);
  auto lock = lock_from_snapshot(s, -1, nullptr);
  if (!parse_lock(render_lock(lock), "gpuenv.lock")) std::abort();  // lock then verify
  return 0;
}
