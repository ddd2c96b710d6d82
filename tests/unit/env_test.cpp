// The spec parser, PYTHONPATH classification and activation (pure functions).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "app/activation.hpp"
#include "env/activate.hpp"
#include "env/init.hpp"
#include "env/locate.hpp"
#include "model/python_paths.hpp"
#include "env/spec.hpp"
#include "run.hpp"
#include "util/strings.hpp"

using namespace gpuenv;
namespace fs = std::filesystem;

namespace {

const char* kFullSpec = R"(
schema = 1
[python]
interpreter = ".venv/bin/python"
version = "3.12"
no_user_site = true

[frameworks]
torch = "cuda"
jax = { accelerator = "cuda", version = "0.7" }

[gpus]
visible = [0, 2]

[libraries]
extra_dirs = ["lib", "/opt/x/lib"]

[env]
unset = ["LD_PRELOAD"]
[env.set]
TF_CPP_MIN_LOG_LEVEL = "2"
NCCL_DEBUG = "WARN"
)";

TEST(Spec, ParsesTheFullExample) {
  auto s = parse_spec(kFullSpec, "/p/gpuenv.toml");
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->dir, "/p");
  EXPECT_EQ(s->interpreter, ".venv/bin/python");
  EXPECT_EQ(s->python_version, "3.12");
  EXPECT_TRUE(s->no_user_site);
  ASSERT_EQ(s->frameworks.size(), 2u);
  EXPECT_EQ(s->frameworks[1].name, "torch");
  EXPECT_EQ(s->frameworks[1].accelerator, "cuda");
  EXPECT_EQ(s->frameworks[0].version, "0.7");
  EXPECT_EQ(s->visible_gpus.value_or(""), "0,2");
  EXPECT_EQ(s->library_dirs, (std::vector<std::string>{"/p/lib", "/opt/x/lib"}));
  EXPECT_EQ(s->env_unset, std::vector<std::string>{"LD_PRELOAD"});
  ASSERT_EQ(s->env_set.size(), 2u);
  EXPECT_EQ(s->env_set[0].first, "TF_CPP_MIN_LOG_LEVEL");  // file order kept
}

TEST(Spec, ErrorsNameFileLineAndColumn) {
  auto bad = [](const char* text) {
    auto r = parse_spec(text, "/p/gpuenv.toml");
    EXPECT_FALSE(r);
    return r ? std::string() : r.error();
  };
  EXPECT_EQ(bad("[python]\ninterpeter = \"x\"\n").substr(0, 20), "/p/gpuenv.toml:2:1: ");
  EXPECT_NE(bad("[python]\ninterpeter = \"x\"\n").find("unknown key 'interpeter'"), std::string::npos);
  EXPECT_NE(bad("[python]\nversion = 3.11\n").find("/p/gpuenv.toml:2:11: 'version' must be a string"), std::string::npos);
  EXPECT_NE(bad("[python]\nversion = \"three\"\n").find(":2:11:"), std::string::npos);
  EXPECT_NE(bad("[python\nversion = \"3.11\"\n").find("/p/gpuenv.toml:1:"), std::string::npos);  // TOML syntax
  EXPECT_NE(bad("[frameworks]\ntorch = \"tpu\"\n").find("unknown accelerator 'tpu'"), std::string::npos);
  EXPECT_NE(bad("[gpus]\nvisible = [-1]\n").find(":2:12:"), std::string::npos);
  // visible: indices and GPU-/MIG- UUIDs only (issue 18: [0, "x"] was exported as CUDA_VISIBLE_DEVICES=0,x).
  EXPECT_EQ(bad("[gpus]\nvisible = [0, \"x\"]\n"),
            "/p/gpuenv.toml:2:15: 'x' in 'visible' is not a GPU: entries must be GPU indices (0, 1) or UUIDs "
            "(\"GPU-...\", \"MIG-...\")");
  EXPECT_NE(bad("[gpus]\nvisible = [\"GPU-\"]\n").find(":2:12:"), std::string::npos);
  EXPECT_NE(bad("[gpus]\nvisible = [1.5]\n").find(":2:12: 'visible' entries must be"), std::string::npos);
  EXPECT_NE(bad("[gpus]\nvisible = \"0,x\"\n").find(":2:11: 'visible' = \"0,x\": 'x' is not a GPU"), std::string::npos);
  for (auto* ok : {"[0, 3]", "[\"GPU-8f6e0a8c-1b2d-4c3e-9f00-aa11bb22cc33\", \"MIG-1a2b\"]", "\"all\"", "\"1,0\"", "[]"})
    EXPECT_TRUE(parse_spec(std::string("[gpus]\nvisible = ") + ok + "\n", "/p/gpuenv.toml")) << ok;
  EXPECT_NE(bad("schema = 7\n").find("newer than this gpuenv"), std::string::npos);
  EXPECT_NE(bad("[env.set]\n1X = \"a\"\n").find("not a valid variable name"), std::string::npos);
  EXPECT_NE(bad("[env]\nunset = [\"A\"]\n[env.set]\nA = \"1\"\n").find("both set and unset"), std::string::npos);
}

