#include "app/doctor.hpp"

#include "knowledge/knowledge.hpp"
#include "model/json.hpp"
#include "probe/deep.hpp"
#include "probe/snapshot.hpp"
#include "util/errors.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace gpuenv {

namespace {

std::vector<std::string> split_ids(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (auto& s : in)
    for (auto& p : split(s, ',', false)) out.push_back(std::string(trim(p)));
  return out;
}

}  // namespace

DoctorReport run_doctor_pipeline(const DoctorInputs& a) {
  CheckFilter filter{split_ids(a.only), split_ids(a.skip)};
  auto unknown = unknown_check_ids(filter);
  if (!unknown.empty()) {
    auto hint = suggest_check_id(unknown[0]);
    throw UsageError("unknown check ID '" + unknown[0] + "'" + (hint.empty() ? "" : " (did you mean " + hint + "?)") +
                     "; 'gpuenv checks' lists them");
  }
  if (a.driver.timeout <= 0) throw UsageError("--timeout must be a positive number of seconds");
  if (a.deep && a.deep_timeout <= 0) throw UsageError("--deep-timeout must be a positive number of seconds");
  if (a.deep && !a.from.empty())
    throw UsageError("--deep imports the frameworks on this machine; --from replays a snapshot, with the deep results it holds");
  if (a.deep && a.root != "/") throw UsageError("--deep runs the interpreters of this machine and cannot be combined with --root");

  DoctorReport run;
  Snapshot& snap = run.snap;
  if (!a.from.empty()) {
    auto doc = parse_doctor_json(read_input_file(a.from));
    if (!doc) throw UsageError((a.from == "-" ? std::string("stdin") : a.from) + ": " + doc.error());
    snap = std::move(doc->snapshot);
  } else {
    Fs probe_root(a.root);
    if (!probe_root.is_dir("/")) throw UsageError("--root " + a.root + " is not a directory");
    SnapshotOptions o = snapshot_options(a.root, current_environment(), a.driver);
    o.on_slow = a.on_progress;
    o.hash_files = a.deep;
    auto pwd = o.env.find("PWD");
    std::string dir = pwd == o.env.end() ? "" : pwd->second;
    o.find_spec = [&a, dir, root = a.root] { return a.spec ? *a.spec : spec_for_directory(dir, Fs(root)); };
    snap = take_snapshot(o);
    if (a.deep) {
      DeepOptions d;
      d.timeout_s = a.deep_timeout;
      d.on_progress = a.on_progress;
      snap.deep = probe_deep(snap, d);
    }
  }
  run.findings = run_checks(snap, Knowledge::get(), filter);
  run.selection.only = filter.only;
  run.selection.skip = filter.skip;
  for (auto& c : all_checks()) {
    if (filter.selects(c.id)) run.checks.push_back({c.id, c.severity});
    else run.selection.skipped.push_back(c.id);
  }
  return run;
}

}  // namespace gpuenv
