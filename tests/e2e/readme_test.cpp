// Keeps README.md true, as docs_test does for docs/: the commands of its fenced blocks marked `sh readme-test`
// run against the built binary and the fixtures, and each must exit as its `# exit N` comment says (and print
// what its `prints "TEXT"` says); the figures the README states are computed from their sources.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include "run.hpp"

using gpuenv::test::base_env;
using gpuenv::test::read_text;
using gpuenv::test::run_program;

namespace {

const std::string kSource = GPUENV_SOURCE_DIR;

struct Example {
  int line = 0;
  std::string command;
  int exit = -1;
  std::vector<std::string> prints;
};

std::vector<Example> readme_examples() {
  std::vector<Example> out;
  std::stringstream ss(read_text(kSource + "/README.md"));
  bool in = false, tested = false;
  int n = 0;
  static const std::regex exit_re(R"(#.*\bexit (\d+))"), prints_re(R"(prints \"([^\"]*)\")");
  for (std::string l; std::getline(ss, l);) {
    ++n;
    if (l.starts_with("```")) {
      tested = !in && l == "```sh readme-test";
      in = !in;
      continue;
    }
    if (!in || !tested || l.empty() || l.starts_with("#")) continue;
    Example e;
    e.line = n;
    auto hash = l.find("  #");
    e.command = l.substr(0, hash);
    std::smatch m;
    if (std::regex_search(l, m, exit_re)) e.exit = std::stoi(m[1]);
    for (auto it = std::sregex_iterator(l.begin(), l.end(), prints_re); it != std::sregex_iterator(); ++it)
      e.prints.push_back((*it)[1]);
    out.push_back(e);
  }
  return out;
}

TEST(Readme, TheMarkedExamplesRunAsDocumented) {
  auto examples = readme_examples();
  ASSERT_GE(examples.size(), 8u) << "README.md has fewer `sh readme-test` examples than expected";
  auto env = base_env();
  env["PATH"] = std::filesystem::path(GPUENV_BINARY).parent_path().string() + ":" + env["PATH"];
  env["XDG_CACHE_HOME"] = gpuenv::test::temp_dir("gpuenv-readme");
  for (auto& e : examples) {
    ASSERT_GE(e.exit, 0) << "README.md:" << e.line << ": a tested example needs an `# exit N` comment";
    auto r = run_program({"/bin/sh", "-c", "cd '" + kSource + "' && " + e.command}, env, "", 120);
    EXPECT_EQ(r.exit_code, e.exit) << "README.md:" << e.line << ": " << e.command << "\n" << r.out << r.err;
    for (auto& p : e.prints)
      EXPECT_NE((r.out + r.err).find(p), std::string::npos) << "README.md:" << e.line << ": " << e.command
                                                            << " does not print \"" << p << "\"\n" << r.out << r.err;
  }
  std::filesystem::remove_all(env["XDG_CACHE_HOME"]);
}

// "159 messages ... are known": the count of [[message]] rows of src/knowledge/messages.toml.
TEST(Readme, TheMessageCountIsTheKnowledgeFiles) {
  std::stringstream ss(read_text(kSource + "/src/knowledge/messages.toml"));
  int rows = 0;
  for (std::string l; std::getline(ss, l);) rows += l == "[[message]]";
  auto readme = read_text(kSource + "/README.md");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(readme, m, std::regex(R"((\d+) messages of the CUDA runtime)")));
  EXPECT_EQ(std::stoi(m[1]), rows) << "README.md says " << m[1] << " messages, messages.toml has " << rows;
}

}  // namespace