TEST(Spec, FoundByWalkingUp) {
  auto dir = gpuenv::test::temp_dir("gpuenv-spec");
  fs::create_directories(dir + "/a/b/c");
  std::ofstream(dir + "/a/gpuenv.toml") << "";
  EXPECT_EQ(find_spec(dir + "/a/b/c").value_or(""), dir + "/a/gpuenv.toml");
  EXPECT_FALSE(find_spec(dir).has_value());
  fs::remove_all(dir);
}

TEST(PythonPath, VersionsAndPrefixesFromPaths) {
  EXPECT_EQ(python_version_in_path("/usr/lib/python3.12/site-packages"), "3.12");
  EXPECT_EQ(python_version_in_path("/nix/store/abcdefghabcdefghabcdefghabcdefgh-python3-3.11.9/lib"), "3.11");
  EXPECT_EQ(python_version_in_path("/nix/store/abcdefghabcdefghabcdefghabcdefgh-python3.12-numpy-2.1.1"), "3.12");
  EXPECT_EQ(python_version_in_path("/home/u/python3.8-notes/src"), "");
  EXPECT_EQ(python_version_in_path("/home/u/src"), "");
  EXPECT_EQ(python_version_in_path("/usr/lib/python3/dist-packages"), "");
  EXPECT_EQ(python_version_in_path("/opt/py/lib/python3.13t/site-packages"), "3.13");
  EXPECT_EQ(nix_interpreter_prefix("/nix/store/abcdefghabcdefghabcdefghabcdefgh-python3-3.11.9/lib/python3.11/site-packages"),
            "/nix/store/abcdefghabcdefghabcdefghabcdefgh-python3-3.11.9");
  EXPECT_EQ(nix_interpreter_prefix("/nix/store/abcdefghabcdefghabcdefghabcdefgh-python3-3.11.9-env/bin"),
            "/nix/store/abcdefghabcdefghabcdefghabcdefgh-python3-3.11.9-env");
  EXPECT_EQ(nix_interpreter_prefix("/nix/store/abcdefghabcdefghabcdefghabcdefgh-python3.11-numpy-1.26.4/lib"), "");
  EXPECT_EQ(python_prefix_in_path("/home/u/.venv/lib/python3.11/site-packages"), "/home/u/.venv");
  EXPECT_EQ(python_prefix_in_path("/usr/lib/python3/dist-packages"), "/usr");
  EXPECT_EQ(python_prefix_in_path("/home/u/src"), "");
}

TEST(PythonPath, ClassifiesAgainstTheDeclaredInterpreter) {
  PythonIdentity self{"3.11.9", {"/home/u/proj/.venv", "/usr"}};
  std::vector<std::string> others{"/home/u/other-venv"};
  EXPECT_TRUE(classify_pythonpath_entry("/home/u/proj/src", self, others).keep);
  EXPECT_TRUE(classify_pythonpath_entry("/home/u/proj/.venv/lib/python3.11/site-packages", self, others).keep);
  auto v = classify_pythonpath_entry("/usr/lib/python3.12/site-packages", self, others);
  EXPECT_FALSE(v.keep);
  EXPECT_NE(v.reason.find("Python 3.12"), std::string::npos);
  EXPECT_FALSE(classify_pythonpath_entry("/home/u/other-venv/lib/python3.11/site-packages", self, others).keep);
  // A `pip install --prefix` target of the same version is no interpreter: kept.
  EXPECT_TRUE(classify_pythonpath_entry("/opt/extra/lib/python3.11/site-packages", self, others).keep);
  // Nix: packages of the same version stay; another interpreter's store path goes.
  EXPECT_TRUE(classify_pythonpath_entry("/nix/store/abcdefghabcdefghabcdefghabcdefgh-python3.11-numpy-1.26.4/lib/python3.11/site-packages", self, {}).keep);
  EXPECT_FALSE(classify_pythonpath_entry("/nix/store/abcdefghabcdefghabcdefghabcdefgh-python3-3.11.6/lib/python3.11/site-packages", self, {}).keep);
}

