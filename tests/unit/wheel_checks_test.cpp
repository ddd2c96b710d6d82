// Issue 14's invariants 1-3: library.wrong-version (the copy a framework loads is the release its wheels pin,
// whatever the path to another), python.wheel-incomplete (RECORD against the disk, parse_record), and a fix that
// edits only the variable that is the cause (LD_PRELOAD, /etc/ld.so.preload, LD_LIBRARY_PATH).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "checks/check.hpp"
#include "probe/python.hpp"
#include "run.hpp"
#include "snapshot_builder.hpp"
#include "util/hash.hpp"
#include "util/strings.hpp"

using namespace gpuenv;
namespace fs = std::filesystem;

namespace {

const std::string kVenv = "/opt/torch/.venv";
const std::string kSite = kVenv + "/lib/python3.12/site-packages";
const std::string kNv = kSite + "/nvidia";
const std::string kSys = "/usr/lib/x86_64-linux-gnu";

Resolution load(std::string name, std::string path, std::string reason, std::string version) {
  Resolution r;
  r.name = std::move(name);
  r.kind = "needed";
  r.when = "import";
  r.requested_by = kSite + "/torch/lib/libtorch_cuda.so";
  r.path = r.realpath = std::move(path);
  r.reason = std::move(reason);
  r.family = "cudnn";
  r.version = std::move(version);
  return r;
}

// torch 2.11 cu130 pinning nvidia-cudnn-cu13==9.19.0.56 in a venv; the consumer loads `r`.
test::SnapshotBuilder torch_with(Resolution r, const std::string& wheel_version = "9.19.0.56") {
  Framework fw;
  fw.name = "torch";
  fw.version = "2.11.0+cu130";
  fw.location = kSite + "/torch";
  fw.distribution = "torch";
  fw.cuda_build = true;
  fw.cuda_version = "13.0";
  Consumer c;
  c.name = "torch";
  c.kind = "framework";
  c.location = kSite;
  c.interpreter = "/usr/bin/python3.12";
  c.loads.push_back(std::move(r));
  test::SnapshotBuilder b;
  b.host("ubuntu").driver("580.159.04", 13000).device_nodes().cuda_device().venv(kVenv).framework(fw)
      .distribution("torch", "2.11.0+cu130", kSite)
      .distribution("nvidia-cudnn-cu13", wheel_version, kSite)
      .consumer(c);
  auto& py = b.snapshot().python.interpreters.back();
  py.found_as = {"PATH:python", "PATH:python3"};  // the venv is activated
  py.distributions[0].requires_dist = {"nvidia-cudnn-cu13==9.19.0.56; platform_system == \"Linux\"", "filelock"};
  py.distributions[1].record.entries = 12;
  b.snapshot().libraries.system_dirs = {"/lib/x86_64-linux-gnu", kSys, "/lib", "/usr/lib"};
  return b;
}

std::vector<Finding> run(const Snapshot& s, const std::string& only = "library.*,python.*,driver.*") {
  std::vector<std::string> pick;
  for (auto& p : split(only, ',', false)) pick.push_back(p);
  return run_checks(s, Knowledge::get(), CheckFilter{pick, {}});
}

std::vector<std::string> ids(const std::vector<Finding>& fs) {
  std::vector<std::string> out;
  for (auto& f : fs) out.push_back(f.id);
  return out;
}

std::string text(const Finding& f) {
  std::string t = f.title + "\n" + f.cause + "\n" + f.fix + "\n";
  for (auto& e : f.evidence) t += e.key + ": " + e.value + "\n";
  return t;
}

}  // namespace

TEST(WrongVersion, HealthyWheelCopyIsQuiet) {
  Snapshot s = torch_with(load("libcudnn.so.9", kNv + "/cudnn/lib/libcudnn.so.9",
                               "RPATH of libtorch_cuda.so: $ORIGIN/../../nvidia/cudnn/lib", "9.19.0.56"));
  EXPECT_EQ(ids(run(s)), std::vector<std::string>{});
  // A newer minor of the same major is what torch accepts (runtime minor >= compiled minor).
  s = torch_with(load("libcudnn.so.9", kSys + "/libcudnn.so.9", "ld.so.cache", "9.20.1"));
  EXPECT_EQ(ids(run(s)), std::vector<std::string>{});
}

