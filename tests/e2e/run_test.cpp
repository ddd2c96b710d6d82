// End-to-end tests of `gpuenv run/env/lock/verify/diff/init` with real child
// programs: exit codes, signals, stdin, a terminal, open descriptors, the
// environment the child sees, and the motivating NixOS PYTHONPATH.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run.hpp"

namespace fs = std::filesystem;
using gpuenv::test::base_env;
using gpuenv::test::read_text;
using gpuenv::test::run_program;
using nlohmann::json;

namespace {

struct Project {
  std::string dir = gpuenv::test::temp_dir("gpuenv-run");
  ~Project() { fs::remove_all(dir); }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories(fs::path(dir + "/" + rel).parent_path());
    std::ofstream(dir + "/" + rel) << text;
  }
  // The env of a hermetic run started in the project directory (via sh -c 'cd').
  std::map<std::string, std::string> env() {
    auto e = base_env();
    e["XDG_CACHE_HOME"] = dir + "/.cache";
    return e;
  }
  gpuenv::test::RunResult gpuenv(const std::vector<std::string>& args, std::map<std::string, std::string> env = {},
                                 const std::string& input = "") {
    if (env.empty()) env = this->env();
    std::string cmd = "cd " + dir + " && exec " + GPUENV_BINARY;
    for (auto& a : args) cmd += " '" + a + "'";
    return run_program({"/bin/sh", "-c", cmd}, env, input);
  }
};

TEST(Run, ExitCodesPassThroughUnchanged) {
  Project p;
  for (int code = 0; code < 256; ++code) {
    auto r = p.gpuenv({"run", "--", "sh", "-c", "exit " + std::to_string(code)});
    ASSERT_EQ(r.exit_code, code) << r.err;
  }
}

TEST(Run, DeathBySignalIsTheChildsOwn) {
  Project p;
  for (int sig : {SIGTERM, SIGKILL, SIGSEGV, SIGINT}) {
    auto r = p.gpuenv({"run", "--", "sh", "-c", "kill -" + std::to_string(sig) + " $$"});
    EXPECT_EQ(r.signal, sig) << r.err;
  }
}

TEST(Run, StdinStdoutStderrAndOpenDescriptorsReachTheCommand) {
  Project p;
  std::string big(30000, 'x');  // run_program feeds stdin before reading: stay under a pipe buffer
  auto r = p.gpuenv({"run", "--", "sh", "-c", "cat; echo err >&2"}, {}, big);
  EXPECT_EQ(r.out, big);
  EXPECT_EQ(r.err, "err\n");
  // An inherited descriptor (5) stays open through gpuenv into the command.
  std::string cmd = "cd " + p.dir + " && exec 5>" + p.dir + "/fd5.txt && " + GPUENV_BINARY +
                    " run -- sh -c 'echo via-fd5 >&5'";
  auto r2 = run_program({"/bin/sh", "-c", cmd}, p.env());
  EXPECT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(read_text(p.dir + "/fd5.txt"), "via-fd5\n");
}

TEST(Run, TheTerminalReachesTheCommand) {
  if (!fs::exists("/usr/bin/script")) GTEST_SKIP() << "script (util-linux) is not installed";
  Project p;
  std::string inner = std::string(GPUENV_BINARY) + " run -- sh -c 'test -t 0 && test -t 1 && test -t 2 && echo ALL-TTY; tty'";
  auto r = run_program({"/usr/bin/script", "-qec", inner, "/dev/null"}, p.env());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ALL-TTY"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/dev/pts/"), std::string::npos) << r.out;
}