std::vector<std::string> lines_of(const std::string& path) {
  return split_lines(gpuenv::test::read_text(path));
}

TEST(PythonPath, TheMotivatingNixShellIsRepairedEntryByEntry) {
  std::string dir = std::string(GPUENV_SOURCE_DIR) + "/tests/env/nixos-python311";
  auto entries = lines_of(dir + "/pythonpath.txt");
  auto expected_removed = lines_of(dir + "/expected-removed.txt");
  ASSERT_GE(entries.size(), 45u);
  PythonIdentity self{"3.11.9", {"/nix/store/0v8n3f7pj6kyxz9r5cq2h1dwlm4sab6g-python3-3.11.9"}};
  auto r = repair_pythonpath(join(entries, ":"), self, {});
  std::vector<std::string> removed;
  for (auto& [e, why] : r.removed) removed.push_back(e);
  EXPECT_EQ(removed, expected_removed);
  EXPECT_EQ(r.kept.size() + r.removed.size(), entries.size());
  // The rest keeps its order.
  std::vector<std::string> rest;
  std::set<std::string> seen;
  for (auto& e : entries) {
    if (!seen.insert(e).second) continue;  // a repeat goes, its first occurrence stays
    bool once = std::count(entries.begin(), entries.end(), e) == 1;
    bool listed = std::find(expected_removed.begin(), expected_removed.end(), e) != expected_removed.end();
    if (!(once && listed)) rest.push_back(e);
  }
  EXPECT_EQ(r.kept, rest);
}

// ---- activation ----

Snapshot machine() {
  Snapshot s;
  s.kernel.version = "580.159.04";
  Interpreter py;
  py.path = "/p/.venv/bin/python";
  py.realpath = "/usr/bin/python3.12";
  py.version = "3.12.3";
  py.kind = "venv";
  py.prefix = "/p/.venv";
  py.base_prefix = "/usr";
  py.found_as = {"spec"};
  s.python.interpreters.push_back(py);
  Interpreter other;
  other.path = "/home/u/old/bin/python";
  other.version = "3.12.1";
  other.kind = "venv";
  other.prefix = "/home/u/old";
  other.found_as = {"PYTHONPATH"};
  s.python.interpreters.push_back(other);
  return s;
}

LibraryCopy copy(std::string path, std::string version, std::string origin, bool stub = false) {
  LibraryCopy c;
  c.name = "cuda";
  c.path = path;
  c.realpath = path;
  c.version = version;
  c.origin = origin;
  c.stub = stub;
  return c;
}

Activation run_activation(const Snapshot& s, const Spec& spec, const Environment& env, bool in_bin = true) {
  ActivationInput in{s, spec, env};
  in.interpreter = spec.declares_python() ? 0 : -1;
  in.python_in_bin_dir = in_bin;
  in.shim_root = "/cache/shims";
  return activate(in);
}

Spec venv_spec() {
  auto s = parse_spec("[python]\ninterpreter = \".venv/bin/python\"\nversion = \"3.12\"\nno_user_site = true\n", "/p/gpuenv.toml");
  return *s;
}

TEST(Activate, PinsPythonRepairsPythonPathAndExplains) {
  auto s = machine();
  Environment env{{"PATH", "/usr/local/bin:/usr/bin:/p/.venv/bin"},
                  {"PYTHONPATH", "/p/src:/usr/lib/python3.11/site-packages:/home/u/old/lib/python3.12/site-packages"},
                  {"PYTHONHOME", "/usr"},
                  {"VIRTUAL_ENV", "/home/u/old"}};
  auto a = run_activation(s, venv_spec(), env);
  ASSERT_TRUE(a.errors.empty());
  EXPECT_EQ(a.env["PATH"], "/p/.venv/bin:/usr/local/bin:/usr/bin");
  EXPECT_EQ(a.env["PYTHONPATH"], "/p/src");
  EXPECT_EQ(a.env.count("PYTHONHOME"), 0u);
  EXPECT_EQ(a.env["VIRTUAL_ENV"], "/p/.venv");
  EXPECT_EQ(a.env["PYTHONNOUSERSITE"], "1");
  EXPECT_EQ(a.env["GPUENV_ACTIVE"], "/p/gpuenv.toml");
  auto* pp = a.change("PYTHONPATH");
  ASSERT_NE(pp, nullptr);
  ASSERT_EQ(pp->removed.size(), 2u);
  EXPECT_NE(pp->removed[0].second.find("Python 3.11"), std::string::npos);
  EXPECT_NE(pp->removed[1].second.find("another interpreter"), std::string::npos);
  EXPECT_TRUE(a.shim_dir.empty());
  // Activating the result again changes nothing.
  auto again = run_activation(s, venv_spec(), a.env);
  EXPECT_TRUE(again.changes.empty()) << again.changes[0].name;
}