TEST(WrongVersion, EmptiedWheelFallsToTheSystemCopy) {
  auto r = load("libcudnn.so.9", kSys + "/libcudnn.so.9", "ld.so.cache", "9.14.0");
  r.realpath = kSys + "/libcudnn.so.9.14.0";
  r.considered = {kNv + "/cudnn/lib/libcudnn.so.9", kSite + "/torch/lib/libcudnn.so.9"};
  Snapshot s = torch_with(r);
  auto fs = run(s);
  ASSERT_EQ(ids(fs), std::vector<std::string>{"library.wrong-version"});
  auto& f = fs[0];
  EXPECT_EQ(f.severity, Severity::Error);
  auto t = text(f);
  EXPECT_NE(t.find(kNv + "/cudnn/lib/libcudnn.so.9 (missing)"), std::string::npos) << t;
  EXPECT_NE(t.find("cuDNN 9.14.0; nvidia-cudnn-cu13==9.19.0.56 needs 9.19 or a newer 9.x"), std::string::npos) << t;
  EXPECT_NE(t.find("searched before: " + kNv + "/cudnn/lib/libcudnn.so.9, "), std::string::npos) << t;
  EXPECT_EQ(f.fix, kVenv + "/bin/python -m pip install --force-reinstall --no-deps nvidia-cudnn-cu13==9.19.0.56");
  // torch's own check can be switched off: then it is a warning, still named.
  s.env["PYTORCH_SKIP_CUDNN_COMPATIBILITY_CHECK"] = "1";
  EXPECT_EQ(run(s)[0].severity, Severity::Warning);
}

TEST(WrongVersion, PreloadedCopyIsFixedInLdPreloadOnly) {
  auto path = kSys + "/libcudnn.so.9.14.0";
  auto r = load("libcudnn.so.9", path, "LD_PRELOAD: " + path, "9.14.0");
  r.reused = true;
  auto b = torch_with(r);
  b.env("LD_PRELOAD", "/opt/tcmalloc/libtcmalloc.so " + path).env("LD_LIBRARY_PATH", "/usr/local/nvidia/lib64");
  b.snapshot().libraries.preload = {{"/opt/tcmalloc/libtcmalloc.so", "LD_PRELOAD", "/opt/tcmalloc/libtcmalloc.so",
                                     "/opt/tcmalloc/libtcmalloc.so", "libtcmalloc.so.4", ""},
                                    {path, "LD_PRELOAD", path, path, "libcudnn.so.9", "cudnn"}};
  auto fs = run(b);
  ASSERT_EQ(ids(fs), std::vector<std::string>{"library.wrong-version"});
  EXPECT_EQ(fs[0].fix, "export LD_PRELOAD=/opt/tcmalloc/libtcmalloc.so");
  EXPECT_EQ(fs[0].fix.find("LD_LIBRARY_PATH"), std::string::npos);
  // From /etc/ld.so.preload: that file is the one to edit.
  b.snapshot().env.erase("LD_PRELOAD");
  b.snapshot().libraries.preload = {{path, "/etc/ld.so.preload", path, path, "libcudnn.so.9", "cudnn"}};
  b.snapshot().libraries.consumers[0].loads[0].reason = "/etc/ld.so.preload: " + path;
  fs = run(b);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].fix, "sudoedit /etc/ld.so.preload   # delete the entry " + path);
}

TEST(WrongVersion, LdLibraryPathAheadOfTheWheel) {
  // libcudnn.so.9 (RUNPATH $ORIGIN) dlopens its graph library: LD_LIBRARY_PATH comes before that RUNPATH.
  auto r = load("libcudnn_graph.so.9", "/opt/cudnn-9.14/lib/libcudnn_graph.so.9", "LD_LIBRARY_PATH: /opt/cudnn-9.14/lib",
                "9.14.0");
  r.kind = "dlopen";
  auto b = torch_with(r);
  b.env("LD_LIBRARY_PATH", "/opt/cudnn-9.14/lib:/usr/local/nvidia/lib64");
  // The wheel's own copy is there: library.ld-library-path-shadows-wheel names it, this check stays quiet.
  auto w = test::library_copy("cudnn", kNv + "/cudnn/lib/libcudnn_graph.so.9", "9.19.0.56", "site-packages");
  w.soname = "libcudnn_graph.so.9";
  b.library(w);
  EXPECT_EQ(ids(run(b)), std::vector<std::string>{"library.ld-library-path-shadows-wheel"});
  // The wheel emptied too: this check names both causes, the variable first.
  b.snapshot().libraries.copies.clear();
  b.snapshot().python.interpreters.back().distributions[1].record.missing = {"nvidia/cudnn/lib/libcudnn_graph.so.9"};
  b.snapshot().python.interpreters.back().distributions[1].record.missing_count = 1;
  auto fs = run(b, "library.*");
  ASSERT_EQ(ids(fs), std::vector<std::string>{"library.wrong-version"});
  EXPECT_EQ(fs[0].fix, "export LD_LIBRARY_PATH=/usr/local/nvidia/lib64\n" + kVenv +
                           "/bin/python -m pip install --force-reinstall --no-deps nvidia-cudnn-cu13==9.19.0.56   # its files are missing");
}

