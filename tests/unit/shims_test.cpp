// Version-manager shims (probe/python_shims.cpp) on the fixture tree
// tests/fixtures/version-managers/root: pyenv, asdf and mise resolved the way each
// manager chooses, uv's links, and the declared interpreter of a spec that a shim
// would betray (issue 18: pyenv's inactive python3.12 shim ran the global 3.11).
#include <gtest/gtest.h>

#include "probe/python.hpp"

using namespace gpuenv;

namespace {

const std::string kRoot = std::string(GPUENV_SOURCE_DIR) + "/tests/fixtures/version-managers/root";
const std::string kPyenv = "/home/u/.pyenv";

ProbeContext ctx(Environment env) {
  env.emplace("HOME", "/home/u");
  return ProbeContext{Fs(kRoot), std::move(env)};
}

Environment pyenv_env(const std::string& pwd = "/home/u") {
  return {{"PATH", kPyenv + "/shims"}, {"PYENV_ROOT", kPyenv}, {"PWD", pwd}};
}

TEST(VersionManagers, PyenvFollowsItsOrderOfPrecedence) {
  // $PYENV_ROOT/version (3.11.7): python3.12 is in no selected version and not on the system PATH.
  auto r = resolve_shim(ctx(pyenv_env()), kPyenv + "/shims/python3.12");
  EXPECT_EQ(r.manager, "pyenv");
  EXPECT_EQ(r.target, "");
  EXPECT_EQ(r.selected, "3.11.7 (/home/u/.pyenv/version)");
  EXPECT_NE(r.describe().find("pyenv would find no python3.12"), std::string::npos) << r.describe();
  EXPECT_EQ(resolve_shim(ctx(pyenv_env()), kPyenv + "/shims/python3").target, kPyenv + "/versions/3.11.7/bin/python3");
  // .python-version from the current directory up, a prefix of an installed version ("3.12" -> 3.12.1).
  r = resolve_shim(ctx(pyenv_env("/proj/pyenv312/sub")), kPyenv + "/shims/python3.12");
  EXPECT_EQ(r.target, kPyenv + "/versions/3.12.1/bin/python3.12");
  EXPECT_EQ(r.selected, "3.12 (/proj/pyenv312/.python-version)");
  // PYENV_VERSION before every file; several versions, the first providing the command wins.
  auto env = pyenv_env("/proj/pyenv312");
  env["PYENV_VERSION"] = "3.11.7:3.12.1";
  EXPECT_EQ(resolve_shim(ctx(env), kPyenv + "/shims/python3").target, kPyenv + "/versions/3.11.7/bin/python3");
  EXPECT_EQ(resolve_shim(ctx(env), kPyenv + "/shims/python3.12").target, kPyenv + "/versions/3.12.1/bin/python3.12");
  env["PYENV_VERSION"] = "3.13";  // not installed: nothing
  EXPECT_EQ(resolve_shim(ctx(env), kPyenv + "/shims/python3").target, "");
  // The system PATH comes last, leaving the shims out.
  env["PATH"] = kPyenv + "/shims:/home/u/.local/bin";
  EXPECT_EQ(resolve_shim(ctx(env), kPyenv + "/shims/python3.12").target, "/home/u/.local/bin/python3.12");
}

TEST(VersionManagers, AsdfAndMise) {
  Environment asdf{{"PATH", "/home/u/.asdf/shims"}, {"ASDF_DATA_DIR", "/home/u/.asdf"}, {"PWD", "/proj"}};
  auto r = resolve_shim(ctx(asdf), "/home/u/.asdf/shims/python");
  EXPECT_EQ(r.manager, "asdf");
  EXPECT_EQ(r.target, "/home/u/.asdf/installs/python/3.11.7/bin/python");  // ~/.tool-versions
  asdf["PWD"] = "/proj/asdf312";
  EXPECT_EQ(resolve_shim(ctx(asdf), "/home/u/.asdf/shims/python").target, "/home/u/.asdf/installs/python/3.12.1/bin/python");
  asdf["ASDF_PYTHON_VERSION"] = "3.11.7";
  EXPECT_EQ(resolve_shim(ctx(asdf), "/home/u/.asdf/shims/python").target, "/home/u/.asdf/installs/python/3.11.7/bin/python");
  asdf["ASDF_PYTHON_VERSION"] = "3.12";  // asdf takes exact versions only
  EXPECT_EQ(resolve_shim(ctx(asdf), "/home/u/.asdf/shims/python").target, "");

  const std::string shims = "/home/u/.local/share/mise/shims";
  Environment mise{{"PATH", shims}, {"PWD", "/proj"}};
  r = resolve_shim(ctx(mise), shims + "/python3");
  EXPECT_EQ(r.manager, "mise");
  EXPECT_EQ(r.target, "/home/u/.local/share/mise/installs/python/3.11.7/bin/python3");  // global config, "3.11"
  EXPECT_EQ(r.selected, "3.11 (/home/u/.config/mise/config.toml)");
  mise["PWD"] = "/proj/mise312";
  EXPECT_EQ(resolve_shim(ctx(mise), shims + "/python3").target, "/home/u/.local/share/mise/installs/python/3.12.1/bin/python3");
  mise["MISE_PYTHON_VERSION"] = "3.11.7";
  EXPECT_EQ(resolve_shim(ctx(mise), shims + "/python3").target, "/home/u/.local/share/mise/installs/python/3.11.7/bin/python3");
  EXPECT_EQ(resolve_shim(ctx(mise), "/home/u/.local/bin/python3.12").manager, "");  // no shim
}

TEST(VersionManagers, VersionFileGrammars) {
  EXPECT_EQ(pyenv_version_file_words("# comment\n3.12.1 \n\n3.11:system\n../x\n"),
            (std::vector<std::string>{"3.12.1", "3.11", "system"}));
  EXPECT_EQ(tool_versions_entry("nodejs 20\npython  3.12.1 system # pinned\n", "python"),
            (std::vector<std::string>{"3.12.1", "system"}));
  EXPECT_TRUE(tool_versions_entry("python\n", "python").empty());
  EXPECT_EQ(mise_toml_tool("[env]\npython = \"no\"\n[tools]\nnode = \"20\"\npython = [\"3.12\", \"3.11\"]\n", "python"),
            (std::vector<std::string>{"3.12", "3.11"}));
  EXPECT_EQ(mise_toml_tool("[tools]\n\"python\" = { version = \"3.12\", virtualenv = \".venv\" }\n", "python"),
            (std::vector<std::string>{"3.12"}));
}

TEST(VersionManagers, TheDeclaredVersionIsWhatTheShimWouldRunOrNothing) {
  Spec spec;
  spec.python_version = "3.12";
  spec.path = "/proj/gpuenv.toml";
  spec.dir = "/proj";
  // The case: the global 3.11.7 is selected; python3.12 and python3 are shims.
  PythonInfo info;
  auto d = locate_declared_interpreter(ctx(pyenv_env("/proj")), spec, info);
  EXPECT_EQ(d.index, -1);
  EXPECT_NE(d.error.find("pyenv would find no python3.12"), std::string::npos) << d.error;
  EXPECT_NE(d.error.find("/home/u/.pyenv/shims/python3 is pyenv's shim for "
                         "/home/u/.pyenv/versions/3.11.7/bin/python3"), std::string::npos) << d.error;
  // Selected for the project: the real interpreter, never the shim.
  info = {};
  d = locate_declared_interpreter(ctx(pyenv_env("/proj/pyenv312")), spec, info);
  ASSERT_GE(d.index, 0) << d.error;
  auto& py = info.interpreters[size_t(d.index)];
  EXPECT_EQ(py.path, kPyenv + "/versions/3.12.1/bin/python3.12");
  EXPECT_EQ(py.version, "3.12.1");
  EXPECT_EQ(py.kind, "pyenv");
  // interpreter = "python3" through mise: the version mise selects.
  spec.python_version.clear();
  spec.interpreter = "python3";
  info = {};
  Environment mise{{"PATH", "/home/u/.local/share/mise/shims"}, {"PWD", "/proj/mise312"}};
  d = locate_declared_interpreter(ctx(mise), spec, info);
  ASSERT_GE(d.index, 0) << d.error;
  EXPECT_EQ(info.interpreters[size_t(d.index)].path, "/home/u/.local/share/mise/installs/python/3.12.1/bin/python3");
  // uv's link: the managed interpreter, its full version from the directory name.
  spec.interpreter.clear();
  spec.python_version = "3.12";
  info = {};
  d = locate_declared_interpreter(ctx({{"PATH", "/home/u/.local/bin"}, {"PWD", "/proj"}}), spec, info);
  ASSERT_GE(d.index, 0) << d.error;
  EXPECT_EQ(info.interpreters[size_t(d.index)].version, "3.12.7");
  EXPECT_EQ(info.interpreters[size_t(d.index)].realpath,
            "/home/u/.local/share/uv/python/cpython-3.12.7-linux-x86_64-gnu/bin/python3.12");
}

}  // namespace