TEST(Activate, SystemInterpreterGetsAShimDirectoryNotAllOfUsrBin) {
  auto s = machine();
  s.python.interpreters[0] = {};
  auto& py = s.python.interpreters[0];
  py.path = "/usr/bin/python3.11";
  py.realpath = "/usr/bin/python3.11";
  py.version = "3.11.2";
  py.kind = "system";
  py.prefix = py.base_prefix = "/usr";
  auto spec = *parse_spec("[python]\ninterpreter = \"/usr/bin/python3.11\"\n", "/p/gpuenv.toml");
  auto a = run_activation(s, spec, {{"PATH", "/usr/bin"}}, false);
  ASSERT_FALSE(a.shim_dir.empty());
  EXPECT_TRUE(a.shim_dir.starts_with("/cache/shims/"));
  EXPECT_EQ(a.env["PATH"], a.shim_dir + ":/usr/bin");
  ASSERT_EQ(a.shim_links.size(), 3u);
  EXPECT_EQ(a.shim_links[2], (std::pair<std::string, std::string>{"python3.11", "/usr/bin/python3.11"}));
}

TEST(Activate, WrongVersionOrMissingInterpreterIsAnError) {
  auto s = machine();
  auto spec = *parse_spec("[python]\ninterpreter = \".venv/bin/python\"\nversion = \"3.11\"\n", "/p/gpuenv.toml");
  auto a = run_activation(s, spec, {});
  ASSERT_EQ(a.errors.size(), 1u);
  EXPECT_NE(a.errors[0].find("declares Python 3.11, but /p/.venv/bin/python is Python 3.12.3"), std::string::npos);
  ActivationInput in{s, venv_spec(), {}};
  in.interpreter_error = "python.interpreter = \".venv/bin/python\": /p/.venv/bin/python does not exist";
  auto b = activate(in);
  ASSERT_EQ(b.errors.size(), 1u);
  EXPECT_NE(b.errors[0].find("does not exist"), std::string::npos);
}

TEST(Activate, NixosDriverDirectoryAddedStubsRemoved) {
  Snapshot s;
  s.kernel.version = "565.77";
  s.libraries.copies.push_back(copy("/run/opengl-driver/lib/libcuda.so.1", "565.77", "nixos-driver"));
  s.libraries.copies.push_back(copy("/usr/local/cuda/lib64/stubs/libcuda.so", "", "cuda-stubs", true));
  Spec none;
  auto a = run_activation(s, none, {{"LD_LIBRARY_PATH", "/usr/local/cuda/lib64/stubs:/opt/lib"}});
  EXPECT_EQ(a.env["LD_LIBRARY_PATH"], "/opt/lib:/run/opengl-driver/lib");
  auto* c = a.change("LD_LIBRARY_PATH");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->removed.size(), 1u);
  EXPECT_EQ(c->removed[0].first, "/usr/local/cuda/lib64/stubs");
  EXPECT_EQ(c->added, std::vector<std::string>{"/run/opengl-driver/lib"});
  EXPECT_EQ(a.env.count("GPUENV_ACTIVE"), 0u);  // no spec file
}

TEST(Activate, DriverDirectoryGoesBeforeAnOlderShadowingCopy) {
  Snapshot s;
  s.kernel.version = "580.159.04";
  s.libraries.copies.push_back(copy("/usr/local/cuda-12.8/compat/libcuda.so.1", "570.124.06", "LD_LIBRARY_PATH"));
  s.libraries.copies.push_back(copy("/usr/local/nvidia/lib64/libcuda.so.1", "580.159.04", "driver-dir"));
  auto a = run_activation(s, Spec{}, {{"LD_LIBRARY_PATH", "/usr/local/cuda-12.8/compat"}});
  EXPECT_EQ(a.env["LD_LIBRARY_PATH"], "/usr/local/nvidia/lib64:/usr/local/cuda-12.8/compat");
}

