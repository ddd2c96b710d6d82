// Issue 17: the bugs the fuzz targets found and the hardening around them (tests/fuzz/README.md).
#include <gtest/gtest.h>
#include "model/gpu_target.hpp"
#include "model/reports.hpp"
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "elf/fatbin.hpp"
#include "elf/ldcache.hpp"
#include "env/spec.hpp"
#include "lock/lock.hpp"
#include "model/json.hpp"
#include "probe/driver_probe.hpp"
#include "probe/probes.hpp"
#include "report/report.hpp"
#include "util/atomic_file.hpp"
#include "util/strings.hpp"
#include "util/toml_guard.hpp"
#include "util/tomlpp.hpp"

using namespace gpuenv;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  auto p = fs::temp_directory_path() / ("gpuenv-hardening-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

}  // namespace

TEST(Secrets, NamesThatSuggestASecretAreNeverRecorded) {
  for (const char* name : {"NVIDIA_NGC_KEY", "NCCL_IB_PRIVATE_KEY", "GPUENV_SIGNING_KEY", "PYTHON_KEYRING_PASS",
                           "CUDA_PASSPHRASE", "TORCH_HUB_Token", "CUDA_AUTH", "NVIDIA_API_KEY", "PYTHON_secret"})
    EXPECT_FALSE(env_var_recorded(name)) << name;
  for (const char* name : {"CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH", "PYTHONPATH", "NCCL_DEBUG", "TORCH_CUDA_ARCH_LIST"})
    EXPECT_TRUE(env_var_recorded(name)) << name;
}

TEST(Redact, WholePathComponentsAndWordsOnly) {
  Redactor r{"ren", "/home/ren/", "debian"};
  r.keep.push_back("\"os_id\": \"debian\"");
  EXPECT_EQ(r.apply("/home/ren/lib/python and /home/renate/x"), "~/lib/python and /home/renate/x");
  EXPECT_EQ(r.apply("by ren, not rené or renal"), "by <user>, not rené or renal");
  EXPECT_EQ(r.apply("\"hostname\": \"debian\", \"os_id\": \"debian\""), "\"hostname\": \"<host>\", \"os_id\": \"debian\"");
  Snapshot s;
  s.host.hostname = "debian";
  s.host.os_id = "debian";
  s.host.kernel_release = "6.1.0";
  auto text = Redactor::from(s).apply(render_json(DoctorReport{s, {}}));
  EXPECT_NE(text.find("\"os_id\": \"debian\""), std::string::npos);
  EXPECT_NE(text.find("\"hostname\": \"<host>\""), std::string::npos);
}

TEST(LdCache, HeaderShorterThanItsSizeIsAnError) {
  for (std::size_t n = 20; n < 48; ++n) {
    std::string d = "glibc-ld.so.cache1.1";
    d += std::string("\xf0\xff\xff\xff", 4);
    d.resize(n, '\0');
    auto r = elf::parse_ld_cache(d);
    EXPECT_FALSE(r) << n;
  }
}

TEST(LdSoConf, SelfIncludeIsReadOnce) {
  auto root = scratch("ldconf");
  write(root / "etc/ld.so.conf", "include /etc/ld.so.conf\ninclude /etc/*.conf\ninclude ld.so.conf.d/*\n/usr/lib\n");
  write(root / "etc/ld.so.conf.d/a.conf", "include /etc/ld.so.conf\ninclude /etc/ld.so.conf.d/*\n/opt/a\n");
  write(root / "etc/ld.so.conf.d/b.conf", "include /etc/ld.so.conf.d/*\n/opt/b\n");
  auto dirs = elf::read_ld_so_conf(Fs(root.string()), "/etc/ld.so.conf");
  // a.conf includes b.conf before its own line; every file once.
  EXPECT_EQ(dirs, (std::vector<std::string>{"/opt/b", "/opt/a", "/usr/lib"}));
  fs::remove_all(root);
}

TEST(Fatbin, HugeArchitectureNumbersDoNotOverflow) {
  EXPECT_FALSE(GpuTarget::parse("sm_99999999999"));
  ASSERT_TRUE(GpuTarget::parse("sm_90a"));
  EXPECT_EQ(GpuTarget::parse("sm_90a")->name(), "sm_90a");
}