TEST(Run, CommandNotFoundAndBadSpec) {
  Project p;
  auto r = p.gpuenv({"run", "--", "gpuenv-no-such-command"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.err.find("command not found"), std::string::npos);
  p.write("gpuenv.toml", "[python]\nintepreter = \"x\"\n");
  r = p.gpuenv({"run", "--", "true"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(p.dir + "/gpuenv.toml:2:1: unknown key 'intepreter'"), std::string::npos) << r.err;
  p.write("gpuenv.toml", "[python]\ninterpreter = \".venv/bin/python\"\n");
  r = p.gpuenv({"run", "--", "true"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(p.dir + "/.venv/bin/python does not exist"), std::string::npos) << r.err;
}

// Issue 18: with version = "3.12" and pyenv's global 3.11.7, python3.12 on PATH is pyenv's shim of a version
// not selected. gpuenv resolves shims the way pyenv would (tests/fixtures/version-managers) and refuses with exit 2
// before anything starts (the stand-in shims and Pythons write to a marker file when run); once the project selects
// 3.12, the real 3.12.1 runs, not the shim.
TEST(Run, AVersionManagerShimIsResolvedOrRefused) {
  Project p;
  auto home = p.dir + "/home/u";
  fs::create_directories(p.dir + "/home");
  fs::copy(std::string(GPUENV_SOURCE_DIR) + "/tests/fixtures/version-managers/root/home/u", home,
           fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  auto env = p.env();
  env["HOME"] = home;
  env["PYENV_ROOT"] = home + "/.pyenv";
  env["PATH"] = home + "/.pyenv/shims";
  env["GPUENV_TEST_MARKER"] = p.dir + "/ran.txt";
  p.write("gpuenv.toml", "[python]\nversion = \"3.12\"\n");
  auto r = p.gpuenv({"run", "--", "python", "-V"}, env);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(home + "/.pyenv/shims/python3.12 is pyenv's shim, and pyenv would find no python3.12 "
                              "(selected: 3.11.7 (" + home + "/.pyenv/version))"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(p.dir + "/ran.txt")) << read_text(p.dir + "/ran.txt");
  p.write(".python-version", "3.12\n");
  r = p.gpuenv({"run", "--", "python", "-V"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Python 3.12.1\n");
  EXPECT_EQ(read_text(p.dir + "/ran.txt"), "python 3.12.1 -V\n");  // the interpreter itself, no shim
}

// The system's python3, by the path every Debian-like userland has (also the Debian 11 chroot of
// scripts/check-old-glibc.sh, where gpuenv runs and /usr/bin/python3 is 3.9).
std::string system_python3() {
  for (const char* p : {"/usr/bin/python3", "/usr/bin/python3.11"})
    if (fs::exists(p)) return p;
  return "";
}

TEST(Run, TheChildSeesTheActivatedEnvironment) {
  auto py = system_python3();
  if (py.empty()) GTEST_SKIP() << "no /usr/bin/python3";
  Project p;
  // Found from a subdirectory by walking up.
  p.write("sub/dir/.keep", "");
  p.write("gpuenv.toml", "[python]\ninterpreter = \"" + py + "\"\nno_user_site = true\n[env]\nunset = [\"DROPME\"]\n"
                         "[env.set]\nPROJECT_FLAG = \"on\"\n[gpus]\nvisible = [1]\n");
  auto env = p.env();
  env["PYTHONPATH"] = p.dir + "/src:/usr/lib/python3.0/site-packages:/usr/lib/python3.99/site-packages";
  env["DROPME"] = "x";
  env["PYTHONHOME"] = "/nonexistent";
  std::string cmd = "cd " + p.dir + "/sub/dir && exec " + GPUENV_BINARY +
                    " run -- python -c 'import os,sys; print(sys.executable); print(os.environ.get(\"PYTHONPATH\")); "
                    "print(os.environ.get(\"DROPME\"), os.environ[\"PROJECT_FLAG\"], os.environ[\"CUDA_VISIBLE_DEVICES\"], "
                    "os.environ[\"PYTHONNOUSERSITE\"], os.environ.get(\"PYTHONHOME\"))'";
  auto r = run_program({"/bin/sh", "-c", cmd}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = std::vector<std::string>();
  std::stringstream ss(r.out);
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_TRUE(lines[0].starts_with(p.dir + "/.cache/gpuenv/shims/")) << lines[0];  // `python` is the pinned one
  EXPECT_EQ(lines[1], p.dir + "/src");
  EXPECT_EQ(lines[2], "None on 1 1 None");
}

// Issue 18: ~/.cache not writable. The shim directory of a system interpreter falls back to
// $TMPDIR/gpuenv-$UID; with no usable directory at all, run says why and exits 2, starting nothing.
TEST(Run, TheCacheDirectoryFallsBackOrRunSaysWhy) {
  auto py = system_python3();
  if (py.empty()) GTEST_SKIP() << "no /usr/bin/python3";
  Project p;
  p.write("home/.cache", "a file where ~/.cache should be a directory\n");
  p.write("gpuenv.toml", "[python]\ninterpreter = \"" + py + "\"\n");
  auto env = p.env();
  env.erase("XDG_CACHE_HOME");
  env["HOME"] = p.dir + "/home";
  env["TMPDIR"] = p.dir + "/tmp";
  fs::create_directories(p.dir + "/tmp");
  auto r = p.gpuenv({"run", "--", "python", "-c", "import sys; print(sys.executable)"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with(p.dir + "/tmp/gpuenv-" + std::to_string(::geteuid()) + "/shims/")) << r.out;
  env["TMPDIR"] = p.dir + "/home/.cache";  // no directory can be made there either
  r = p.gpuenv({"run", "--", "sh", "-c", "echo started"}, env);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("no cache directory is writable (~/.cache: " + p.dir + "/home/.cache/gpuenv: Not a directory"),
            std::string::npos) << r.err;
}

// Issue 18: a malformed gpuenv.toml in the directory is said on doctor's report (doctor still runs).
TEST(Doctor, AMalformedSpecIsSaid) {
  Project p;
  p.write("gpuenv.toml", "[python\nversion = \"3.11\"\n");
  auto r = p.gpuenv({"doctor", "--no-driver"});
  EXPECT_NE(r.exit_code, 2) << r.err;
  EXPECT_NE(r.out.find("  gpuenv.toml not used: " + p.dir + "/gpuenv.toml:1:8: "), std::string::npos) << r.out;
  auto md = p.gpuenv({"doctor", "--no-driver", "--markdown"});
  EXPECT_NE(md.out.find("| gpuenv.toml | not used: " + p.dir + "/gpuenv.toml:1:8: "), std::string::npos) << md.out;
}

// --check judges the spec named by --spec. It once judged a gpuenv.toml found from the current directory
// instead (the probe looked for one itself): here that one declares a Python 3.12 while 3.11 runs.
TEST(Run, CheckJudgesTheSpecNamedBySpec) {
  Project p;
  std::string root = p.dir + "/root";
  auto exe = [&](const std::string& rel) {
    p.write("root" + rel, "");
    fs::permissions(root + rel, fs::perms::owner_all);
  };
  exe("/usr/bin/python3.11");
  fs::create_symlink("python3.11", root + "/usr/bin/python3");
  exe("/opt/py/bin/python3.12");
  std::string other = "[python]\ninterpreter = \"/opt/py/bin/python3.12\"\n";
  p.write("gpuenv.toml", other);
  p.write("root" + p.dir + "/gpuenv.toml", other);  // the current directory as the machine tree shows it
  p.write("x/gpuenv.toml", "[frameworks]\ntorch = \"cpu\"\n");  // no interpreter declared, no GPU wanted
  auto r = p.gpuenv({"run", "--check", "--root", root, "--spec", p.dir + "/x/gpuenv.toml", "--", "true"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("python.not-declared"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("/opt/py/bin/python3.12"), std::string::npos) << r.err;
}

TEST(Env, TheMotivatingNixShellPythonPathIsRepaired) {
  std::string dir = std::string(GPUENV_SOURCE_DIR) + "/tests/env/nixos-python311";
  std::vector<std::string> entries, expected;
  std::stringstream a(read_text(dir + "/pythonpath.txt")), b(read_text(dir + "/expected-removed.txt"));
  for (std::string l; std::getline(a, l);) entries.push_back(l);
  for (std::string l; std::getline(b, l);) expected.push_back(l);
  auto env = base_env();
  std::string pp;
  for (auto& e : entries) pp += (pp.empty() ? "" : ":") + e;
  env["PYTHONPATH"] = pp;
  env["LD_LIBRARY_PATH"] = "/usr/local/cuda/lib64/stubs";
  auto r = run_program({GPUENV_BINARY, "env", "--json", "--root", dir + "/root", "--spec", dir + "/gpuenv.toml"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = json::parse(r.out);
  std::map<std::string, json> by_name;
  for (auto& c : j["changes"]) by_name[c["name"]] = c;
  ASSERT_TRUE(by_name.count("PYTHONPATH"));
  std::vector<std::string> removed;
  for (auto& x : by_name["PYTHONPATH"]["removed"]) removed.push_back(x["entry"]);
  EXPECT_EQ(removed, expected);
  auto after = by_name["PYTHONPATH"]["after"].get<std::string>();
  EXPECT_EQ(std::count(after.begin(), after.end(), ':') + 1, long(entries.size() - expected.size()));
  EXPECT_EQ(after.find("python3.12"), std::string::npos);
  EXPECT_EQ(by_name["LD_LIBRARY_PATH"]["after"], "/run/opengl-driver/lib");
  EXPECT_TRUE(by_name["PATH"]["after"].get<std::string>().starts_with(
      "/nix/store/0v8n3f7pj6kyxz9r5cq2h1dwlm4sab6g-python3-3.11.9/bin:"));
  // The shell statements say the same, for bash and fish.
  auto bash = run_program({GPUENV_BINARY, "env", "--shell", "bash", "--root", dir + "/root", "--spec", dir + "/gpuenv.toml"}, env);
  EXPECT_NE(bash.out.find("export LD_LIBRARY_PATH=/run/opengl-driver/lib;"), std::string::npos) << bash.out;
  auto fish = run_program({GPUENV_BINARY, "env", "--shell", "fish", "--root", dir + "/root", "--spec", dir + "/gpuenv.toml"}, env);
  EXPECT_NE(fish.out.find("set -gx LD_LIBRARY_PATH '/run/opengl-driver/lib';"), std::string::npos) << fish.out;
}

TEST(Env, EvalTwiceChangesNothingMore) {
  Project p;
  p.write("gpuenv.toml", "[env.set]\nA = \"it's\"\n");
  std::string cmd = "cd " + p.dir + " && eval \"$(" + GPUENV_BINARY + " env --shell sh)\" && echo \"A=$A\" && " +
                    GPUENV_BINARY + " env --shell sh";
  auto r = run_program({"/bin/sh", "-c", cmd}, p.env());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "A=it's\n");
}

TEST(Direnv, UseGpuenvLoadsTheEnvironment) {
  if (!fs::exists("/usr/bin/direnv")) GTEST_SKIP() << "direnv is not installed";
  Project p;
  p.write("gpuenv.toml", "[env.set]\nFROM_GPUENV = \"yes\"\n");
  p.write(".envrc", "source " + std::string(GPUENV_SOURCE_DIR) + "/share/direnv/gpuenv.sh\nuse gpuenv\n");
  auto env = p.env();
  env["PATH"] = fs::path(GPUENV_BINARY).parent_path().string() + ":" + env["PATH"];
  env["XDG_CONFIG_HOME"] = p.dir + "/.config";
  env["XDG_DATA_HOME"] = p.dir + "/.data";
  std::string cmd = "cd " + p.dir + " && direnv allow . && direnv exec . sh -c 'echo $FROM_GPUENV $GPUENV_ACTIVE'";
  auto r = run_program({"/bin/sh", "-c", cmd}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "yes " + p.dir + "/gpuenv.toml\n") << r.err;
}

// lock locates the declared interpreter once, in the environment before activation. It used to look again in
// the activated one, where a shim directory (links to the interpreter, put first on PATH when /usr/bin/python
// is not it) comes first: the lock then named the shim instead of the interpreter.
TEST(Lock, TheDeclaredInterpreterIsLocatedOnceBeforeActivation) {
  if (!fs::exists("/usr/bin/python3") || fs::exists("/usr/bin/python")) GTEST_SKIP() << "needs python3 without python";
  Project p;
  p.write("gpuenv.toml", "[python]\ninterpreter = \"python3\"\n");
  ASSERT_EQ(p.gpuenv({"run", "--", "true"}).exit_code, 0);  // creates the shim directory
  ASSERT_TRUE(fs::exists(p.dir + "/.cache/gpuenv/shims"));
  auto r = p.gpuenv({"lock", "--no-driver", "-o", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\n[python]\npath = \"/usr/bin/python3\"\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("/.cache/gpuenv/shims/"), std::string::npos) << r.out;
}

TEST(Lock, InterruptedLockLeavesTheOldLockIntact) {
  if (!fs::exists("/usr/bin/prlimit")) GTEST_SKIP() << "prlimit (util-linux) is not installed";
  Project p;
  p.write("gpuenv.toml", "[env.set]\nX = \"1\"\n");
  std::string old = "schema = 1\n# the old lock, whatever it says\n";
  p.write("gpuenv.lock", old);
  // Killed by SIGXFSZ while writing (a file size limit of 64 bytes).
  std::string cmd = "cd " + p.dir + " && exec prlimit --fsize=64 " + GPUENV_BINARY + " lock --no-driver";
  auto r = run_program({"/bin/sh", "-c", cmd}, p.env());
  EXPECT_EQ(r.signal, SIGXFSZ) << r.err;
  EXPECT_EQ(read_text(p.dir + "/gpuenv.lock"), old);
  // The write fails instead (SIGXFSZ ignored): a clear error, the old lock untouched, no temporary left.
  cmd = "cd " + p.dir + " && rm -f .gpuenv.lock.tmp.* && trap '' XFSZ && exec prlimit --fsize=64 " + GPUENV_BINARY +
        " lock --no-driver";
  r = run_program({"/bin/sh", "-c", cmd}, p.env());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("the previous lock, if any, is unchanged"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(p.dir + "/gpuenv.lock"), old);
  for (auto& e : fs::directory_iterator(p.dir)) EXPECT_FALSE(e.path().filename().string().starts_with(".gpuenv.lock.tmp"));
  // A complete lock then verifies clean, and re-locking changes nothing.
  r = p.gpuenv({"lock", "--no-driver"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto first = read_text(p.dir + "/gpuenv.lock");
  EXPECT_EQ(p.gpuenv({"lock", "--no-driver"}).exit_code, 0);
  EXPECT_EQ(read_text(p.dir + "/gpuenv.lock"), first);
  r = p.gpuenv({"verify", "--no-driver"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

const std::string kVenvSite = "/opt/venv/lib/python3.12/site-packages";

// Saved snapshots of two states of a machine (doctor --json documents).
json snapshot(const std::string& driver, int api, const std::string& cudnn_dir, const std::string& cudnn_file,
              const std::string& torch_version, bool cuda_build) {
  bool nine = cudnn_file.ends_with(".9");
  json s = {{"schema_version", 1},
            {"host", {{"arch", "x86_64"}}},
            {"kernel", {{"loaded", true}, {"version", driver}}},
            {"cuda", {{"status", "ok"}, {"library_version", driver}, {"driver_version", api},
                      {"devices", {{{"index", 0}, {"name", "NVIDIA H100 80GB HBM3"}, {"cc_major", 9}, {"cc_minor", 0}}}}}},
            {"libraries", {{"copies", {{{"name", "cuda"}, {"path", "/usr/lib/x86_64-linux-gnu/libcuda.so.1"},
                                        {"realpath", "/usr/lib/x86_64-linux-gnu/libcuda.so." + driver},
                                        {"version", driver}, {"origin", "default"}, {"size", 1000}},
                                       {{"name", "cudnn"}, {"path", cudnn_dir + "/" + cudnn_file},
                                        {"realpath", cudnn_dir + "/" + cudnn_file},
                                        {"version", cudnn_file.ends_with(".8") ? "8.9.7" : "9.19.0"},
                                        {"origin", "default"}, {"size", 2000}}}},
                           // What the loader resolves for torch: libcudnn.so.9 through ld.so.cache, or nothing.
                           {"consumers", {{{"name", "torch"}, {"kind", "framework"}, {"location", kVenvSite},
                                           {"loads", {{{"name", "libcudnn.so.9"}, {"kind", "needed"},
                                                       {"path", nine ? cudnn_dir + "/" + cudnn_file : ""},
                                                       {"realpath", nine ? cudnn_dir + "/" + cudnn_file : ""},
                                                       {"family", "cudnn"}, {"version", nine ? "9.19.0" : ""},
                                                       {"reason", nine ? "ld.so.cache" : "not found"}}}}}}}}},
            {"python", {{"active", 0},
                        {"interpreters", {{{"path", "/opt/venv/bin/python"}, {"version", "3.12.3"}, {"kind", "venv"},
                                           {"prefix", "/opt/venv"},
                                           {"frameworks", {{{"name", "torch"}, {"version", torch_version},
                                                            {"location", kVenvSite + "/torch"},
                                                            {"cuda_build", cuda_build},
                                                            {"cuda_version", cuda_build ? "13.0" : ""}}}}}}}}}};
  return s;
}

TEST(Verify, FixturePairsAreJudged) {
  Project p;
  std::string sys = "/usr/lib/x86_64-linux-gnu";
  auto base = snapshot("580.159.04", 13000, sys, "libcudnn.so.9", "2.11.0+cu130", true);
  p.write("before.json", base.dump());
  p.write("upgrade.json", snapshot("590.44.01", 13010, sys, "libcudnn.so.9", "2.11.0+cu130", true).dump());
  p.write("cudnn8.json", snapshot("580.159.04", 13000, sys, "libcudnn.so.8", "2.11.0+cu130", true).dump());
  p.write("cpu.json", snapshot("580.159.04", 13000, sys, "libcudnn.so.9", "2.11.0+cpu", false).dump());
  auto interp = base;
  interp["python"]["interpreters"][0]["version"] = "3.11.9";
  p.write("python311.json", interp.dump());

  auto r = p.gpuenv({"lock", "--from", "before.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = p.gpuenv({"verify", "--from", "before.json"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("nothing changed"), std::string::npos);

  r = p.gpuenv({"verify", "--from", "upgrade.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("driver: 580.159.04 → 590.44.01"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("still runs CUDA 13.0"), std::string::npos) << r.out;
  EXPECT_EQ(p.gpuenv({"verify", "--from", "upgrade.json", "--allow-compatible"}).exit_code, 0);

  r = p.gpuenv({"verify", "--from", "cudnn8.json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("breaks"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("torch needs libcudnn.so.9"), std::string::npos) << r.out;

  r = p.gpuenv({"diff", "before.json", "cpu.json", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  auto j = json::parse(r.out);
  ASSERT_FALSE(j.empty());
  EXPECT_EQ(j[0]["subject"], "torch");
  EXPECT_EQ(j[0]["impact"], "breaks");

  r = p.gpuenv({"verify", "--from", "python311.json", "--allow-compatible"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("Python 3.12 -> 3.11"), std::string::npos) << r.out;

  // A damaged lock is an error (exit 2), never a verdict.
  auto text = read_text(p.dir + "/gpuenv.lock");
  p.write("gpuenv.lock", text.substr(0, text.size() / 2));
  r = p.gpuenv({"verify", "--from", "before.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("truncated or edited"), std::string::npos) << r.err;
}

TEST(Init, RefusesWhenDoctorFindsErrorsAndWritesWithForce) {
  Project p;
  std::string root = std::string(GPUENV_SOURCE_DIR) + "/tests/fixtures/module-not-loaded/root";
  auto r = p.gpuenv({"init", "--no-driver", "--root", root});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(fs::exists(p.dir + "/gpuenv.toml"));
  EXPECT_NE(r.err.find("pass --force"), std::string::npos);
  r = p.gpuenv({"init", "--no-driver", "--force", "--root", root});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto text = read_text(p.dir + "/gpuenv.toml");
  EXPECT_NE(text.find("# Open findings"), std::string::npos);
  EXPECT_NE(text.find("driver.module-not-loaded"), std::string::npos);
  // What init wrote is a valid spec.
  EXPECT_EQ(p.gpuenv({"env"}).exit_code, 0);
  // A second init does not overwrite it.
  EXPECT_EQ(p.gpuenv({"init", "--no-driver", "--root", root}).exit_code, 2);
}

}  // namespace
