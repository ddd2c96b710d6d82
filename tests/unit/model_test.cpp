#include <gtest/gtest.h>

#include "model/json.hpp"
#include "report/report.hpp"
#include "snapshot_builder.hpp"

using namespace gpuenv;

static Snapshot sample() {
  Snapshot s = test::SnapshotBuilder()
                   .gpu(test::kH100, 9, 0, "0000:00:06.0", "GPU-42")
                   .env("CUDA_VISIBLE_DEVICES", "")
                   .env("PATH", "/home/alice/.venv/bin:/usr/bin");
  s.tool_version = "0.1.0";
  s.host.hostname = "gpu-node-01";
  s.host.user = "alice";
  s.host.home = "/home/alice";
  s.pci[0].name = "GH100";
  s.cuda.status = ProbeStatus::Ok;
  return s;
}

static Finding finding(const std::string& id, Severity severity = Severity::Error) {
  Finding f;
  f.id = id;
  f.severity = severity;
  return f;
}

TEST(Json, SnapshotRoundTrips) {
  auto s = sample();
  Finding f;
  f.id = "driver.stub-libcuda";
  f.title = "t";
  f.add("k", "v");
  auto text = doctor_to_json(s, {f}).dump();
  auto doc = parse_doctor_json(text);
  ASSERT_TRUE(doc) << doc.error();
  EXPECT_EQ(doc->snapshot.cuda.devices.at(0).name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(doc->snapshot.pci.at(0).driver, "nvidia");
  // An empty variable stays distinguishable from an unset one.
  ASSERT_NE(doc->snapshot.getenv("CUDA_VISIBLE_DEVICES"), nullptr);
  EXPECT_EQ(*doc->snapshot.getenv("CUDA_VISIBLE_DEVICES"), "");
  EXPECT_EQ(doc->findings.at(0).evidence.at(0).value, "v");
  // Stable output: the same model gives the same bytes.
  EXPECT_EQ(doctor_to_json(doc->snapshot, doc->findings).dump(), text);
}

TEST(Json, KeyOrderIsTheDocumentedOne) {
  auto j = doctor_to_json(sample(), {});
  std::vector<std::string> keys;
  for (auto& [k, v] : j.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"schema_version", "tool", "tool_version", "verdict", "summary", "findings",
                                            "snapshot"}));
}