TEST(Utf8, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(valid_utf8("abc"), "abc");
  EXPECT_EQ(valid_utf8("rené"), "rené");
  EXPECT_EQ(valid_utf8("a\xff" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(valid_utf8("\xc3"), "\xEF\xBF\xBD");             // truncated sequence
  EXPECT_EQ(valid_utf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(valid_utf8("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
}

TEST(Utf8, JsonOutputsAndTheLockRoundTrip) {
  Snapshot s;
  s.host.hostname = "gpu\xff";
  s.env["CUDA_HOME"] = "/opt/cu\xfe" "da";
  auto json = render_json(DoctorReport{s, {}});
  auto back = parse_doctor_json(json);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->snapshot.host.hostname, "gpu\xEF\xBF\xBD");
  EXPECT_NO_THROW(render_markdown(DoctorReport{s, {}}));

  Lock l;
  l.arch = "x86_64";
  LockedLibrary lib;
  lib.key = "libcudnn.so";
  lib.path = "/opt/\xff/libcudnn.so.9";
  lib.used_by = {"torch\xfe"};
  l.libraries.push_back(lib);
  auto text = render_lock(l);
  auto parsed = parse_lock(text, "gpuenv.lock");
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->libraries.at(0).path, "/opt/\xEF\xBF\xBD/libcudnn.so.9");
  EXPECT_EQ(render_lock(*parsed), text);
}

TEST(FromJson, OutOfRangeNumbersAndNewerDocumentsAreCleanErrors) {
  auto big = parse_doctor_json("{\"schema_version\": 1, \"x\": 1e400}");
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().find("not valid JSON"), std::string::npos) << big.error();
  auto newer = parse_doctor_json("{\"schema_version\": 2, \"findings\": [], \"snapshot\": {\"schema_version\": 1}}");
  ASSERT_FALSE(newer);
  EXPECT_NE(newer.error().find("newer"), std::string::npos) << newer.error();
  auto wraps = parse_doctor_json("{\"schema_version\": 4294967297, \"snapshot\": {\"schema_version\": 1}}");
  EXPECT_FALSE(wraps);
  EXPECT_TRUE(parse_doctor_json("{\"schema_version\": 1, \"findings\": [], \"snapshot\": {\"schema_version\": 1}}"));
}

TEST(Prometheus, FrameworkInfoWhenTheCudaVersionIsUnknown) {
  Snapshot s;
  s.kernel.loaded = true;
  s.kernel.version = "580.95.05";
  Interpreter py;
  py.path = "/usr/bin/python3";
  Framework fw;
  fw.name = "torch";
  fw.version = "2.7.1";
  py.frameworks.push_back(fw);
  s.python.interpreters.push_back(py);
  s.python.active = 0;
  auto text = render_prometheus(s, {}, {});
  EXPECT_NE(text.find("gpuenv_driver_info{version=\"580.95.05\""), std::string::npos) << text;
  EXPECT_NE(text.find("gpuenv_framework_info{framework=\"torch\""), std::string::npos) << text;
}

TEST(TomlGuard, InputToml330MishandlesIsRefused) {
  for (std::string bad : {"[\nx]", "[=]", "[[#x]]", "a = 1 \xc3\xa9", "[x]\n[\t\n", "a = \"\"\"x\\\n  \xc2\xa1\"\"\"",
                          "checksum = 2as\"h\xc4\x86\"", "a = [ } ]", "a = [\n  # c\n  }]"}) {
    EXPECT_TRUE(toml_unsafe_input(bad)) << bad;
    auto spec = parse_spec(bad, "gpuenv.toml");
    EXPECT_FALSE(spec);
  }
  for (std::string good : {"[x]\na = \"é\" # é\n", "a = [\n  [1, 2],\n  [3],\n]\n[\"q\".'r']\nb = '''\né'''\n",
                           "a = \"\"\"x\\\n  y é\"\"\"\n[[t]]\n", "a = [ { b = [1, 2] }, {} ]\nc = { d = [] }\n"})
    EXPECT_FALSE(toml_unsafe_input(good)) << good;
  auto e = parse_spec("[python]\n[\n", "gpuenv.toml");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().rfind("gpuenv.toml:2:2:", 0), 0u) << e.error();
}

// Fuzzing (spec, 10 minutes, 16 cores): toml++ 3.3.0 asserts after a date followed by control characters.
TEST(TomlGuard, ControlCharactersAreRefusedWithTheirPlace) {
  std::string nul("gpus = 4444-02-\x04", 16);
  nul += std::string(1, '\0') + " 4\n";
  auto bad = toml_unsafe_input(nul);
  ASSERT_TRUE(bad);
  EXPECT_EQ(*bad, "1:16: a control character (0x04) is not allowed in TOML");
  EXPECT_EQ(*toml_unsafe_input("a = 1\n# \x7f\n"), "2:3: a control character (0x7F) is not allowed in TOML");
  EXPECT_FALSE(toml_unsafe_input("a = \"x\"\t# tab\r\nb = 2\r\n"));
  auto spec = parse_spec(nul, "gpuenv.toml");
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().rfind("gpuenv.toml:1:16:", 0), 0u) << spec.error();
}