TEST(Activate, NothingToDoWhenTheLoaderFindsTheDriver) {
  Snapshot s;
  s.kernel.version = "580.159.04";
  s.libraries.copies.push_back(copy("/usr/lib/x86_64-linux-gnu/libcuda.so.1", "580.159.04", "default"));
  auto a = run_activation(s, Spec{}, {{"PATH", "/usr/bin"}});
  EXPECT_TRUE(a.changes.empty());
  // WSL: /usr/lib/wsl/lib is not searched by default.
  Snapshot w;
  w.libraries.copies.push_back(copy("/usr/lib/wsl/lib/libcuda.so.1", "", "wsl"));
  auto b = run_activation(w, Spec{}, {});
  EXPECT_EQ(b.env["LD_LIBRARY_PATH"], "/usr/lib/wsl/lib");
}

TEST(Activate, SpecVariablesGpusAndLibraryDirs) {
  auto spec = *parse_spec(kFullSpec, "/p/gpuenv.toml");
  spec.interpreter.clear();
  spec.python_version.clear();
  Snapshot s;
  auto a = run_activation(s, spec, {{"LD_PRELOAD", "/x.so"}, {"CUDA_VISIBLE_DEVICES", ""}, {"LD_LIBRARY_PATH", "/opt/x/lib:/y"}});
  EXPECT_EQ(a.env.count("LD_PRELOAD"), 0u);
  EXPECT_EQ(a.env["CUDA_VISIBLE_DEVICES"], "0,2");
  EXPECT_EQ(a.env["TF_CPP_MIN_LOG_LEVEL"], "2");
  EXPECT_EQ(a.env["LD_LIBRARY_PATH"], "/p/lib:/opt/x/lib:/y");
  auto all = *parse_spec("[gpus]\nvisible = \"all\"\n", "/p/gpuenv.toml");
  EXPECT_EQ(run_activation(s, all, {{"CUDA_VISIBLE_DEVICES", "1"}}).env.count("CUDA_VISIBLE_DEVICES"), 0u);
}

TEST(Locate, ReadsTheMotivatingFixtureThroughTheRoot) {
  std::string dir = std::string(GPUENV_SOURCE_DIR) + "/tests/env/nixos-python311";
  auto spec = *load_spec(dir + "/gpuenv.toml");
  Environment env{{"PATH", "/usr/bin:/bin"}, {"PYTHONPATH", join(lines_of(dir + "/pythonpath.txt"), ":")}};
  auto p = prepare_activation(spec, env, dir + "/root");
  ASSERT_TRUE(p.result.errors.empty()) << p.result.errors[0];
  auto& py = p.snap.python.interpreters.at(size_t(p.declared.index));
  EXPECT_EQ(py.kind, "nix");
  EXPECT_EQ(py.version, "3.11.9");
  EXPECT_TRUE(p.declared.python_in_bin_dir);
  EXPECT_EQ(p.result.env["PATH"], "/nix/store/0v8n3f7pj6kyxz9r5cq2h1dwlm4sab6g-python3-3.11.9/bin:/usr/bin:/bin");
  EXPECT_EQ(p.result.env["LD_LIBRARY_PATH"], "/run/opengl-driver/lib");
  EXPECT_EQ(p.result.change("PYTHONPATH")->removed.size(), lines_of(dir + "/expected-removed.txt").size());
}

TEST(Locate, DriverCopiesFromTheLoadersDirectoriesOnly64Bit) {
  // ld.so.conf names a driver directory, the 32-bit multiarch and biarch directories (their libcuda is for
  // 32-bit programs), and CUDA_HOME repeats /usr/local/cuda: one copy each, no 32-bit one, the stub once.
  auto root = test::temp_dir("gpuenv-locate");
  auto put = [&](const std::string& p, const std::string& text = "x") {
    fs::create_directories(fs::path(root + p).parent_path());
    std::ofstream(root + p) << text;
  };
  put("/etc/ld.so.conf", "/opt/drv\n/usr/lib/i386-linux-gnu\n/usr/lib32\n");
  put("/sys/module/nvidia/version", "580.95.05\n");
  for (auto d : {"/opt/drv", "/usr/lib/i386-linux-gnu", "/usr/lib32"}) {
    put(std::string(d) + "/libcuda.so.580.95.05");
    fs::create_symlink("libcuda.so.580.95.05", root + d + "/libcuda.so.1");
  }
  put("/usr/local/cuda-13.0/lib64/stubs/libcuda.so");
  fs::create_symlink("cuda-13.0", root + "/usr/local/cuda");
  ProbeContext ctx{Fs(root), Environment{{"CUDA_HOME", "/usr/local/cuda/"}}};
  Snapshot s;
  probe_for_activation(ctx, s);
  std::vector<std::string> got;
  for (auto& c : s.libraries.copies) got.push_back(c.origin + " " + c.path + " " + c.version);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"cuda-stubs /usr/local/cuda/lib64/stubs/libcuda.so ",
                                           "ld.so.conf /opt/drv/libcuda.so.1 580.95.05"}))
      << join(got, "\n");
  EXPECT_EQ(driver_library_copy(s)->path, "/opt/drv/libcuda.so.1");
  fs::remove_all(root);
}

