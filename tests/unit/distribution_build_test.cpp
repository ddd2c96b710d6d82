// framework.python-unsupported and distributions' own builds (issue 18): Debian's torch 1.13 on Debian's
// Python 3.11 imports (torch 1.13 wheels stop at 3.10), so the Python range of the upstream wheels does not
// apply to it; the same copy seen from another Python does. Snapshots, then this machine's Debian torch.
#include <gtest/gtest.h>

#include <filesystem>

#include "checks/check.hpp"
#include "probe/probes.hpp"
#include "snapshot_builder.hpp"

using namespace gpuenv;

namespace {

std::vector<Finding> python_unsupported(const Snapshot& s) {
  CheckFilter f;
  f.only = {"framework.python-unsupported"};
  return run_checks(s, Knowledge::get(), f);
}

Interpreter interpreter(const std::string& path, const std::string& version, const std::string& kind,
                        const std::string& prefix) {
  Interpreter py;
  py.path = py.realpath = path;
  py.version = version;
  py.kind = kind;
  py.prefix = py.base_prefix = prefix;
  return py;
}

Snapshot with_torch(Interpreter py, const std::string& site, const std::string& installer) {
  return test::SnapshotBuilder()
      .host("debian")
      .interpreter(std::move(py))
      .framework(test::framework("torch", "1.13.1", "", site + "/torch"))
      .distribution("torch", "1.13.1", site, installer);
}

TEST(DistributionBuilds, ADistributionsBuildForItsOwnPythonIsNoUpstreamWheel) {
  const std::string deb = "/usr/lib/python3/dist-packages";
  auto system = interpreter("/usr/bin/python3.11", "3.11.2", "system", "/usr");
  EXPECT_TRUE(python_unsupported(with_torch(system, deb, "debian")).empty());
  // conda's build in the environment's own site-packages; Nix's store path for this Python.
  auto conda = interpreter("/opt/conda/bin/python", "3.11.9", "conda", "/opt/conda");
  EXPECT_TRUE(python_unsupported(with_torch(conda, "/opt/conda/lib/python3.11/site-packages", "conda")).empty());
  auto nix = interpreter("/nix/store/aaa-python3-3.11.9/bin/python3.11", "3.11.9", "nix", "/nix/store/aaa-python3-3.11.9");
  EXPECT_TRUE(python_unsupported(with_torch(nix, "/nix/store/bbb-python3.11-torch-1.13.1/lib/python3.11/site-packages",
                                            "")).empty());

  // An upstream wheel (pip) for the same Python: the rule holds.
  auto f = python_unsupported(with_torch(system, "/usr/local/lib/python3.11/dist-packages", "pip"));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].title, "torch 1.13.1 does not support Python 3.11 (torch 1.13 supports 3.7 to 3.10)");
  // Debian's copy seen from another Python (a pyenv 3.12 with PYTHONPATH into dist-packages): built for 3.11.
  auto pyenv = interpreter("/root/.pyenv/versions/3.12.1/bin/python3.12", "3.12.1", "pyenv", "/root/.pyenv/versions/3.12.1");
  EXPECT_EQ(python_unsupported(with_torch(pyenv, deb, "debian")).size(), 1u);
  // conda's build for 3.11 in another environment's lib/python3.11, used by a 3.12: the rule holds.
  auto conda312 = interpreter("/opt/conda/envs/b/bin/python", "3.12.3", "conda", "/opt/conda/envs/b");
  EXPECT_EQ(python_unsupported(with_torch(conda312, "/opt/conda/envs/a/lib/python3.11/site-packages", "conda")).size(), 1u);
}

TEST(DistributionBuilds, ThisMachinesDebianTorch) {
  const std::string torch = "/usr/lib/python3/dist-packages/torch";
  if (!std::filesystem::exists(torch + "/__init__.py") || !std::filesystem::exists("/usr/bin/python3"))
    GTEST_SKIP() << "no Debian python3-torch in " << torch << " on this machine";
  ProbeContext ctx{Fs("/"), {{"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}}};
  Snapshot s;
  probe_python(ctx, s);
  int seen = 0;
  for (auto& py : s.python.interpreters)
    for (auto& fw : py.frameworks)
      if (fw.name == "torch" && fw.location == torch) ++seen;
  ASSERT_GT(seen, 0) << "the probe did not find " << torch;
  for (auto& f : python_unsupported(s)) EXPECT_NE(f.subject, torch) << f.title;
}

}  // namespace