// The same run found 33 inputs where toml++ 3.3.0 asks whether a non-ASCII character is whitespace in places the
// guard does not follow (its string tracking and toml++'s part ways on malformed text). util/tomlpp.hpp
// compiles that function with the answer it owes (false): toml++ itself reports a parse error. Under UBSan
// (the sanitizer build of the tests) the old function aborts here.
TEST(Tomlpp, NonAsciiWhereWhitespaceIsLookedForIsAParseError) {
  EXPECT_EQ(GPUENV_TOMLPP_WHITESPACE_PATCHED, (TOML_LIB_MAJOR == 3 && TOML_LIB_MINOR < 4) ? 1 : 0);
  for (std::string bad : {std::string("a = 1 \xc3\xa9"), std::string("a = 1 \xe3\x80\x81"),
                          std::string("\"\"\"\\\xcd\x9b" "A"), std::string("x = \"\"\"a\\ \xd0\x80\"\"\"")})
    EXPECT_THROW((void)toml::parse(bad), toml::parse_error) << bad;
  // Whitespace that is whitespace stays so (U+3000 IDEOGRAPHIC SPACE: toml++ names it, and refuses it).
  EXPECT_THROW((void)toml::parse("a = 1\xe3\x80\x80"), toml::parse_error);
  EXPECT_EQ(toml::parse("a = \"\xc3\xa9\"")["a"].value_or(std::string()), "\xc3\xa9");
}

// Every file compiles toml++ through util/tomlpp.hpp: two meanings of one inline function would break the ODR.
TEST(Tomlpp, EveryFileIncludesItThroughTheWrapper) {
  for (auto dir : {"src", "tests", "bench"})
    for (auto& e : fs::recursive_directory_iterator(std::string(GPUENV_SOURCE_DIR) + "/" + dir)) {
      if (!e.is_regular_file() || (e.path().extension() != ".cpp" && e.path().extension() != ".hpp")) continue;
      if (e.path().filename() == "tomlpp.hpp") continue;
      std::ifstream in(e.path());
      std::string line;
      while (std::getline(in, line))
        EXPECT_FALSE(line.starts_with("#include <toml++")) << e.path() << ": " << line;
    }
}

TEST(AtomicFile, KeepsTheModeAndRemovesStaleTemporaries) {
  auto dir = scratch("atomic");
  auto file = (dir / "gpuenv.lock").string();
  write(file, "old");
  ::chmod(file.c_str(), 0600);
  auto stale = dir / ".gpuenv.lock.tmp.AbC123";
  write(stale, "half");
  auto old = fs::file_time_type::clock::now() - std::chrono::minutes(5);
  fs::last_write_time(stale, old);
  auto fresh = dir / ".gpuenv.lock.tmp.XyZ789";  // another writer's, still being written
  write(fresh, "half");
  ASSERT_TRUE(write_file_atomic(file, "new"));
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(fresh));
  ASSERT_TRUE(write_file_atomic((dir / "new.lock").string(), "x"));
  ASSERT_EQ(::stat((dir / "new.lock").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);  // a new file: the mode asked for
  fs::remove_all(dir);
}

TEST(TrustedDriver, LoadsFromTheSystemDirectoriesOnly) {
  auto root = std::string(GPUENV_SOURCE_DIR) + "/tests/fixtures/h100-ubuntu-healthy/root";
  Fs fs(root);
  EXPECT_EQ(trusted_library_path(fs, "libcuda.so.1"), "/usr/lib/x86_64-linux-gnu/libcuda.so.1");
  EXPECT_EQ(trusted_library_path(fs, "libnosuch.so.1"), "/lib/x86_64-linux-gnu/libnosuch.so.1");
  EXPECT_EQ(trusted_library_path(fs, "/opt/my/libcuda.so.1"), "/opt/my/libcuda.so.1");
}