TEST(Json, RejectsBadInputClearly) {
  EXPECT_NE(parse_doctor_json("{").error().find("not valid JSON"), std::string::npos);
  EXPECT_NE(parse_doctor_json("[1]").error().find("expected a JSON object"), std::string::npos);
  EXPECT_NE(parse_doctor_json("{\"x\":1}").error().find("schema_version"), std::string::npos);
  EXPECT_NE(parse_doctor_json("{\"schema_version\":99}").error().find("newer"), std::string::npos);
  auto bad = parse_doctor_json(R"({"schema_version":1,"cuda":{"driver_version":"thirteen"}})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("driver_version"), std::string::npos) << bad.error();
}

TEST(Json, TruncatedDocumentIsAnError) {
  auto text = doctor_to_json(sample(), {}).dump(2);
  EXPECT_FALSE(parse_doctor_json(text.substr(0, text.size() / 2)));
}

TEST(Redact, ReplacesUserHomeAndHostOnly) {
  Redactor r{"alice", "/home/alice", "vm"};
  EXPECT_EQ(r.apply("/home/alice/.venv on vm by alice; kvm alicex vm."),
            "~/.venv on <host> by <user>; kvm alicex <host>.");
  Redactor root{"root", "/root", "vm"};
  EXPECT_EQ(root.apply("--root /root/x"), "--root ~/x");
}

TEST(Verdict, CountsErrorsAndWarnings) {
  Finding e, w;
  e.severity = Severity::Error;
  w.severity = Severity::Warning;
  EXPECT_EQ(verdict_line({}), "GPU ready");
  EXPECT_EQ(verdict_line({w}), "GPU ready, with 1 warning");
  EXPECT_EQ(verdict_line({e, w}), "2 problems (1 error, 1 warning)");
}

TEST(ProbeStatus, EveryStringOfTheSchemaRoundTrips) {
  for (const char* s : {"ok", "not_found", "missing_symbols", "init_failed", "crashed", "timeout", "skipped", "error"}) {
    auto v = probe_status_from_string(s);
    ASSERT_TRUE(v) << s;
    EXPECT_EQ(to_string(*v), s);
  }
  EXPECT_FALSE(probe_status_from_string("failed"));
  EXPECT_FALSE(probe_status_from_string(""));
  // In the JSON as the string, read back as the enum; an unknown string is an error naming the field.
  auto s = sample();
  s.nvml.status = ProbeStatus::InitFailed;
  auto text = doctor_to_json(s, {}).dump();
  EXPECT_NE(text.find("\"status\":\"init_failed\""), std::string::npos);
  auto doc = parse_doctor_json(text);
  ASSERT_TRUE(doc) << doc.error();
  EXPECT_EQ(doc->snapshot.nvml.status, ProbeStatus::InitFailed);
  EXPECT_EQ(doc->snapshot.cuda.status, ProbeStatus::Ok);
  auto bad = text;
  bad.replace(bad.find("\"init_failed\""), 13, "\"exploded\"");
  EXPECT_FALSE(parse_doctor_json(bad));
}

TEST(GpuTopology, NamesAndNumbers) {
  EXPECT_EQ(topology_name(GpuTopology::SingleSwitch), "one PCIe switch");
  EXPECT_EQ(topology_short_name(GpuTopology::SingleSwitch), "PCIe switch");
  EXPECT_EQ(topology_name(GpuTopology(60)), "unknown");  // a level NVML may add later
  EXPECT_EQ(topology_short_name(GpuTopology::Unknown), "topology unknown");
  // In the JSON as NVML's number, unchanged.
  auto s = sample();
  s.nvml.links.push_back({0, 1, GpuTopology::HostBridge, 0, -1, 0});
  auto text = doctor_to_json(s, {}).dump();
  EXPECT_NE(text.find("\"topology\":30"), std::string::npos);
  auto doc = parse_doctor_json(text);
  ASSERT_TRUE(doc) << doc.error();
  ASSERT_EQ(doc->snapshot.nvml.links.size(), 1u);
  EXPECT_EQ(doc->snapshot.nvml.links[0].topology, GpuTopology::HostBridge);
}

// Nothing saw a GPU (no PCI bus here, the driver not probed) and nothing failed: not "GPU ready".
TEST(Verdict, NoGpuSeenIsNotGpuReady) {
  DoctorReport r;
  r.snap.pci_bus_visible = false;
  r.snap.cuda.status = ProbeStatus::Skipped;
  EXPECT_EQ(doctor_verdict(r), "no problems found, but no GPU seen (no PCI bus visible, the driver not probed)");
  auto w = finding("python.b", Severity::Warning);
  r.findings = {w};
  EXPECT_EQ(doctor_verdict(r), "no errors, 1 warning, but no GPU seen (no PCI bus visible, the driver not probed)");
  r.snap.kernel.proc_gpus.push_back("0000:01:00.0");  // /proc/driver/nvidia/gpus names one
  EXPECT_EQ(doctor_verdict(r), "GPU ready, with 1 warning");
  r.snap.kernel.proc_gpus.clear();
  r.findings = {finding("driver.missing")};
  EXPECT_EQ(doctor_verdict(r), "1 problem (1 error)");
}

TEST(Verdict, APartialSelectionNeverSaysGpuReady) {
  DoctorReport r;
  r.snap = sample();
  r.checks = {{"python.a", Severity::Error}, {"python.b", Severity::Warning}};
  // A full run (nothing skipped) reads as before.
  EXPECT_EQ(doctor_verdict(r), "GPU ready");
  EXPECT_EQ(selection_line(r), "");
  EXPECT_EQ(render_json(r).find("\"selection\""), std::string::npos);

  r.selection.only = {"python.*"};
  r.selection.skipped = {"gpu.none-on-pci", "driver.missing", "driver.stub-libcuda"};
  EXPECT_EQ(doctor_verdict(r), "no problems in the 2 selected checks (3 skipped)");
  EXPECT_EQ(selection_line(r), "2 of 5 ran (--only python.*)");
  auto w = finding("python.b", Severity::Warning);
  r.findings = {w};
  EXPECT_EQ(doctor_verdict(r), "no errors in the 2 selected checks, 1 warning (3 skipped)");
  r.findings = {finding("python.a"), w};
  r.selection.skip = {"driver.*"};
  EXPECT_EQ(doctor_verdict(r), "2 problems (1 error, 1 warning) in the 2 selected checks (3 skipped)");
  EXPECT_EQ(selection_line(r), "2 of 5 ran (--only python.* --skip driver.*)");

  r.findings = {w};
  auto outcomes = check_outcomes(r);
  ASSERT_EQ(outcomes.size(), 5u);
  EXPECT_EQ(outcomes[0].status, CheckStatus::Passed);
  EXPECT_EQ(outcomes[1].status, CheckStatus::Failed);
  EXPECT_EQ(outcomes[2].id, "gpu.none-on-pci");
  EXPECT_EQ(outcomes[2].status, CheckStatus::Skipped);
  auto j = nlohmann::ordered_json::parse(render_json(r));
  ASSERT_TRUE(j.contains("selection"));
  EXPECT_EQ(std::next(j.find("summary")).key(), "selection");  // right after the verdict's summary
  EXPECT_EQ(j["selection"]["ran"], 2);
  EXPECT_EQ(j["selection"]["skipped"], 3);
  EXPECT_EQ(j["selection"]["checks"][1]["status"], "failed");
  EXPECT_EQ(j["selection"]["checks"][4]["status"], "skipped");
}