TEST(WrongVersion, InstalledWheelOfAnotherReleaseAndSonameMajor) {
  Snapshot s = torch_with(load("libcudnn.so.9", kNv + "/cudnn/lib/libcudnn.so.9",
                               "RPATH of libtorch_cuda.so: $ORIGIN/../../nvidia/cudnn/lib", "9.10.2.21"),
                          "9.10.2.21");
  auto fs = run(s);
  ASSERT_EQ(ids(fs), std::vector<std::string>{"library.wrong-version"});
  EXPECT_EQ(fs[0].fix, kVenv + "/bin/python -m pip install nvidia-cudnn-cu13==9.19.0.56");
  // A file named libcudnn.so.9 that is really cuDNN 8 (a hand-made link).
  auto b = torch_with(load("libcudnn.so.9", "/opt/x/libcudnn.so.9", "ld.so.cache", ""));
  auto cp = test::library_copy("cudnn", "/opt/x/libcudnn.so.9", "", "ld.so.conf");
  cp.soname = "libcudnn.so.8";
  b.library(cp);
  fs = run(b);
  ASSERT_EQ(ids(fs), std::vector<std::string>{"library.wrong-version"});
  EXPECT_NE(text(fs[0]).find("its SONAME is libcudnn.so.8, not libcudnn.so.9"), std::string::npos) << text(fs[0]);
  EXPECT_EQ(fs[0].fix, "grep -rlx /opt/x /etc/ld.so.conf /etc/ld.so.conf.d/   # delete that line, then: sudo ldconfig");
}

TEST(WrongVersion, RangesAsJaxWritesThem) {
  auto b = torch_with(load("libcudnn.so.9", kSys + "/libcudnn.so.9", "ld.so.cache", "9.14.0"));
  b.snapshot().python.interpreters.back().distributions[0].requires_dist = {"nvidia-cudnn-cu13<10.0,>=9.8"};
  EXPECT_EQ(ids(run(b)), std::vector<std::string>{});
  b.snapshot().python.interpreters.back().distributions[0].requires_dist = {"nvidia-cudnn-cu13 (>=9.16,<10)"};
  EXPECT_EQ(ids(run(b)), std::vector<std::string>{"library.wrong-version"});
}

TEST(LibraryNotFound, EmptiedWheelIsReinstalledNotInstalled) {
  auto r = load("libcudnn.so.9", "", "not found", "");
  r.realpath.clear();
  r.considered = {kNv + "/cudnn/lib/libcudnn.so.9", kSys + "/libcudnn.so.9"};
  auto fs = run(torch_with(r), "library.*");
  ASSERT_EQ(ids(fs), std::vector<std::string>{"library.not-found"});
  EXPECT_EQ(fs[0].fix, kVenv + "/bin/python -m pip install --force-reinstall --no-deps nvidia-cudnn-cu13==9.19.0.56");
}

