#include <gtest/gtest.h>

#include "model/json.hpp"
#include "report/report.hpp"

using namespace gpuenv;

static Snapshot sample() {
  Snapshot s;
  s.tool_version = "0.1.0";
  s.host.hostname = "gpu-node-01";
  s.host.user = "alice";
  s.host.home = "/home/alice";
  s.pci.push_back({"0000:00:06.0", "0x10de", "0x2330", "0x10de", "0x16c1", "0x030200", "GH100", "nvidia", 0});
  s.cuda.status = "ok";
  s.cuda.devices.push_back({0, "NVIDIA H100 80GB HBM3", 9, 0, 85520809984ull, "GPU-42", "0000:00:06.0"});
  s.env["CUDA_VISIBLE_DEVICES"] = "";
  s.env["PATH"] = "/home/alice/.venv/bin:/usr/bin";
  return s;
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
  Finding w;
  w.id = "python.b";
  w.severity = Severity::Warning;
  r.findings = {w};
  EXPECT_EQ(doctor_verdict(r), "no errors in the 2 selected checks, 1 warning (3 skipped)");
  Finding e;
  e.id = "python.a";
  r.findings = {e, w};
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
