// Runs the built gpuenv on every fixture sysroot under tests/fixtures/<name>/
// (root/ + case.toml) and checks the exact set of findings and the exit code;
// then replays the saved JSON with `doctor --from` and checks that the
// findings are identical. tests/fixtures/README.md documents case.toml.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include "util/tomlpp.hpp"

#include "run.hpp"

namespace fs = std::filesystem;
using gpuenv::test::base_env;
using gpuenv::test::run_program;
using nlohmann::json;

namespace {

std::vector<std::string> fixture_names() {
  std::vector<std::string> out;
  for (auto& e : fs::directory_iterator(fs::path(GPUENV_SOURCE_DIR) / "tests/fixtures"))
    if (fs::exists(e.path() / "case.toml")) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string substitute(std::string v, const std::map<std::string, std::string>& vars) {
  for (auto& [k, val] : vars) {
    size_t pos;
    while ((pos = v.find(k)) != std::string::npos) v.replace(pos, k.size(), val);
  }
  return v;
}

std::vector<std::string> finding_ids(const json& doc) {
  std::vector<std::string> ids;
  for (auto& f : doc.at("findings")) ids.push_back(f.at("id").get<std::string>());
  std::sort(ids.begin(), ids.end());
  return ids;
}

class Fixture : public ::testing::TestWithParam<std::string> {};

TEST_P(Fixture, FindingsAndReplay) {
  const fs::path dir = fs::path(GPUENV_SOURCE_DIR) / "tests/fixtures" / GetParam();
  auto tbl = toml::parse_file((dir / "case.toml").string());
  auto tmp = gpuenv::test::temp_dir("gpuenv-fixture");
  // [files]: programs the test build makes (real ELF files) placed into a copy of the root.
  fs::path root = dir / "root";
  if (auto* files = tbl["files"].as_table()) {
    fs::path copy = fs::path(tmp) / "root";
    fs::copy(root, copy, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    for (auto& [rel, from] : *files) {
      auto src = from.value_or<std::string>("");
      if (src == "@FAKE_NIX_CUDA_APP@") src = GPUENV_FAKE_NIX_CUDA_APP;
      if (src == "@FAKE_LIBCUDA@") src = GPUENV_FAKE_LIBCUDA;
      fs::path dst = copy / std::string(rel.str());
      fs::create_directories(dst.parent_path());
      fs::copy_file(src, dst, fs::copy_options::overwrite_existing);
    }
    root = copy;
  }
  std::map<std::string, std::string> vars{{"@ROOT@", root.string()},
                                          {"@SOURCE@", GPUENV_SOURCE_DIR},
                                          {"@TMP@", tmp},
                                          {"@FAKE_LIBCUDA@", GPUENV_FAKE_LIBCUDA},
                                          {"@FAKE_LIBNVML@", GPUENV_FAKE_LIBNVML}};

  auto env = base_env();
  // The driver under test: the fake libraries, optionally copied to a path and
  // name that matters (a stubs directory, a versioned file name).
  std::string driver = tbl["driver"]["mode"].value_or<std::string>("fake");
  auto place = [&](const char* key, const char* fake) {
    auto rel = tbl["driver"][key].value_or<std::string>("");
    if (rel.empty()) return std::string(fake);
    fs::path p = fs::path(tmp) / rel;
    fs::create_directories(p.parent_path());
    fs::copy_file(fake, p, fs::copy_options::overwrite_existing);
    return p.string();
  };
  if (driver == "fake") {
    env["GPUENV_LIBCUDA"] = place("libcuda_as", GPUENV_FAKE_LIBCUDA);
    env["GPUENV_LIBNVML"] = place("libnvml_as", GPUENV_FAKE_LIBNVML);
  } else if (driver == "missing") {
    env["GPUENV_LIBCUDA"] = "libcuda-gpuenv-test-absent.so.1";
    env["GPUENV_LIBNVML"] = "libnvidia-ml-gpuenv-test-absent.so.1";
  }
  if (auto* e = tbl["env"].as_table())
    for (auto& [k, v] : *e) env[std::string(k.str())] = substitute(v.value_or<std::string>(""), vars);

  std::vector<std::string> args{GPUENV_BINARY};
  if (auto* a = tbl["args"].as_array()) {
    for (auto& x : *a) args.push_back(substitute(x.value_or<std::string>(""), vars));
  } else {
    args.insert(args.end(), {"doctor", "--json"});
  }
  args.insert(args.end(), {"--root", root.string()});
  if (driver == "none") args.push_back("--no-driver");

  auto r = run_program(args, env);
  ASSERT_EQ(r.signal, 0) << r.err;
  auto doc = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << "not JSON:\n" << r.out << "\nstderr:\n" << r.err;

  std::vector<std::string> expected;
  if (auto* f = tbl["expect"]["findings"].as_array())
    for (auto& x : *f) expected.push_back(x.value_or<std::string>(""));
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(finding_ids(doc), expected) << doc["findings"].dump(2);
  EXPECT_EQ(r.exit_code, tbl["expect"]["exit"].value_or<int64_t>(expected.empty() ? 0 : 1)) << r.err;

  // Text that must appear in the findings (a cause, a fix line).
  if (auto* c = tbl["expect"]["contains"].as_array()) {
    auto all = doc["findings"].dump();
    for (auto& x : *c) {
      auto needle = x.value_or<std::string>("");
      EXPECT_NE(all.find(needle), std::string::npos) << needle;
    }
  }

  // Replay: the saved JSON gives the same findings.
  auto saved = fs::path(tmp) / "snapshot.json";
  std::ofstream(saved) << r.out;
  auto replay = run_program({GPUENV_BINARY, "doctor", "--json", "--from", saved.string()}, base_env());
  auto doc2 = json::parse(replay.out, nullptr, false);
  ASSERT_FALSE(doc2.is_discarded()) << replay.err;
  EXPECT_EQ(doc2["findings"], doc["findings"]);
  EXPECT_EQ(replay.exit_code, r.exit_code);
  fs::remove_all(tmp);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Fixture, ::testing::ValuesIn(fixture_names()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