TEST(WheelIncomplete, NamesTheFilesAndTheInstaller) {
  auto b = torch_with(load("libcudnn.so.9", kNv + "/cudnn/lib/libcudnn.so.9", "RPATH of x: y", "9.19.0.56"));
  auto& d = b.snapshot().python.interpreters.back().distributions[1];
  d.metadata = kSite + "/nvidia_cudnn_cu13-9.19.0.56.dist-info";
  d.record.changed = {"nvidia/cudnn/lib/libcudnn_graph.so.9: 2304120 bytes, RECORD says 3118280"};
  d.record.changed_count = 1;
  auto fs = run(b, "python.wheel-incomplete");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].severity, Severity::Error);
  EXPECT_NE(fs[0].title.find("nvidia-cudnn-cu13 9.19.0.56 is overwritten: 1 differs"), std::string::npos) << fs[0].title;
  EXPECT_EQ(fs[0].fix, kVenv + "/bin/python -m pip install --force-reinstall --no-deps nvidia-cudnn-cu13==9.19.0.56");
  d.installer = "uv";
  EXPECT_EQ(run(b, "python.wheel-incomplete")[0].fix,
            "uv pip install --python " + kVenv + "/bin/python --reinstall --no-deps nvidia-cudnn-cu13==9.19.0.56");
  // Only Python files changed: a warning.
  d.record.changed = {"nvidia/cudnn/__init__.py: 10 bytes, RECORD says 0"};
  EXPECT_EQ(run(b, "python.wheel-incomplete")[0].severity, Severity::Warning);
  d.record = {};
  EXPECT_TRUE(run(b, "python.wheel-incomplete").empty());
}

TEST(DriverStub, PreloadedStubIsFixedInLdPreload) {
  auto stub = "/usr/local/cuda/lib64/stubs/libcuda.so";
  auto b = test::SnapshotBuilder().host("ubuntu").driver("580.159.04", 13000);
  auto& s = b.snapshot();
  s.cuda.init_result = 34;
  s.cuda.library_path = stub;
  b.env("LD_PRELOAD", stub).env("LD_LIBRARY_PATH", "/usr/local/nvidia/lib64");
  s.libraries.preload = {{stub, "LD_PRELOAD", stub, "/usr/local/cuda-13.0/lib64/stubs/libcuda.so", "libcuda.so.1", "cuda"}};
  auto fs = run(b, "driver.stub-libcuda");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].fix, "unset LD_PRELOAD   # stubs are for linking (LIBRARY_PATH) only");
  // Through ld.so.conf (no variable names it): the conf line, not LD_LIBRARY_PATH.
  s.libraries.preload.clear();
  s.env.erase("LD_PRELOAD");
  s.libraries.system_dirs = {"/lib/x86_64-linux-gnu", kSys, "/lib", "/usr/lib"};
  fs = run(b, "driver.stub-libcuda");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].fix, "grep -rlx /usr/local/cuda/lib64/stubs /etc/ld.so.conf /etc/ld.so.conf.d/   # delete that line, "
                       "then: sudo ldconfig   # stubs are for linking (LIBRARY_PATH) only");
}

// --- RECORD --------------------------------------------------------------------------------------

TEST(Record, ParsesCsvAsPythonDoes) {
  auto r = parse_record("a/b.py,sha256=x,12\r\n\"c,d.py\",,3\n\"say \"\"hi\"\"\",sha256=y,\n\nRECORD,,\nlast,h,7", 100);
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ((*r)[0].path, "a/b.py");
  EXPECT_EQ((*r)[0].hash, "sha256=x");
  EXPECT_EQ((*r)[0].size, 12);
  EXPECT_EQ((*r)[1].path, "c,d.py");
  EXPECT_EQ((*r)[2].path, "say \"hi\"");
  EXPECT_EQ((*r)[2].size, -1);
  EXPECT_EQ((*r)[4].size, 7);
  auto q = parse_record("\"multi\nline\",,1\nx,,nope\n", 100);
  ASSERT_TRUE(q);
  EXPECT_EQ((*q)[0].path, "multi\nline");
  EXPECT_EQ((*q)[1].size, -2);
  EXPECT_FALSE(parse_record("\"open,,1\n", 100));
  EXPECT_FALSE(parse_record("a,,1\nb,,2\nc,,3\n", 2));
}

