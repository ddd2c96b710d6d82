// doctor --markdown must fit an issue body (GitHub refuses bodies over 65,536 characters; issue 18: the GPU
// machine's report was 103 KB): a large snapshot, many findings with long evidence; every finding stays whole.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/report.hpp"
#include "snapshot_builder.hpp"

using namespace gpuenv;

namespace {

// A machine with thousands of library copies (the bulk of a real GPU machine's JSON) and 40 findings, some
// with dozens of long evidence rows.
DoctorReport large_report() {
  auto b = test::SnapshotBuilder().host("ubuntu").driver().device_nodes().gpu().venv("/p/.venv");
  for (int i = 0; i < 3000; ++i)
    b.library(test::library_copy("cuda", "/opt/lib" + std::to_string(i) + "/libcudart.so.13", "13.0.96", "ld.so.cache",
                                 1000000 + i));
  DoctorReport r{b, {}};
  for (int i = 0; i < 40; ++i) {
    Finding f;
    f.id = "test.finding-" + std::to_string(i);
    f.severity = i % 3 ? Severity::Warning : Severity::Error;
    f.title = "Problem number " + std::to_string(i) + " is described in one line";
    f.subject = "/opt/lib" + std::to_string(i);
    f.cause = "The cause of problem " + std::to_string(i) + ", in one sentence.";
    f.fix = "gpuenv-fix --problem " + std::to_string(i);
    for (int k = 0; k < (i % 4 == 0 ? 60 : 3); ++k) f.add("row " + std::to_string(k), std::string(900, 'v'));
    r.findings.push_back(f);
  }
  return r;
}

TEST(Markdown, ALargeReportFitsAnIssueBodyWithEveryFindingWhole) {
  auto r = large_report();
  ASSERT_GT(render_json(r).size(), 300000u) << "the snapshot is meant to be large";
  auto md = render_markdown(r);
  EXPECT_LT(md.size(), 60000u);
  for (auto& f : r.findings) {
    EXPECT_NE(md.find("| `" + f.id + "` | " + f.title + " |"), std::string::npos) << f.id;
    EXPECT_NE(md.find("#### "), std::string::npos);
    EXPECT_NE(md.find("**Cause:** " + f.cause + "\n"), std::string::npos) << f.id;
    EXPECT_NE(md.find("sh\n" + f.fix + "\n"), std::string::npos) << f.id;
  }
  // Evidence trimmed as far as needed: fewer rows, shorter values, each cut said.
  EXPECT_NE(md.find(" more rows in the full JSON |"), std::string::npos);
  EXPECT_NE(md.find(" more characters |"), std::string::npos);
  EXPECT_NE(md.find(" more lines in gpuenv.json\n"), std::string::npos);
  EXPECT_NE(md.find("run `gpuenv doctor --json -o gpuenv.json` and attach gpuenv.json"), std::string::npos);
  EXPECT_TRUE(md.ends_with("</details>\n"));
}

TEST(Markdown, ASmallReportKeepsTheWholeReplayableJson) {
  DoctorReport r{test::SnapshotBuilder().host("ubuntu").driver().device_nodes().gpu(), {}};
  Finding f;
  f.id = "test.one";
  f.title = "One problem";
  f.add("path", std::string(900, 'p'));
  r.findings.push_back(f);
  auto md = render_markdown(r);
  auto json = render_json(r);
  EXPECT_NE(md.find("```json\n" + json), std::string::npos);
  EXPECT_NE(md.find(std::string(900, 'p')), std::string::npos);  // no trimming when it fits
  EXPECT_EQ(md.find("attach gpuenv.json"), std::string::npos);
}

}  // namespace
