// The static Python probe on synthetic trees (a --root with venvs, .pth files,
// egg-info, a user site, Debian's layout), the python.* checks, and the real
// interpreters of this machine where present (running them is fine in tests).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "checks/check.hpp"
#include "env/spec.hpp"
#include "probe/probes.hpp"
#include "probe/python.hpp"
#include "run.hpp"
#include "util/strings.hpp"

using namespace gpuenv;
namespace fs = std::filesystem;

namespace {

// A sysroot in a temp directory; paths given are logical ("/usr/bin/python3").
struct Tree {
  std::string root = test::temp_dir("gpuenv-py");
  ~Tree() { fs::remove_all(root); }
  std::string host(const std::string& p) const { return root + p; }
  void file(const std::string& p, const std::string& text = "", bool exec = false) {
    fs::create_directories(fs::path(host(p)).parent_path());
    std::ofstream(host(p)) << text;
    if (exec) fs::permissions(host(p), fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  }
  void dir(const std::string& p) { fs::create_directories(host(p)); }
  void link(const std::string& p, const std::string& target) {
    fs::create_directories(fs::path(host(p)).parent_path());
    fs::create_symlink(target, host(p));
  }
  // A CPython installation under prefix: bin/pythonX.Y, lib/pythonX.Y/{os.py,lib-dynload,site-packages}.
  void python(const std::string& prefix, const std::string& minor, bool site = true) {
    file(prefix + "/bin/python" + minor, "ELF", true);
    file(prefix + "/lib/python" + minor + "/os.py");
    dir(prefix + "/lib/python" + minor + "/lib-dynload");
    if (site) dir(prefix + "/lib/python" + minor + "/site-packages");
  }
  void dist(const std::string& site, const std::string& name, const std::string& version,
            const std::vector<std::string>& requires_dist = {}, const std::string& installer = "pip") {
    auto d = site + "/" + name + "-" + version + ".dist-info";
    std::string meta = "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n";
    for (auto& r : requires_dist) meta += "Requires-Dist: " + r + "\n";
    meta += "\nRequires-Dist: not-a-header\n";  // the description: never parsed
    file(d + "/METADATA", meta);
    if (!installer.empty()) file(d + "/INSTALLER", installer + "\n");
  }
  void torch(const std::string& site, const std::string& version, const std::string& cuda) {
    file(site + "/torch/__init__.py");
    file(site + "/torch/version.py", "from typing import Optional\n__version__ = '" + version +
                                         "'\ndebug = False\ncuda: Optional[str] = " + cuda +
                                         "\ngit_version = 'x'\nhip: Optional[str] = None\n");
  }
  ProbeContext ctx(Environment env = {}) const { return ProbeContext{Fs(root), std::move(env)}; }
};

std::vector<std::string> paths(const Interpreter& py) {
  std::vector<std::string> out;
  for (auto& e : py.sys_path) out.push_back(e.path);
  return out;
}

std::string origin(const Interpreter& py, const std::string& path) {
  for (auto& e : py.sys_path)
    if (e.path == path) return e.origin;
  return "(absent)";
}

const Distribution* dist(const Interpreter& py, const std::string& name, bool winner = true) {
  for (auto& d : py.distributions)
    if (d.name == name && d.shadowed_by.empty() == winner) return &d;
  return nullptr;
}

std::vector<std::string> ids(const Snapshot& s, const std::string& only) {
  CheckFilter f;
  f.only = {only};
  std::vector<std::string> out;
  for (auto& x : run_checks(s, Knowledge::get(), f)) out.push_back(x.id);
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// Interpreters and sys.path.

TEST(PythonProbe, VenvWithPthFiles) {
  Tree t;
  t.python("/opt/py", "3.12");
  t.file("/opt/py/include/python3.12/patchlevel.h", "#define PY_VERSION              \"3.12.4\"\n");
  t.file("/proj/.venv/pyvenv.cfg", "home = /opt/py/bin\ninclude-system-site-packages = false\nversion = 3.12.4\n");
  t.link("/proj/.venv/bin/python", "/opt/py/bin/python3.12");
  const std::string site = "/proj/.venv/lib/python3.12/site-packages";
  t.dir(site + "/extra");
  t.dir("/src/mylib");
  t.file(site + "/a.pth", "# a comment\n\nextra\n/src/mylib\n/does/not/exist\nimport sys; sys.flags\n");
  t.file(site + "/b.pth", "extra\n");  // already there: ignored
  t.file("/home/u/.local/lib/python3.12/site-packages/x.py");  // a user site: off inside a venv
  auto ctx = t.ctx({{"HOME", "/home/u"}});
  auto py = inspect_interpreter(ctx.fs, "/proj/.venv/bin/python");
  EXPECT_EQ(py.kind, "venv");
  EXPECT_EQ(py.version, "3.12.4");
  EXPECT_EQ(py.prefix, "/proj/.venv");
  EXPECT_EQ(py.base_prefix, "/opt/py");
  EXPECT_EQ(py.realpath, "/opt/py/bin/python3.12");
  compute_sys_path(ctx, py);
  EXPECT_EQ(paths(py), (std::vector<std::string>{"/opt/py/lib/python312.zip", "/opt/py/lib/python3.12",
                                                  "/opt/py/lib/python3.12/lib-dynload", site, site + "/extra",
                                                  "/src/mylib"}));
  EXPECT_EQ(origin(py, site + "/extra"), "pth");
  EXPECT_EQ(py.sys_path[4].pth_file, site + "/a.pth");
  EXPECT_FALSE(py.sys_path[0].exists);  // the zip
  ASSERT_EQ(py.pth_imports.size(), 1u);
  EXPECT_EQ(py.pth_imports[0], site + "/a.pth: import sys; sys.flags");
}

TEST(PythonProbe, VenvWithSystemSitePackagesAndUserSite) {
  Tree t;
  t.python("/opt/py", "3.11");
  t.file("/v/pyvenv.cfg", "home = /opt/py/bin\ninclude-system-site-packages = true\nversion_info = 3.11.9.final.0\n");
  t.file("/v/bin/python", "ELF", true);
  t.dir("/v/lib/python3.11/site-packages");
  t.dir("/home/u/.local/lib/python3.11/site-packages");
  auto ctx = t.ctx({{"HOME", "/home/u"}, {"PYTHONPATH", "/pp1:rel"}, {"PWD", "/work"}});
  auto py = inspect_interpreter(ctx.fs, "/v/bin/python");
  EXPECT_EQ(py.version, "3.11.9");
  EXPECT_TRUE(py.include_system_site_packages);
  compute_sys_path(ctx, py);
  EXPECT_EQ(paths(py), (std::vector<std::string>{"/pp1", "/work/rel", "/opt/py/lib/python311.zip",
                                                  "/opt/py/lib/python3.11", "/opt/py/lib/python3.11/lib-dynload",
                                                  "/v/lib/python3.11/site-packages",
                                                  "/home/u/.local/lib/python3.11/site-packages",
                                                  "/opt/py/lib/python3.11/site-packages"}));
  EXPECT_EQ(origin(py, "/pp1"), "PYTHONPATH");
  EXPECT_EQ(origin(py, "/home/u/.local/lib/python3.11/site-packages"), "user-site");
  // PYTHONNOUSERSITE drops it.
  auto ctx2 = t.ctx({{"HOME", "/home/u"}, {"PYTHONNOUSERSITE", "1"}});
  compute_sys_path(ctx2, py);
  EXPECT_EQ(origin(py, "/home/u/.local/lib/python3.11/site-packages"), "(absent)");
}

// pyvenv.cfg as site.py reads it: keys in any case; without include-system-site-packages the system site counts.
TEST(PythonProbe, PyvenvCfgKeysAreCaseInsensitive) {
  Tree t;
  t.python("/opt/py", "3.11");
  t.file("/v/pyvenv.cfg", "HOME = /opt/py/bin\nInclude-System-Site-Packages = FALSE\nVersion = 3.11.9\n");
  t.file("/v/bin/python", "ELF", true);
  auto py = inspect_interpreter(t.ctx().fs, "/v/bin/python");
  EXPECT_EQ(py.base_prefix, "/opt/py");
  EXPECT_EQ(py.version, "3.11.9");
  EXPECT_FALSE(py.include_system_site_packages);
  t.file("/w/pyvenv.cfg", "home = /opt/py/bin\nversion = 3.11.9\n");
  t.file("/w/bin/python", "ELF", true);
  EXPECT_TRUE(inspect_interpreter(t.ctx().fs, "/w/bin/python").include_system_site_packages);
}

// A --system-site-packages venv with a user site: the venv's own copy wins, so no user-site finding.
TEST(PythonChecks, UserSiteAfterTheVenvShadowsNothing) {
  Tree t;
  t.python("/opt/py", "3.11");
  t.file("/v/pyvenv.cfg", "home = /opt/py/bin\ninclude-system-site-packages = true\nversion = 3.11.9\n");
  t.file("/v/bin/python", "ELF", true);
  const std::string venv_site = "/v/lib/python3.11/site-packages";
  const std::string user = "/home/u/.local/lib/python3.11/site-packages";
  t.dist(venv_site, "numpy", "2.1.0");
  t.dist(user, "numpy", "1.26.4");
  auto ctx = t.ctx({{"HOME", "/home/u"}});
  Snapshot s;
  s.python.interpreters.push_back(inspect_interpreter(ctx.fs, "/v/bin/python"));
  compute_sys_path(ctx, s.python.interpreters[0]);
  SiteScanCache cache;
  scan_distributions(ctx, s.python.interpreters[0], cache);
  s.python.active = 0;
  EXPECT_TRUE(ids(s, "python.user-site-shadows").empty());
  ASSERT_TRUE(dist(s.python.interpreters[0], "numpy"));
  EXPECT_EQ(dist(s.python.interpreters[0], "numpy")->location, venv_site);
}

TEST(PythonProbe, DebianLayout) {
  Tree t;
  t.file("/etc/debian_version", "12.8\n");
  t.python("/usr", "3.11", false);
  t.link("/usr/bin/python3", "python3.11");
  t.dir("/usr/lib/python3/dist-packages");
  t.dir("/usr/local/lib/python3.11/dist-packages");
  t.dir("/home/u/.local/lib/python3.11/site-packages");
  // Debian's python3-torch: an egg-info directory, a CPU build.
  t.file("/usr/lib/python3/dist-packages/torch-1.13.0a0+gitunknown.egg-info/PKG-INFO",
         "Metadata-Version: 2.1\nName: torch\nVersion: 1.13.0a0+gitunknown\n\nlong description\n");
  t.file("/usr/lib/python3/dist-packages/torch/__init__.py");
  t.file("/usr/lib/python3/dist-packages/torch/version.py",
         "__version__ = '1.13.0a0'\ndebug = False\ncuda = None\ngit_version = 'Unknown'\nhip = None\n");
  // A single-file egg-info (distutils).
  t.file("/usr/lib/python3/dist-packages/six-1.16.0.egg-info", "Metadata-Version: 1.1\nName: six\nVersion: 1.16.0\n");
  t.file("/usr/bin/pip", "#!/usr/bin/python3\nimport pip\n", true);
  Environment env{{"PATH", "/usr/bin"}, {"HOME", "/home/u"}};
  Snapshot s;
  probe_python(t.ctx(env), s);
  ASSERT_GE(s.python.active, 0);
  auto& py = s.python.interpreters[size_t(s.python.active)];
  EXPECT_EQ(py.path, "/usr/bin/python3");  // python3.11 and python3 are one interpreter
  EXPECT_EQ(py.realpath, "/usr/bin/python3.11");
  EXPECT_EQ(py.kind, "system");
  EXPECT_EQ(py.version, "3.11");
  EXPECT_EQ(paths(py), (std::vector<std::string>{"/usr/lib/python311.zip", "/usr/lib/python3.11",
                                                  "/usr/lib/python3.11/lib-dynload",
                                                  "/home/u/.local/lib/python3.11/site-packages",
                                                  "/usr/local/lib/python3.11/dist-packages",
                                                  "/usr/lib/python3/dist-packages"}));
  EXPECT_EQ(origin(py, "/usr/lib/python3/dist-packages"), "dist-packages");
  auto* six = dist(py, "six");
  ASSERT_TRUE(six);
  EXPECT_EQ(six->version, "1.16.0");
  EXPECT_EQ(six->installer, "debian");
  ASSERT_EQ(py.frameworks.size(), 1u);
  auto& torch = py.frameworks[0];
  EXPECT_EQ(torch.version, "1.13.0a0");
  EXPECT_EQ(torch.distribution, "torch");
  EXPECT_FALSE(torch.cuda_build);
  EXPECT_EQ(torch.variant, "cpu");
  EXPECT_EQ(torch.location, "/usr/lib/python3/dist-packages/torch");
  // pip's shebang names python3.11 under another name: the same interpreter, no finding.
  EXPECT_EQ(s.python.pip, "/usr/bin/pip");
  EXPECT_EQ(s.python.pip_interpreter, "/usr/bin/python3");
  EXPECT_TRUE(ids(s, "python.pip-mismatch").empty());
  int count = 0;
  for (auto& i : s.python.interpreters) count += i.realpath == "/usr/bin/python3.11";
  EXPECT_EQ(count, 1);
}

TEST(PythonProbe, PyenvShimsResolveToTheSelectedVersion) {
  Tree t;
  t.file("/r/.pyenv/shims/python", "#!/usr/bin/env bash\nset -e\nexec \"/r/.pyenv/libexec/pyenv\" exec \"$program\" \"$@\"\n", true);
  t.python("/r/.pyenv/versions/3.10.13", "3.10");
  t.link("/r/.pyenv/versions/3.10.13/bin/python", "python3.10");
  t.python("/r/.pyenv/versions/3.12.1", "3.12");
  t.link("/r/.pyenv/versions/3.12.1/bin/python", "python3.12");
  t.file("/r/.pyenv/version", "3.12.1\n");
  t.file("/proj/.python-version", "3.10.13\n");
  t.python("/usr", "3.11", false);
  t.link("/usr/bin/python", "python3.11");
  Environment base{{"PATH", "/r/.pyenv/shims:/usr/bin"}, {"PYENV_ROOT", "/r/.pyenv"}, {"HOME", "/r"}};
  auto ctx = t.ctx(base);
  EXPECT_EQ(resolve_shim(ctx, "/r/.pyenv/shims/python").manager, "pyenv");
  EXPECT_EQ(resolve_shim(ctx, "/r/.pyenv/shims/python").target, "/r/.pyenv/versions/3.12.1/bin/python");
  auto env = base;
  env["PWD"] = "/proj/sub";
  EXPECT_EQ(resolve_shim(t.ctx(env), "/r/.pyenv/shims/python").target, "/r/.pyenv/versions/3.10.13/bin/python");
  env["PYENV_VERSION"] = "system";
  EXPECT_EQ(resolve_shim(t.ctx(env), "/r/.pyenv/shims/python").target, "/usr/bin/python");
  Snapshot s;
  probe_python(ctx, s);
  ASSERT_GE(s.python.active, 0);
  auto& py = s.python.interpreters[size_t(s.python.active)];
  EXPECT_EQ(py.kind, "pyenv");
  EXPECT_EQ(py.version, "3.12.1");
  EXPECT_EQ(py.realpath, "/r/.pyenv/versions/3.12.1/bin/python3.12");
  ASSERT_FALSE(py.found_as.empty());
  EXPECT_TRUE(py.found_as[0].starts_with("PATH:python (pyenv shim")) << py.found_as[0];
}

TEST(PythonProbe, ShebangForms) {
  Tree t;
  t.file("/a/pip", "#!/opt/x/bin/python3.12\n", true);
  t.file("/b/pip", "#!/bin/sh\n'''exec' \"/very/long/path/bin/python\" \"$0\" \"$@\"\n' '''\n", true);
  t.file("/c/pip", "#!/usr/bin/env -S python3\n", true);
  t.file("/usr/bin/python3", "ELF", true);
  t.file("/d/pip", "no shebang", true);
  auto ctx = t.ctx({{"PATH", "/usr/bin"}});
  EXPECT_EQ(shebang_interpreter(ctx, "/a/pip"), "/opt/x/bin/python3.12");
  EXPECT_EQ(shebang_interpreter(ctx, "/b/pip"), "/very/long/path/bin/python");
  EXPECT_EQ(shebang_interpreter(ctx, "/c/pip"), "/usr/bin/python3");
  EXPECT_EQ(shebang_interpreter(ctx, "/d/pip"), "");
  EXPECT_EQ(shebang_interpreter(ctx, "/missing"), "");
}

TEST(PythonProbe, VersionFromNixStoreAndLibpython) {
  Tree t;
  t.file("/nix/store/0v8n3f7pj6kyxz9r5cq2h1dwlm4sab6g-python3-3.11.9/bin/python3.11", "ELF", true);
  auto py = inspect_interpreter(t.ctx().fs, "/nix/store/0v8n3f7pj6kyxz9r5cq2h1dwlm4sab6g-python3-3.11.9/bin/python3.11");
  EXPECT_EQ(py.kind, "nix");
  EXPECT_EQ(py.version, "3.11.9");
  t.file("/opt/odd/bin/python", "ELF", true);
  t.file("/opt/odd/lib/libpython3.10.so.1.0", "ELF");
  auto odd = inspect_interpreter(t.ctx().fs, "/opt/odd/bin/python");
  EXPECT_EQ(odd.version, "3.10");
  EXPECT_EQ(odd.kind, "other");
}

// ---------------------------------------------------------------------------
// Distributions and frameworks.

TEST(PythonProbe, MetadataHeadersOnly) {
  Distribution d;
  parse_metadata_headers("Metadata-Version: 2.1\r\nName: Foo_Bar\r\nVersion: 1.0\r\nSummary: x\r\n  continued\r\n"
                         "Requires-Dist: nvidia-cudnn-cu12==9.1.0.70; platform_system == \"Linux\"\r\n\r\n"
                         "Name: not-me\r\n",
                         d);
  EXPECT_EQ(d.name, "Foo_Bar");
  EXPECT_EQ(d.version, "1.0");
  ASSERT_EQ(d.requires_dist.size(), 1u);
  EXPECT_EQ(normalize_dist_name("Foo_Bar..baz"), "foo-bar-baz");
  EXPECT_EQ(split_metadata_dir_name("torch-2.11.0+cu130.dist-info"), std::make_pair(std::string("torch"), std::string("2.11.0+cu130")));
  EXPECT_EQ(split_metadata_dir_name("jax_cuda13_plugin-0.7.2.dist-info").first, "jax_cuda13_plugin");
  EXPECT_EQ(split_metadata_dir_name("six-1.16.0-py3.11.egg-info").second, "1.16.0");
  Distribution broken;
  parse_metadata_headers("\x01\x02garbage without colon\n", broken);  // no crash, nothing read
  EXPECT_TRUE(broken.name.empty());
}

TEST(PythonProbe, FrameworksAndShadowing) {
  Tree t;
  t.python("/opt/py", "3.12");
  const std::string site = "/opt/py/lib/python3.12/site-packages";
  t.torch(site, "2.11.0+cu130", "'13.0'");
  t.dist(site, "torch", "2.11.0+cu130",
         {"filelock", "nvidia-cudnn-cu13==9.13.0.50; platform_system == \"Linux\"", "nvidia-nccl-cu13==2.27.7"});
  // A CPU torch on PYTHONPATH shadows it.
  t.torch("/cpu", "2.11.0+cpu", "None");
  t.dist("/cpu", "torch", "2.11.0+cpu");
  // TensorFlow with its build info; the and-cuda extra installed.
  t.file(site + "/tensorflow/__init__.py");
  t.file(site + "/tensorflow/python/platform/build_info.py",
         "build_info = {'cpu_compiler': '/usr/lib/llvm-17/bin/clang', 'cuda_compute_capabilities': ['sm_60', 'sm_70', "
         "'sm_80', 'sm_89', 'compute_90'], 'cuda_version': '12.3', 'cudnn_version': '8', 'is_cuda_build': True, "
         "'is_rocm_build': False, 'is_tensorrt_build': False}\n");
  t.dist(site, "tensorflow", "2.17.0", {"numpy", "nvidia-cublas-cu12==12.3.4.1; extra == \"and-cuda\""});
  t.dist(site, "nvidia-cublas-cu12", "12.3.4.1");
  // JAX with the CUDA 13 plugin and PJRT.
  t.file(site + "/jax/__init__.py");
  t.dist(site, "jax", "0.7.2");
  t.dist(site, "jaxlib", "0.7.2");
  t.dist(site, "jax_cuda13_plugin", "0.7.2", {"jax-cuda13-pjrt==0.7.2", "nvidia-cuda-nvcc-cu13; extra == \"with-cuda\""});
  t.dist(site, "jax-cuda13-pjrt", "0.7.2");
  // CuPy.
  t.file(site + "/cupy/__init__.py");
  t.dist(site, "cupy-cuda12x", "13.3.0");
  auto ctx = t.ctx({{"PYTHONPATH", "/cpu"}});
  auto py = inspect_interpreter(ctx.fs, "/opt/py/bin/python3.12");
  compute_sys_path(ctx, py);
  SiteScanCache cache;
  scan_distributions(ctx, py, cache);
  std::map<std::string, const Framework*> win;
  const Framework* shadowed = nullptr;
  for (auto& f : py.frameworks) {
    if (f.shadowed_by.empty()) win[f.name] = &f;
    else shadowed = &f;
  }
  ASSERT_EQ(win.size(), 4u);
  EXPECT_EQ(win["torch"]->variant, "cpu");
  EXPECT_EQ(win["torch"]->location, "/cpu/torch");
  ASSERT_TRUE(shadowed);
  EXPECT_EQ(shadowed->shadowed_by, "/cpu/torch");
  EXPECT_TRUE(shadowed->cuda_build);
  EXPECT_EQ(shadowed->cuda_version, "13.0");
  EXPECT_EQ(shadowed->variant, "cu130");
  EXPECT_EQ(shadowed->required_wheels,
            (std::vector<std::string>{"nvidia-cudnn-cu13==9.13.0.50", "nvidia-nccl-cu13==2.27.7"}));
  auto& tf = *win["tensorflow"];
  EXPECT_TRUE(tf.cuda_build);
  EXPECT_EQ(tf.cuda_version, "12.3");
  EXPECT_EQ(tf.cudnn_version, "8");
  EXPECT_EQ(tf.variant, "and-cuda");
  EXPECT_EQ(tf.arch_list.size(), 5u);
  EXPECT_EQ(tf.distribution, "tensorflow");
  auto& jax = *win["jax"];
  EXPECT_TRUE(jax.cuda_build);
  EXPECT_EQ(jax.cuda_version, "13");
  EXPECT_EQ(jax.variant, "cuda13");
  EXPECT_EQ(jax.distribution, "jax + jaxlib + jax_cuda13_plugin + jax-cuda13-pjrt");
  auto& cupy = *win["cupy"];
  EXPECT_EQ(cupy.cuda_version, "12");
  EXPECT_EQ(cupy.variant, "cuda12x");
  EXPECT_EQ(cupy.version, "13.3.0");
  // The torch distribution in site-packages is shadowed too.
  auto* lost = dist(py, "torch", false);
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->shadowed_by, "/cpu");

  // The module view: torch is provided by /cpu (wins) and site-packages.
  ASSERT_EQ(py.shadowed_modules.size(), 1u);
  EXPECT_EQ(py.shadowed_modules[0].name, "torch");
  EXPECT_EQ(py.shadowed_modules[0].wins, "/cpu");
  EXPECT_EQ(py.shadowed_modules[0].shadowed, std::vector<std::string>{site});

  // framework.shadowed: error (a CPU build hides a CUDA build), names PYTHONPATH and its repair.
  Snapshot s;
  s.env["PYTHONPATH"] = "/cpu";
  s.python.interpreters.push_back(py);
  s.python.active = 0;
  auto f = run_checks(s, Knowledge::get(), CheckFilter{{"framework.shadowed"}, {}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::Error);
  EXPECT_NE(f[0].cause.find("PYTHONPATH"), std::string::npos);
  EXPECT_EQ(f[0].fix, "unset PYTHONPATH");
}

TEST(PythonProbe, TensorflowCpuAndOldBuildInfo) {
  Tree t;
  t.python("/opt/py", "3.10");
  const std::string site = "/opt/py/lib/python3.10/site-packages";
  t.file(site + "/tensorflow/__init__.py");
  t.file(site + "/tensorflow/python/platform/build_info.py",
         "is_rocm_build = False\nis_cuda_build = False\ncuda_version_number = '11.2'\n");
  t.dist(site, "tensorflow-cpu", "2.8.0");
  auto ctx = t.ctx();
  auto py = inspect_interpreter(ctx.fs, "/opt/py/bin/python3.10");
  compute_sys_path(ctx, py);
  SiteScanCache cache;
  scan_distributions(ctx, py, cache);
  ASSERT_EQ(py.frameworks.size(), 1u);
  EXPECT_FALSE(py.frameworks[0].cuda_build);
  EXPECT_EQ(py.frameworks[0].cuda_version, "");
  EXPECT_EQ(py.frameworks[0].variant, "cpu");
  EXPECT_EQ(py.frameworks[0].distribution, "tensorflow-cpu");
}

TEST(PythonProbe, UnreadableAndMalformedInputs) {
  Tree t;
  t.python("/opt/py", "3.12");
  const std::string site = "/opt/py/lib/python3.12/site-packages";
  t.dir(site + "/empty-1.0.dist-info");                       // no METADATA
  t.file(site + "/bin-2.0.dist-info/METADATA", std::string("\0\0\xff\xfe", 4));  // binary junk
  t.file(site + "/torch/__init__.py");
  t.file(site + "/torch/version.py", "__version__ = '2.1");  // truncated
  t.file(site + "/weird.pth", std::string(100000, 'x'));       // a long line naming nothing
  auto ctx = t.ctx();
  auto py = inspect_interpreter(ctx.fs, "/opt/py/bin/python3.12");
  compute_sys_path(ctx, py);
  SiteScanCache cache;
  scan_distributions(ctx, py, cache);
  ASSERT_TRUE(dist(py, "empty"));
  EXPECT_EQ(dist(py, "empty")->version, "1.0");
  ASSERT_TRUE(dist(py, "bin"));
  ASSERT_EQ(py.frameworks.size(), 1u);
  EXPECT_EQ(py.frameworks[0].version, "");
  EXPECT_EQ(py.sys_path.size(), 4u);
}

TEST(PythonProbe, TwoThousandDistributions) {
  Tree t;
  t.python("/opt/py", "3.12");
  const std::string site = "/opt/py/lib/python3.12/site-packages";
  for (int i = 0; i < 2000; ++i)
    t.dist(site, "pkg" + std::to_string(i), "1." + std::to_string(i), {"dep" + std::to_string(i % 7) + ">=1"});
  // Read live (no --root), as doctor does: files are opened relative to the directory.
  ProbeContext ctx{Fs("/"), {}};
  auto py = inspect_interpreter(ctx.fs, t.host("/opt/py/bin/python3.12"));
  SiteScanCache cache;
  compute_sys_path(ctx, py, &cache);
  scan_distributions(ctx, py, cache);
  EXPECT_EQ(py.sys_path.back().path, t.host(site));
  ASSERT_EQ(py.distributions.size(), 2000u);
  auto* d = dist(py, "pkg1234");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->version, "1.1234");
  EXPECT_EQ(d->requires_dist, std::vector<std::string>{"dep2>=1"});
  EXPECT_EQ(d->installer, "");  // INSTALLER is read for GPU-relevant distributions only
}

TEST(PythonProbe, InstallerOfGpuRelevantDistributions) {
  Tree t;
  t.python("/opt/py", "3.12");
  const std::string site = "/opt/py/lib/python3.12/site-packages";
  t.dist(site, "nvidia-cudnn-cu13", "9.13.0.50", {}, "uv");
  t.dist(site, "requests", "2.32.0", {}, "pip");
  auto ctx = t.ctx();
  auto py = inspect_interpreter(ctx.fs, "/opt/py/bin/python3.12");
  SiteScanCache cache;
  compute_sys_path(ctx, py, &cache);
  scan_distributions(ctx, py, cache);
  ASSERT_TRUE(dist(py, "nvidia-cudnn-cu13"));
  EXPECT_EQ(dist(py, "nvidia-cudnn-cu13")->installer, "uv");
  ASSERT_TRUE(dist(py, "requests"));
  EXPECT_EQ(dist(py, "requests")->installer, "");
}

// ---------------------------------------------------------------------------
// Checks on synthetic snapshots.

namespace {

Interpreter interp(const std::string& path, const std::string& version, const std::string& prefix,
                   const std::string& kind = "system") {
  Interpreter py;
  py.path = path;
  py.realpath = path;
  py.version = version;
  py.prefix = py.base_prefix = prefix;
  py.kind = kind;
  return py;
}

}  // namespace

TEST(PythonChecks, PythonpathForeignOutsideNix) {
  Snapshot s;
  s.python.interpreters.push_back(interp("/usr/bin/python3", "3.11", "/usr"));
  s.python.interpreters.push_back(interp("/opt/other/bin/python3", "3.11", "/opt/other", "other"));
  s.python.active = 0;
  s.env["PYTHONPATH"] = "/home/u/src:/usr/local/lib/python3.12/site-packages:/opt/other/lib/python3.11/site-packages";
  auto f = run_checks(s, Knowledge::get(), CheckFilter{{"python.pythonpath-foreign"}, {}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::Error);
  std::vector<std::string> foreign;
  for (auto& ev : f[0].evidence)
    if (ev.key == "foreign entry") foreign.push_back(ev.value.substr(0, ev.value.find(' ')));
  EXPECT_EQ(foreign, (std::vector<std::string>{"/usr/local/lib/python3.12/site-packages",
                                                "/opt/other/lib/python3.11/site-packages"}));
  EXPECT_EQ(f[0].fix.substr(0, f[0].fix.find('\n')), "export PYTHONPATH=/home/u/src");
  // Clean PYTHONPATH: quiet.
  s.env["PYTHONPATH"] = "/home/u/src";
  EXPECT_TRUE(ids(s, "python.pythonpath-foreign").empty());
}

TEST(PythonChecks, NotDeclaredVenv) {
  Snapshot s;
  s.python.interpreters.push_back(interp("/usr/bin/python3", "3.11", "/usr"));
  auto v = interp("/p/.venv/bin/python", "3.12.1", "/p/.venv", "venv");
  v.realpath = "/opt/py/bin/python3.12";
  v.base_prefix = "/opt/py";
  s.python.interpreters.push_back(v);
  s.python.active = 0;
  s.python.declared = 1;
  s.python.declared_by = "VIRTUAL_ENV";
  auto f = run_checks(s, Knowledge::get(), CheckFilter{{"python.not-declared"}, {}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::Error);
  EXPECT_NE(f[0].fix.find("source /p/.venv/bin/activate"), std::string::npos);
  s.python.active = 1;
  EXPECT_TRUE(ids(s, "python.not-declared").empty());
}

TEST(PythonChecks, NotDeclaredNixShellByPackageVersion) {
  Snapshot s;
  s.env["IN_NIX_SHELL"] = "impure";
  s.env["PYTHONPATH"] =
      "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-python3.11-numpy-1.26.4/lib/python3.11/site-packages:"
      "/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-python3.11-tensorflow-2.17.0/lib/python3.11/site-packages";
  s.python.interpreters.push_back(interp("/usr/bin/python3", "3.12.3", "/usr"));
  s.python.active = 0;
  auto f = run_checks(s, Knowledge::get(), CheckFilter{{"python.not-declared"}, {}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].fix.find("python311.withPackages"), std::string::npos);
}

TEST(PythonChecks, PipMismatch) {
  Snapshot s;
  auto v = interp("/p/.venv/bin/python", "3.12.1", "/p/.venv", "venv");
  s.python.interpreters.push_back(v);
  auto sys = interp("/usr/bin/python3", "3.11", "/usr");
  sys.found_as = {"system", "pip"};
  s.python.interpreters.push_back(sys);
  s.python.active = 0;
  s.python.pip = "/usr/bin/pip";
  s.python.pip_interpreter = "/usr/bin/python3";
  auto f = run_checks(s, Knowledge::get(), CheckFilter{{"python.pip-mismatch"}, {}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].fix.find("/p/.venv/bin/python -m pip install"), std::string::npos);
  s.python.pip = "/p/.venv/bin/pip";
  s.python.pip_interpreter = "/p/.venv/bin/python";
  s.python.interpreters[1].found_as = {"system"};
  s.python.interpreters[0].found_as = {"PATH:python", "pip"};
  EXPECT_TRUE(ids(s, "python.pip-mismatch").empty());
}

TEST(PythonChecks, UserSiteShadows) {
  Tree t;
  t.python("/opt/py", "3.12");
  const std::string site = "/opt/py/lib/python3.12/site-packages";
  const std::string user = "/home/u/.local/lib/python3.12/site-packages";
  t.dist(site, "numpy", "2.1.0");
  t.dist(user, "numpy", "1.26.4");
  t.dist(site, "requests", "2.32.0");
  auto ctx = t.ctx({{"HOME", "/home/u"}});
  Snapshot s;
  s.python.interpreters.push_back(inspect_interpreter(ctx.fs, "/opt/py/bin/python3.12"));
  compute_sys_path(ctx, s.python.interpreters[0]);
  SiteScanCache cache;
  scan_distributions(ctx, s.python.interpreters[0], cache);
  s.python.active = 0;
  auto f = run_checks(s, Knowledge::get(), CheckFilter{{"python.user-site-shadows"}, {}});
  ASSERT_EQ(f.size(), 1u);
  ASSERT_EQ(f[0].evidence.size(), 2u);
  EXPECT_EQ(f[0].evidence[1].value, "numpy 1.26.4 in " + user + " wins over 2.1.0 in " + site);
  EXPECT_NE(f[0].fix.find("PYTHONNOUSERSITE=1"), std::string::npos);
}

// ---------------------------------------------------------------------------
// The real interpreters of this machine: our sys.path against theirs.

TEST(PythonReal, SysPathMatchesTheInterpreters) {
  std::vector<std::string> exes{"/usr/bin/python3"};
  for (auto v : {"2.7.18", "3.6.15", "3.7.16", "3.8.18", "3.9.18", "3.10.13", "3.11.7", "3.12.1", "3.13.0"})
    exes.push_back(std::string("/root/.pyenv/versions/") + v + "/bin/python");
  auto tmp = test::temp_dir("gpuenv-pyreal");
  fs::create_directories(tmp + "/home");
  fs::create_directories(tmp + "/pp");
  // A user site for every version: a --system-site-packages venv puts its own site-packages before it.
  for (auto v : {"2.7", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13"})
    fs::create_directories(tmp + "/home/.local/lib/python" + std::string(v) + "/site-packages");
  int checked = 0;
  for (auto& exe : exes) {
    if (!fs::exists(exe)) continue;
    for (int variant : {0, 1, 2}) {
      bool with_pythonpath = variant == 1;
      // Relative PYTHONPATH entries resolve against the real working directory, not a stale $PWD.
      Environment env{{"PATH", "/usr/bin:/bin"}, {"HOME", tmp + "/home"}, {"LANG", "C.UTF-8"},
                      {"PWD", with_pythonpath ? "/nonexistent-pwd" : tmp}};
      if (with_pythonpath) env["PYTHONPATH"] = tmp + "/pp:" + tmp + "/pp:relative/entry:../up";
      // Debian's python3 keeps its dist-packages with PYTHONHOME=/usr (the patch is in its site.py).
      if (variant == 2) {
        if (exe != "/usr/bin/python3") continue;
        env["PYTHONHOME"] = "/usr";
      }
      auto r = test::run_program({exe, "-c", "import sys; print('\\n'.join(sys.path[1:]))"}, env);
      ASSERT_EQ(r.exit_code, 0) << exe << ": " << r.err;
      auto theirs = split_lines(r.out);
      while (!theirs.empty() && theirs.back().empty()) theirs.pop_back();
      ProbeContext ctx{Fs("/"), env};
      auto py = inspect_interpreter(ctx.fs, exe);
      compute_sys_path(ctx, py);
      EXPECT_EQ(paths(py), theirs) << exe << " (version read: " << py.version << ", kind " << py.kind << ", variant "
                                   << variant << ")";
      ++checked;
    }
  }
  // Venvs made from them (Debian's patched site.py in a venv; include-system-site-packages both ways).
  for (auto& base : {std::string("/usr/bin/python3"), std::string("/root/.pyenv/versions/3.12.1/bin/python")}) {
    if (!fs::exists(base)) continue;
    for (bool system_site : {false, true}) {
      auto venv = tmp + "/venv" + std::to_string(checked);
      std::vector<std::string> argv{base, "-m", "venv", "--without-pip"};
      if (system_site) argv.push_back("--system-site-packages");
      argv.push_back(venv);
      Environment env{{"PATH", "/usr/bin:/bin"}, {"HOME", tmp + "/home"}, {"LANG", "C.UTF-8"}, {"PWD", tmp}};
      auto made = test::run_program(argv, env);
      if (made.exit_code != 0) continue;  // no venv module (python3-venv missing)
      auto r = test::run_program({venv + "/bin/python", "-c", "import sys; print('\\n'.join(sys.path[1:]))"}, env);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      auto theirs = split_lines(r.out);
      while (!theirs.empty() && theirs.back().empty()) theirs.pop_back();
      ProbeContext ctx{Fs("/"), env};
      auto py = inspect_interpreter(ctx.fs, venv + "/bin/python");
      EXPECT_EQ(py.kind, "venv");
      compute_sys_path(ctx, py);
      EXPECT_EQ(paths(py), theirs) << venv << " from " << base << (system_site ? " with system site" : "");
      ++checked;
    }
  }
  fs::remove_all(tmp);
  if (checked == 0) GTEST_SKIP() << "no /usr/bin/python3 or pyenv interpreters on this machine";
}

TEST(PythonReal, DebianTorchIsACpuBuild) {
  if (!fs::exists("/usr/lib/python3/dist-packages/torch/version.py") || !fs::exists("/usr/bin/python3"))
    GTEST_SKIP() << "Debian's python3-torch is not installed";
  ProbeContext ctx{Fs("/"), {{"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}}};
  Snapshot s;
  probe_python(ctx, s);
  ASSERT_GE(s.python.active, 0);
  auto& py = s.python.interpreters[size_t(s.python.active)];
  const Framework* torch = nullptr;
  for (auto& f : py.frameworks)
    if (f.name == "torch" && f.shadowed_by.empty()) torch = &f;
  ASSERT_TRUE(torch);
  EXPECT_TRUE(torch->version.starts_with("1.13")) << torch->version;
  EXPECT_FALSE(torch->cuda_build);
  EXPECT_EQ(torch->variant, "cpu");
  EXPECT_EQ(torch->location, "/usr/lib/python3/dist-packages/torch");
  EXPECT_TRUE(torch->distribution == "torch") << torch->distribution;
}

// The motivating NixOS case, through the probe and the check: exactly the foreign
// entries that `gpuenv run` removes (tests/env/nixos-python311/expected-removed.txt), repeats aside.
TEST(PythonChecks, NixosFixtureNamesTheExactForeignEntries) {
  std::string src = GPUENV_SOURCE_DIR;
  auto pp_lines = split_lines(test::read_text(src + "/tests/env/nixos-python311/pythonpath.txt"));
  std::vector<std::string> entries;
  for (auto& l : pp_lines)
    if (!l.empty()) entries.push_back(l);
  std::vector<std::string> expected;
  std::set<std::string> seen;
  for (auto& l : split_lines(test::read_text(src + "/tests/env/nixos-python311/expected-removed.txt")))
    if (!l.empty() && std::count(entries.begin(), entries.end(), l) == 1) expected.push_back(l);  // not the repeat
  ASSERT_EQ(expected.size(), 5u);
  Environment env{{"PATH", "/nix/store/0v8n3f7pj6kyxz9r5cq2h1dwlm4sab6g-python3-3.11.9/bin:/run/current-system/sw/bin"},
                  {"HOME", "/home/alice"},
                  {"IN_NIX_SHELL", "impure"},
                  {"PYTHONPATH", join(entries, ":")}};
  ProbeContext ctx{Fs(src + "/tests/fixtures/nixos-pythonpath-foreign/root"), env};
  Snapshot s;
  probe_env(ctx, s);
  probe_python(ctx, s);
  ASSERT_GE(s.python.active, 0);
  auto& py = s.python.interpreters[size_t(s.python.active)];
  EXPECT_EQ(py.kind, "nix");
  EXPECT_EQ(py.version, "3.11.9");
  // TensorFlow comes from its store path on PYTHONPATH.
  ASSERT_EQ(py.frameworks.size(), 1u);
  EXPECT_EQ(py.frameworks[0].name, "tensorflow");
  EXPECT_EQ(py.frameworks[0].cuda_version, "12.3");
  auto f = run_checks(s, Knowledge::get(), CheckFilter{{"python.*"}, {}});
  ASSERT_EQ(f.size(), 1u) << f[0].id;
  EXPECT_EQ(f[0].id, "python.pythonpath-foreign");
  std::vector<std::string> foreign;
  for (auto& ev : f[0].evidence)
    if (ev.key == "foreign entry") foreign.push_back(ev.value.substr(0, ev.value.find(' ')));
  std::sort(foreign.begin(), foreign.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(foreign, expected);
  EXPECT_NE(f[0].fix.find("pkgs.python311.withPackages (ps: with ps; [ absl-py astunparse certifi"), std::string::npos)
      << f[0].fix;
  EXPECT_NE(f[0].fix.find("tensorflow"), std::string::npos);
  EXPECT_NE(f[0].fix.find("python3.12-pip"), std::string::npos);
}

// The spec is an input of the probe (doctor finds it from PWD up): the declared interpreter is recorded and judged.
TEST(PythonProbe, SpecDeclaresTheInterpreter) {
  Tree t;
  t.python("/opt/py", "3.12");
  t.python("/usr", "3.11", false);
  t.link("/usr/bin/python", "python3.11");
  t.file("/proj/gpuenv.toml", "[python]\ninterpreter = \"/opt/py/bin/python3.12\"\n");
  t.dir("/proj/sub");
  Environment env{{"PATH", "/usr/bin"}, {"PWD", "/proj/sub"}};
  Snapshot s;
  auto ctx = t.ctx(env);
  probe_python(ctx, s);
  EXPECT_EQ(s.python.declared, -1);  // the probe never reads gpuenv.toml itself
  auto found = spec_for_directory("/proj/sub", ctx.fs);
  ASSERT_TRUE(found.spec) << found.error;
  ctx.spec = &*found.spec;
  s = Snapshot{};
  DeclaredInterpreter d;
  probe_python(ctx, s, &d);
  ASSERT_GE(s.python.declared, 0);
  EXPECT_EQ(d.index, s.python.declared);
  EXPECT_EQ(s.python.declared_by, "/proj/gpuenv.toml");
  EXPECT_EQ(s.python.interpreters[size_t(s.python.declared)].path, "/opt/py/bin/python3.12");
  ASSERT_GE(s.python.active, 0);
  EXPECT_EQ(s.python.interpreters[size_t(s.python.active)].path, "/usr/bin/python");
  auto f = run_checks(s, Knowledge::get(), CheckFilter{{"python.not-declared"}, {}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::Error);  // 3.11 runs, 3.12 declared
  EXPECT_NE(f[0].fix.find("gpuenv run -- python"), std::string::npos);
  // A spec naming an interpreter that is not there: a probe error, no crash.
  t.file("/proj/gpuenv.toml", "[python]\ninterpreter = \"/nope/python\"\n");
  found = spec_for_directory("/proj/sub", ctx.fs);
  ctx.spec = &*found.spec;
  Snapshot s2;
  probe_python(ctx, s2, &d);
  EXPECT_EQ(s2.python.declared, -1);
  ASSERT_FALSE(s2.probe_errors.empty());
  EXPECT_NE(s2.probe_errors[0].find("/nope/python"), std::string::npos);
  EXPECT_EQ(d.error, s2.probe_errors[0]);
  // A spec that cannot be parsed: the caller's error becomes a probe error.
  t.file("/proj/gpuenv.toml", "[python]\nintepreter = 1\n");
  found = spec_for_directory("/proj/sub", ctx.fs);
  EXPECT_FALSE(found.spec);
  ctx.spec = nullptr;
  ctx.spec_error = found.error;
  Snapshot s3;
  probe_python(ctx, s3);
  ASSERT_EQ(s3.probe_errors.size(), 1u);
  EXPECT_NE(s3.probe_errors[0].find("/proj/gpuenv.toml:2:1: unknown key 'intepreter'"), std::string::npos)
      << s3.probe_errors[0];
}

TEST(PythonProbe, CondaEnvironments) {
  Tree t;
  t.python("/home/u/miniconda3", "3.12");
  t.link("/home/u/miniconda3/bin/python", "python3.12");
  t.dir("/home/u/miniconda3/conda-meta");
  t.python("/home/u/miniconda3/envs/ml", "3.10");
  t.link("/home/u/miniconda3/envs/ml/bin/python", "python3.10");
  t.dir("/home/u/miniconda3/envs/ml/conda-meta");
  t.python("/data/envs/other", "3.11");
  t.link("/data/envs/other/bin/python", "python3.11");
  t.dir("/data/envs/other/conda-meta");
  t.file("/home/u/.conda/environments.txt", "/data/envs/other\n");
  Environment env{{"PATH", "/usr/bin"}, {"HOME", "/home/u"}, {"CONDA_PREFIX", "/home/u/miniconda3/envs/ml"}};
  Snapshot s;
  probe_python(t.ctx(env), s);
  std::set<std::string> found;
  for (auto& i : s.python.interpreters) {
    EXPECT_EQ(i.kind, "conda") << i.path;
    found.insert(i.prefix + " " + i.version);
  }
  EXPECT_EQ(found, (std::set<std::string>{"/home/u/miniconda3 3.12", "/home/u/miniconda3/envs/ml 3.10",
                                          "/data/envs/other 3.11"}));
  EXPECT_EQ(s.python.active, -1);  // nothing on PATH
}

// Fedora's platlibdir: the standard library in lib64, site-packages in lib64 then lib.
TEST(PythonProbe, FedoraLib64) {
  Tree t;
  t.file("/usr/bin/python3.12", "ELF", true);
  t.file("/usr/lib64/python3.12/os.py");
  t.dir("/usr/lib64/python3.12/lib-dynload");
  t.dir("/usr/lib64/python3.12/site-packages");
  t.dir("/usr/lib/python3.12/site-packages");
  auto ctx = t.ctx();
  auto py = inspect_interpreter(ctx.fs, "/usr/bin/python3.12");
  compute_sys_path(ctx, py);
  EXPECT_EQ(paths(py), (std::vector<std::string>{"/usr/lib64/python312.zip", "/usr/lib64/python3.12",
                                                  "/usr/lib64/python3.12/lib-dynload",
                                                  "/usr/lib64/python3.12/site-packages",
                                                  "/usr/lib/python3.12/site-packages"}));
}

// Which copy of a top-level module wins: the first module or regular package; namespace
// portions (no __init__.py) merge and shadow nothing, but lose to a later regular package.
TEST(PythonProbe, ShadowedModules) {
  Tree t;
  t.python("/opt/py", "3.12");
  const std::string site = "/opt/py/lib/python3.12/site-packages";
  t.file("/a/six.py");
  t.file(site + "/six.py");
  t.dir("/a/google/protobuf");
  t.dir(site + "/google/auth");  // two namespace portions: merged, not reported
  t.dir("/a/yaml");               // a namespace portion first...
  t.file(site + "/yaml/__init__.py");  // ...loses to the regular package later
  t.file("/a/_ext.cpython-312-x86_64-linux-gnu.so");
  t.file(site + "/_ext.py");
  auto ctx = t.ctx({{"PYTHONPATH", "/a"}});
  auto py = inspect_interpreter(ctx.fs, "/opt/py/bin/python3.12");
  SiteScanCache cache;
  compute_sys_path(ctx, py, &cache);
  scan_distributions(ctx, py, cache);
  std::map<std::string, ShadowedModule> by;
  for (auto& m : py.shadowed_modules) by[m.name] = m;
  EXPECT_EQ(by.size(), 3u);
  EXPECT_EQ(by["six"].wins, "/a");
  EXPECT_EQ(by["six"].shadowed, std::vector<std::string>{site});
  EXPECT_EQ(by["_ext"].wins, "/a");
  EXPECT_EQ(by["yaml"].wins, site);
  EXPECT_EQ(by["yaml"].shadowed, std::vector<std::string>{"/a"});
  EXPECT_EQ(by.count("google"), 0u);
}
