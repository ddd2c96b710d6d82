// Keeps docs/ true: every registered check is documented, and every key of the
// doctor JSON appears in docs/schema.md.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "checks/check.hpp"
#include "run.hpp"

using gpuenv::test::base_env;
using gpuenv::test::read_text;
using gpuenv::test::run_program;

TEST(Docs, EveryCheckIsDocumented) {
  auto doc = read_text(std::string(GPUENV_SOURCE_DIR) + "/docs/checks.md");
  ASSERT_FALSE(doc.empty());
  for (auto& c : gpuenv::all_checks())
    EXPECT_NE(doc.find(std::string("`") + c.id + "`"), std::string::npos) << c.id << " is missing from docs/checks.md";
}

static void collect_keys(const nlohmann::json& j, const std::string& path, std::vector<std::pair<std::string, std::string>>& out) {
  if (j.is_object()) {
    for (auto& [k, v] : j.items()) {
      auto p = path.empty() ? k : path + "." + k;
      if (p == "snapshot.env") continue;  // variable names, documented as a list
      out.push_back({p, k});
      collect_keys(v, p, out);
    }
  } else if (j.is_array()) {
    for (auto& v : j) collect_keys(v, path + "[]", out);
  }
}

TEST(Docs, EveryJsonKeyIsInTheSchemaDoc) {
  auto schema = read_text(std::string(GPUENV_SOURCE_DIR) + "/docs/schema.md");
  auto env = base_env();
  env["GPUENV_LIBCUDA"] = GPUENV_FAKE_LIBCUDA;
  env["GPUENV_LIBNVML"] = GPUENV_FAKE_LIBNVML;
  auto root = std::string(GPUENV_SOURCE_DIR) + "/tests/fixtures/h100-ubuntu-healthy/root";
  std::vector<std::pair<std::string, std::string>> keys;
  // A full run, and a partial selection (which adds "selection").
  for (auto only : {"", "driver.*"}) {
    std::vector<std::string> args{GPUENV_BINARY, "doctor", "--json", "--root", root};
    if (*only) args.insert(args.end(), {"--only", only});
    auto r = run_program(args, env);
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.err;
    EXPECT_EQ(j.contains("selection"), *only != 0);
    collect_keys(j, "", keys);
  }
  ASSERT_GT(keys.size(), 50u);
  // A key counts as documented when it appears inside a code span: `key`, `a.key`, `devices[].key`.
  auto documented = [&](const std::string& key) {
    for (size_t pos = schema.find(key); pos != std::string::npos; pos = schema.find(key, pos + 1)) {
      char before = pos ? schema[pos - 1] : ' ';
      char after = pos + key.size() < schema.size() ? schema[pos + key.size()] : ' ';
      if ((before == '`' || before == '.') && (after == '`' || after == '.' || after == '[')) return true;
    }
    return false;
  };
  for (auto& [path, key] : keys) EXPECT_TRUE(documented(key)) << path << " is not documented in docs/schema.md";
}