TEST(Record, ComparesTheGpuWheelsFilesWithTheDisk) {
  auto root = test::temp_dir("gpuenv-record");
  auto site = std::string("/venv/lib/python3.12/site-packages");
  fs::create_directories(root + site + "/nvidia/cudnn/lib");
  fs::create_directories(root + site + "/nvidia_cudnn_cu13-9.19.0.56.dist-info");
  fs::create_directories(root + site + "/six-1.16.0.dist-info");
  std::ofstream(root + site + "/nvidia/cudnn/lib/libcudnn.so.9") << "ELF-ish 1";  // 9 bytes
  std::ofstream(root + site + "/nvidia/cudnn/lib/libcudnn_graph.so.9") << "short";  // 5 bytes, RECORD says 9
  auto h = sha256_hex("ELF-ish 2");  // same size, other content: only the hash tells
  std::string b64;  // RECORD's form of that digest, computed the long way for the test
  {
    static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string bytes;
    for (std::size_t i = 0; i < h.size(); i += 2) bytes += char(std::stoi(h.substr(i, 2), nullptr, 16));
    unsigned acc = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
      acc = (acc << 8) | c;
      bits += 8;
      while (bits >= 6) b64 += abc[(acc >> (bits -= 6)) & 63];
    }
    if (bits) b64 += abc[(acc << (6 - bits)) & 63];
  }
  std::ofstream(root + site + "/nvidia_cudnn_cu13-9.19.0.56.dist-info/RECORD")
      << "nvidia/cudnn/lib/libcudnn.so.9,sha256=" << b64 << ",9\n"
      << "nvidia/cudnn/lib/libcudnn_graph.so.9,sha256=x,9\n"
      << "nvidia/cudnn/lib/libcudnn_ops.so.9,sha256=x,100\n"
      << "nvidia/cudnn/__pycache__/__init__.cpython-312.pyc,,\n"
      << "../../../bin/x,sha256=x,5\n"
      << "nvidia_cudnn_cu13-9.19.0.56.dist-info/RECORD,,\n";
  std::ofstream(root + site + "/six-1.16.0.dist-info/RECORD") << "six.py,sha256=x,100\n";  // not a GPU wheel
  Interpreter py;
  py.distributions = {{"nvidia-cudnn-cu13", "9.19.0.56", site, site + "/nvidia_cudnn_cu13-9.19.0.56.dist-info", {}, "pip"},
                      {"six", "1.16.0", site, site + "/six-1.16.0.dist-info", {}, "pip"}};
  ProbeContext ctx{Fs(root), {}};
  std::map<std::string, RecordCheck> done;
  check_records(ctx, py, done);
  auto& rc = py.distributions[0].record;
  EXPECT_EQ(rc.entries, 3);
  EXPECT_EQ(rc.missing, std::vector<std::string>{"nvidia/cudnn/lib/libcudnn_ops.so.9"});
  EXPECT_EQ(rc.changed, std::vector<std::string>{"nvidia/cudnn/lib/libcudnn_graph.so.9: 5 bytes, RECORD says 9"});
  EXPECT_FALSE(rc.hashed);
  EXPECT_EQ(py.distributions[1].record.entries, -1);
  // --deep: the sha256 of the same-size file differs too.
  ctx.hash_files = true;
  done.clear();
  check_records(ctx, py, done);
  EXPECT_TRUE(py.distributions[0].record.hashed);
  EXPECT_EQ(py.distributions[0].record.changed_count, 2);
  EXPECT_EQ(py.distributions[0].record.changed[0], "nvidia/cudnn/lib/libcudnn.so.9: sha256 differs from RECORD's");
  // A file two wheels ship (the last installed wins): its size or hash matching either RECORD is no change.
  fs::create_directories(root + site + "/nvidia_cublas-13.1.0.3.dist-info");
  std::ofstream(root + site + "/nvidia/cudnn/shared.txt") << "four";
  std::ofstream(root + site + "/nvidia_cublas-13.1.0.3.dist-info/RECORD") << "nvidia/cudnn/shared.txt,sha256=" << "z,4\n";
  std::ofstream(root + site + "/nvidia_cudnn_cu13-9.19.0.56.dist-info/RECORD", std::ios::app) << "nvidia/cudnn/shared.txt,sha256=w,3\n";
  py.distributions.push_back({"nvidia-cublas", "13.1.0.3", site, site + "/nvidia_cublas-13.1.0.3.dist-info", {}, "pip"});
  ctx.hash_files = false;
  done.clear();
  check_records(ctx, py, done);
  EXPECT_EQ(py.distributions[0].record.entries, 4);
  EXPECT_EQ(py.distributions[0].record.changed_count, 1);  // libcudnn_graph.so.9 only
  EXPECT_EQ(py.distributions[2].record.changed_count, 0);
  ctx.hash_files = true;
  // The right content passes.
  std::ofstream(root + site + "/nvidia/cudnn/lib/libcudnn.so.9") << "ELF-ish 2";
  done.clear();
  check_records(ctx, py, done);
  EXPECT_EQ(py.distributions[0].record.changed_count, 1);
}