TEST(Init, WrittenSpecParsesBack) {
  Snapshot s;
  Interpreter py;
  py.path = "/p/.venv/bin/python";
  py.version = "3.12.3";
  py.kind = "venv";
  Framework f;
  f.name = "torch";
  f.version = "2.11.0+cu130";
  f.cuda_build = true;
  py.frameworks.push_back(f);
  Finding open;
  open.id = "driver.stub-on-loader-path";
  open.severity = Severity::Warning;
  open.title = "LD_LIBRARY_PATH contains the CUDA toolkit's stub libcuda";
  open.fix = "unset LD_LIBRARY_PATH";
  auto text = render_initial_spec(s, &py, "/p", {open});
  auto spec = parse_spec(text, "/p/gpuenv.toml");
  ASSERT_TRUE(spec) << spec.error() << "\n" << text;
  EXPECT_EQ(spec->interpreter, ".venv/bin/python");
  EXPECT_EQ(spec->python_version, "3.12");
  ASSERT_EQ(spec->frameworks.size(), 1u);
  EXPECT_EQ(spec->frameworks[0].accelerator, "cuda");
  EXPECT_EQ(spec->frameworks[0].version, "2.11.0");
  EXPECT_NE(text.find("#   warning driver.stub-on-loader-path"), std::string::npos);
}

// The Nix host-driver rule of `gpuenv run` is applied after activate(): its LD_LIBRARY_PATH change is recorded
// in Activation.changes like activate()'s own (it used to change only the environment, so -v and `env` missed it).
TEST(Activation, RuleAppliedAfterActivateIsRecordedInChanges) {
  Activation act;
  act.env = {{"PATH", "/usr/bin"}, {"LD_LIBRARY_PATH", "/opt/lib"}};
  act.changes.push_back(VarChange{"PATH", "/bin", "/usr/bin", {"the interpreter first"}, {}, {"/usr/bin"}});
  prepend_to_list_variable(act, "LD_LIBRARY_PATH", "/cache/driver/1", "links to the host driver");
  EXPECT_EQ(act.env["LD_LIBRARY_PATH"], "/cache/driver/1:/opt/lib");
  ASSERT_EQ(act.changes.size(), 2u);
  auto* c = act.change("LD_LIBRARY_PATH");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(&act.changes[0], c) << "changes stay sorted by name";
  EXPECT_EQ(c->before, std::optional<std::string>("/opt/lib"));
  EXPECT_EQ(c->after, std::optional<std::string>("/cache/driver/1:/opt/lib"));
  EXPECT_EQ(c->why, std::vector<std::string>{"links to the host driver"});
  EXPECT_EQ(c->added, std::vector<std::string>{"/cache/driver/1"});
  // Merged into a change activate() already made.
  prepend_to_list_variable(act, "PATH", "/shims", "shims");
  EXPECT_EQ(act.changes.size(), 2u);
  EXPECT_EQ(act.change("PATH")->before, std::optional<std::string>("/bin"));
  EXPECT_EQ(act.change("PATH")->after, std::optional<std::string>("/shims:/usr/bin"));
  EXPECT_EQ(act.change("PATH")->added, (std::vector<std::string>{"/shims", "/usr/bin"}));
  // An unset variable: "set".
  prepend_to_list_variable(act, "ZZ_LIST", "/x", "why");
  EXPECT_EQ(act.changes.back().name, "ZZ_LIST");
  EXPECT_FALSE(act.changes.back().before);
  EXPECT_EQ(act.env["ZZ_LIST"], "/x");
}

}  // namespace
