// The library analysis: ld.so.cache and ld.so.conf parsing, the ELF reader on
// good and broken files, the glibc loader model compared with glibc itself
// (ld.so --list on libraries built here), fatbin parsing, and the library.*
// checks firing and staying quiet.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <cstring>

#include "checks/check.hpp"
#include "elf/elf_file.hpp"
#include "elf/fatbin.hpp"
#include "model/gpu_target.hpp"
#include "elf/ldcache.hpp"
#include "elf/resolver.hpp"
#include "probe/libraries.hpp"
#include "run.hpp"
#include "snapshot_builder.hpp"
#include "util/strings.hpp"

namespace fs = std::filesystem;
using namespace gpuenv;
using gpuenv::test::run_program;

namespace {

std::string data(const std::string& name) { return std::string(GPUENV_SOURCE_DIR) + "/tests/data/" + name; }

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool have(const std::string& prog) {
  for (auto& d : split(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin", ':', false))
    if (access((d + "/" + prog).c_str(), X_OK) == 0) return true;
  return false;
}

// --- ld.so.cache -----------------------------------------------------------

TEST(LdCache, ParsesTheH100MachinesCacheLikeLdconfigP) {
  auto cache = elf::parse_ld_cache(slurp(data("h100-ld.so.cache")));
  ASSERT_TRUE(cache) << cache.error();
  EXPECT_EQ(cache->format, "new");
  // ldconfig -p on that machine: "520 libs found", libcuda.so.1 first in /usr/local/nvidia/lib64.
  EXPECT_EQ(cache->entries.size(), 520u);
  auto* e = cache->lookup("libcuda.so.1", elf::cache_flags_for(62, 64), {});
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, "/usr/local/nvidia/lib64/libcuda.so.1");
  auto* cudnn = cache->lookup("libcudnn.so.9", 0x0303, {});
  ASSERT_NE(cudnn, nullptr);
  EXPECT_EQ(cudnn->path, "/lib/x86_64-linux-gnu/libcudnn.so.9");
  // Every line of ldconfig -p is an entry, in the same order.
  std::regex line(R"(^\s+(\S+) \(([^)]*)\) => (\S+)$)");
  std::size_t i = 0;
  for (auto& l : split_lines(slurp(data("h100-ldconfig-p.txt")))) {
    std::smatch m;
    if (!std::regex_match(l, m, line)) continue;
    ASSERT_LT(i, cache->entries.size());
    EXPECT_EQ(cache->entries[i].soname, m[1].str());
    EXPECT_EQ(cache->entries[i].path, m[3].str());
    ++i;
  }
  EXPECT_EQ(i, 520u);
}

TEST(LdCache, RejectsGarbageAndTruncation) {
  EXPECT_FALSE(elf::parse_ld_cache("hello"));
  auto bytes = slurp(data("h100-ld.so.cache"));
  for (std::size_t n : {std::size_t(10), std::size_t(30), std::size_t(60), bytes.size() / 2}) {
    auto r = elf::parse_ld_cache(std::string_view(bytes).substr(0, n));
    EXPECT_FALSE(r) << n;
  }
}

// ldconfig writes the cache in each format from a small tree; all three parse to the same entries.
TEST(LdCache, AllFormatsLdconfigWrites) {
  if (!fs::exists("/sbin/ldconfig") && !fs::exists("/usr/sbin/ldconfig")) GTEST_SKIP() << "no ldconfig";
  std::string ldconfig = fs::exists("/sbin/ldconfig") ? "/sbin/ldconfig" : "/usr/sbin/ldconfig";
  auto tmp = gpuenv::test::temp_dir("gpuenv-ldcache");
  fs::create_directories(tmp + "/root/opt/lib");
  fs::copy_file("/lib/x86_64-linux-gnu/libz.so.1", tmp + "/root/opt/lib/libz.so.1");
  std::ofstream(tmp + "/root/ld.so.conf") << "/opt/lib\n";
  for (std::string fmt : {"old", "new", "compat"}) {
    auto out = "/cache-" + fmt;  // relative to -r
    auto r = run_program({ldconfig, "-c", fmt, "-C", out, "-f", "/ld.so.conf", "-r", tmp + "/root", "-X"},
                         gpuenv::test::base_env());
    if (r.exit_code != 0) GTEST_SKIP() << "ldconfig -c " << fmt << " failed: " << r.err;
    auto cache = elf::parse_ld_cache(slurp(tmp + "/root" + out));
    ASSERT_TRUE(cache) << fmt << ": " << cache.error();
    EXPECT_EQ(cache->format, fmt == "compat" ? "old+new" : fmt);
    auto* e = cache->lookup("libz.so.1", 0x0303, {});
    ASSERT_NE(e, nullptr) << fmt;
    EXPECT_EQ(e->path, "/opt/lib/libz.so.1");
  }
  fs::remove_all(tmp);
}

TEST(LdConf, FollowsIncludesAndSkipsComments) {
  auto tmp = gpuenv::test::temp_dir("gpuenv-ldconf");
  fs::create_directories(tmp + "/etc/ld.so.conf.d");
  std::ofstream(tmp + "/etc/ld.so.conf") << "# comment\ninclude /etc/ld.so.conf.d/*.conf\n/opt/a:/opt/b, /opt/c\n";
  std::ofstream(tmp + "/etc/ld.so.conf.d/10-cuda.conf") << "/usr/local/cuda/lib64 # toolkit\n";
  std::ofstream(tmp + "/etc/ld.so.conf.d/00-nv.conf") << "/usr/local/nvidia/lib64/\nhwcap 0 nosegneg\n";
  std::ofstream(tmp + "/etc/ld.so.conf.d/README") << "/not/included\n";
  Fs f(tmp);
  auto dirs = elf::read_ld_so_conf(f);
  EXPECT_EQ(dirs, (std::vector<std::string>{"/usr/local/nvidia/lib64", "/usr/local/cuda/lib64", "/opt/a", "/opt/b",
                                            "/opt/c"}));
  fs::remove_all(tmp);
}

TEST(Glob, MatchesLikeTheShell) {
  EXPECT_TRUE(elf::glob_match("libcudnn.so.*[0-9]", "libcudnn.so.9"));
  EXPECT_TRUE(elf::glob_match("libcudnn.so.*[0-9]", "libcudnn.so.9.19.0"));
  EXPECT_FALSE(elf::glob_match("libcudnn.so.*[0-9]", "libcudnn.so"));
  EXPECT_TRUE(elf::glob_match("_C.cpython-*.so", "_C.cpython-312-x86_64-linux-gnu.so"));
  EXPECT_FALSE(elf::glob_match("*.conf", "README"));
}

// --- ELF files built here, and glibc's own answer ---------------------------

struct Built {
  std::string dir;
  bool ok = false;
  std::string why;
};

std::string which(const std::string& prog) {
  for (auto& d : split(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin", ':', false))
    if (access((d + "/" + prog).c_str(), X_OK) == 0) return d + "/" + prog;
  return "";
}

bool cc(const std::vector<std::string>& args, std::string* err) {
  std::vector<std::string> argv{which("cc")};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_program(argv, gpuenv::test::base_env());
  if (r.exit_code != 0) *err = r.err;
  return r.exit_code == 0;
}

// a -> b -> c, with a's DT_RPATH ($ORIGIN/rp) inherited by b; r -> b with DT_RUNPATH (not inherited);
// both RPATH and RUNPATH in one file; an $ORIGIN chain; a 32-bit libfxc.so earlier on the path.
const Built& fixtures() {
  static Built b = [] {
    Built out;
    if (!have("cc")) {
      out.why = "no C compiler";
      return out;
    }
    out.dir = gpuenv::test::temp_dir("gpuenv-elf");
    auto d = out.dir;
    fs::create_directories(d + "/rp");
    fs::create_directories(d + "/other");
    fs::create_directories(d + "/m32");
    std::ofstream(d + "/c.c") << "int fxc(void) { return 3; }\n";
    std::ofstream(d + "/b.c") << "int fxc(void); int fxb(void) { return fxc() + 1; }\n";
    std::ofstream(d + "/a.c") << "int fxb(void); int fxa(void) { return fxb() + 1; }\n";
    std::string err;
    bool ok = cc({"-shared", "-fPIC", "-o", d + "/rp/libfxc.so", "-Wl,-soname,libfxc.so", d + "/c.c"}, &err) &&
              cc({"-shared", "-fPIC", "-o", d + "/rp/libfxb.so", "-Wl,-soname,libfxb.so", d + "/b.c", "-L" + d + "/rp",
                  "-lfxc"}, &err) &&
              cc({"-shared", "-fPIC", "-o", d + "/libfxa.so", d + "/a.c", "-L" + d + "/rp", "-lfxb",
                  "-Wl,--disable-new-dtags,-rpath,$ORIGIN/rp"}, &err) &&
              cc({"-shared", "-fPIC", "-o", d + "/libfxr.so", d + "/a.c", "-L" + d + "/rp", "-lfxb",
                  "-Wl,--enable-new-dtags,-rpath,$ORIGIN/rp"}, &err) &&
              cc({"-shared", "-fPIC", "-o", d + "/other/libfxc.so", "-Wl,-soname,libfxc.so", d + "/c.c"}, &err) &&
              cc({"-shared", "-fPIC", "-o", d + "/libfxo.so", d + "/a.c", "-L" + d + "/rp", "-lfxb",
                  "-Wl,--disable-new-dtags,-rpath,$ORIGIN/other:$ORIGIN/rp"}, &err);
    if (!ok) {
      out.why = "cc failed: " + err;
      return out;
    }
    // A 32-bit copy, when the compiler can make one (gcc-multilib).
    cc({"-m32", "-shared", "-fPIC", "-o", d + "/m32/libfxc.so", "-Wl,-soname,libfxc.so", d + "/c.c"}, &err);
    out.ok = true;
    return out;
  }();
  return b;
}

// glibc's answer: LD_TRACE_LOADED_OBJECTS=1 ld.so FILE (= ldd) with the given LD_LIBRARY_PATH. name -> path ("" = not found).
std::map<std::string, std::string> glibc_list(const std::string& file, const std::string& llp,
                                              const std::string& preload = "") {
  auto env = gpuenv::test::base_env();
  if (!llp.empty()) env["LD_LIBRARY_PATH"] = llp;
  if (!preload.empty()) env["LD_PRELOAD"] = preload;
  std::string ldso = fs::exists("/lib64/ld-linux-x86-64.so.2") ? "/lib64/ld-linux-x86-64.so.2" : "/lib/ld-linux-aarch64.so.1";
  env["LD_TRACE_LOADED_OBJECTS"] = "1";  // what ldd does: ld.so lists instead of running, missing ones included
  auto r = run_program({ldso, file}, env);
  std::map<std::string, std::string> out;
  std::regex found(R"(^\s*(\S+) => (\S+) \(0x[0-9a-f]+\)$)"), missing(R"(^\s*(\S+) => not found$)");
  std::regex by_path(R"(^\s*(/\S+) \(0x[0-9a-f]+\)$)");  // a preloaded object: listed by its path, no "=>"
  for (auto& l : split_lines(r.out)) {
    std::smatch m;
    if (std::regex_match(l, m, found)) out[m[1].str()] = fs::weakly_canonical(m[2].str()).string();
    else if (!preload.empty() && std::regex_match(l, m, by_path) && !contains(m[1].str(), "ld-linux"))
      out[base_name(m[1].str())] = fs::weakly_canonical(m[1].str()).string();
    else if (std::regex_match(l, m, missing)) out[m[1].str()] = "";
  }
  return out;
}

std::map<std::string, std::string> ours(const std::string& file, const std::string& llp, std::vector<elf::Step>* raw = nullptr,
                                        const std::string& preload = "") {
  Fs f("/");
  std::string arch = fs::exists("/lib64/ld-linux-x86-64.so.2") ? "x86_64" : "aarch64";
  auto cfg = elf::loader_config_for(f, arch, llp.empty() ? nullptr : &llp, preload.empty() ? nullptr : &preload);
  elf::Resolver r(f, cfg);
  elf::Process p(r);
  std::vector<elf::Step> steps;
  p.load_path(file, steps);
  std::map<std::string, std::string> out;
  for (auto& s : steps) {
    if (s.kind != "needed" || out.count(s.name)) continue;
    out[s.name] = s.path.empty() ? "" : fs::weakly_canonical(s.path).string();
  }
  if (raw) *raw = steps;
  return out;
}

class VsGlibc : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(VsGlibc, SameResolutionAsLdSoList) {
  auto& b = fixtures();
  if (!b.ok) GTEST_SKIP() << b.why;
  auto [file, llp_rel] = GetParam();
  std::string llp = *llp_rel ? b.dir + "/" + llp_rel : "";
  auto want = glibc_list(b.dir + "/" + file, llp);
  ASSERT_FALSE(want.empty()) << "ld.so --list printed nothing";
  auto got = ours(b.dir + "/" + file, llp);
  for (auto& [name, path] : want) {
    if (name.starts_with("linux-vdso")) continue;
    ASSERT_TRUE(got.count(name)) << name;
    EXPECT_EQ(got[name], path) << name << " (LD_LIBRARY_PATH=" << llp << ")";
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, VsGlibc,
                         ::testing::Values(std::make_pair("libfxa.so", ""),      // RPATH inherited by libfxb
                                           std::make_pair("libfxr.so", ""),      // RUNPATH not inherited: libfxc missing
                                           std::make_pair("libfxr.so", "rp"),    // ... until LD_LIBRARY_PATH has it
                                           std::make_pair("libfxa.so", "other"), // RPATH beats LD_LIBRARY_PATH
                                           std::make_pair("libfxr.so", "other"), // LD_LIBRARY_PATH beats RUNPATH
                                           std::make_pair("libfxo.so", ""),      // RPATH order, $ORIGIN
                                           std::make_pair("libfxa.so", "m32")),  // wrong class skipped
                         [](const auto& info) {
                           return replace_all(replace_all(std::string(info.param.first), ".", "_"), "-", "_") + "_" +
                                  (*info.param.second ? info.param.second : "nollp");
                         });

TEST(Resolver, ExplainsTheChoice) {
  auto& b = fixtures();
  if (!b.ok) GTEST_SKIP() << b.why;
  std::vector<elf::Step> steps;
  ours(b.dir + "/libfxa.so", "", &steps);
  std::map<std::string, elf::Step> by;
  for (auto& s : steps)
    if (!by.count(s.name)) by[s.name] = s;
  EXPECT_EQ(by["libfxb.so"].reason, "RPATH of libfxa.so: $ORIGIN/rp");
  EXPECT_EQ(by["libfxc.so"].reason, "RPATH of libfxa.so: $ORIGIN/rp");  // inherited through libfxb.so
  steps.clear();
  ours(b.dir + "/libfxr.so", "", &steps);
  for (auto& s : steps)
    if (s.name == "libfxc.so") {
      EXPECT_EQ(s.reason, "not found");
      EXPECT_FALSE(s.considered.empty());
    }
  if (fs::exists(b.dir + "/m32/libfxc.so")) {
    steps.clear();
    ours(b.dir + "/libfxr.so", b.dir + "/m32:" + b.dir + "/rp", &steps);
    for (auto& s : steps)
      if (s.name == "libfxc.so") {
        ASSERT_EQ(s.skipped.size(), 1u);
        EXPECT_NE(s.skipped[0].find("ELFCLASS32"), std::string::npos);
        EXPECT_EQ(s.reason, "LD_LIBRARY_PATH: " + b.dir + "/rp");
      }
  }
}

// LD_PRELOAD (issue 14): the preloaded libfxc.so in other/ satisfies libfxb.so's DT_NEEDED although libfxa.so's
// RPATH names rp/, as glibc's own listing shows.
TEST(Resolver, PreloadedObjectSatisfiesItsSonameLikeGlibc) {
  auto& b = fixtures();
  if (!b.ok) GTEST_SKIP() << b.why;
  std::string pre = b.dir + "/other/libfxc.so";
  auto want = glibc_list(b.dir + "/libfxa.so", "", pre);
  ASSERT_TRUE(want.count("libfxc.so")) << "ld.so did not list libfxc.so";
  EXPECT_EQ(want["libfxc.so"], fs::weakly_canonical(pre).string());
  std::vector<elf::Step> steps;
  auto got = ours(b.dir + "/libfxa.so", "", &steps, "  " + pre + " ");
  EXPECT_EQ(got["libfxc.so"], want["libfxc.so"]);
  for (auto& st : steps)
    if (st.name == "libfxc.so") {
      EXPECT_TRUE(st.reused);
      EXPECT_EQ(st.reason, "LD_PRELOAD: " + pre);
    }
  // Without it, the RPATH wins again.
  EXPECT_EQ(ours(b.dir + "/libfxa.so", "")["libfxc.so"], fs::weakly_canonical(b.dir + "/rp/libfxc.so").string());
}

TEST(Resolver, PreloadListsFromTheVariableThenEtcLdSoPreload) {
  auto& b = fixtures();
  if (!b.ok) GTEST_SKIP() << b.why;
  auto root = gpuenv::test::temp_dir("gpuenv-preload");
  fs::create_directories(root + "/etc");
  fs::create_directories(root + "/opt/x");
  fs::copy_file(b.dir + "/other/libfxc.so", root + "/opt/x/libfxc.so");
  std::ofstream(root + "/etc/ld.so.preload") << "\t/opt/x/libfxc.so:libnone.so\n\n";
  Fs f(root);
  std::string env = "libfoo.so: /opt/x/libfxc.so";
  auto cfg = elf::loader_config_for(f, "x86_64", nullptr, &env);
  ASSERT_EQ(cfg.preload.size(), 4u);
  EXPECT_EQ(cfg.preload[0].entry, "libfoo.so");
  EXPECT_EQ(cfg.preload[1].source, "LD_PRELOAD");
  EXPECT_EQ(cfg.preload[2].entry, "/opt/x/libfxc.so");
  EXPECT_EQ(cfg.preload[2].source, "/etc/ld.so.preload");
  EXPECT_EQ(cfg.preload[3].entry, "libnone.so");
  elf::Resolver r(f, cfg);
  elf::Process p(r);
  ASSERT_EQ(p.preloads().size(), 4u);
  EXPECT_EQ(p.preloads()[0].path, "");  // not found: the loader ignores it
  EXPECT_EQ(p.preloads()[1].path, "/opt/x/libfxc.so");
  EXPECT_TRUE(p.preloads()[2].reused);  // the same file again
  EXPECT_EQ(p.preloads()[3].path, "");
  EXPECT_EQ(p.find_loaded("libfxc.so"), 0);
}

TEST(Elf, ReadsDynamicSection) {
  auto& b = fixtures();
  if (!b.ok) GTEST_SKIP() << b.why;
  Fs f("/");
  auto a = elf::read_elf(f, b.dir + "/libfxa.so");
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->elf_class, 64);
  EXPECT_TRUE(a->has_rpath);
  EXPECT_FALSE(a->has_runpath);
  EXPECT_EQ(a->rpath, "$ORIGIN/rp");
  auto r = elf::read_elf(f, b.dir + "/libfxr.so");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->has_runpath);
  EXPECT_EQ(r->runpath, "$ORIGIN/rp");
  auto c = elf::read_elf(f, b.dir + "/rp/libfxc.so");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->soname, "libfxc.so");
}

// Truncated and corrupted copies of a real library: an error or a result, never a crash.
TEST(Elf, TruncatedOrCorruptFilesGiveErrors) {
  std::string src = "/lib/x86_64-linux-gnu/libz.so.1";
  if (!fs::exists(src)) src = "/lib/aarch64-linux-gnu/libz.so.1";
  if (!fs::exists(src)) GTEST_SKIP() << "no libz to damage";
  auto bytes = slurp(src);
  auto tmp = gpuenv::test::temp_dir("gpuenv-bad-elf");
  Fs f("/");
  // Like glibc: a cut inside the ELF or program headers cannot be loaded (an error); a cut after them can be
  // mapped, and the file reads with `damage` set (the process would die with SIGBUS).
  for (std::size_t n : {std::size_t(0), std::size_t(3), std::size_t(20), std::size_t(64), std::size_t(200)}) {
    auto p = tmp + "/trunc-" + std::to_string(n) + ".so";
    std::ofstream(p, std::ios::binary).write(bytes.data(), std::streamsize(n));
    EXPECT_FALSE(elf::read_elf(f, p)) << n;
  }
  for (std::size_t n : {std::size_t(3000), bytes.size() / 3, bytes.size() / 2, bytes.size() - 1}) {
    auto p = tmp + "/trunc-" + std::to_string(n) + ".so";
    std::ofstream(p, std::ios::binary).write(bytes.data(), std::streamsize(n));
    auto r = elf::read_elf(f, p);
    ASSERT_TRUE(r) << n << ": " << r.error();
    EXPECT_NE(r->damage.find("beyond the end of the file"), std::string::npos) << n;
  }
  ASSERT_TRUE(elf::read_elf(f, src));
  EXPECT_EQ(elf::read_elf(f, src)->damage, "");
  // Section header offset pointing past the end.
  auto bad = bytes;
  std::uint64_t huge = 0x7fffffffffffull;
  std::memcpy(bad.data() + 0x28, &huge, 8);
  std::ofstream(tmp + "/shoff.so", std::ios::binary) << bad;
  // Section headers out of reach: the reader falls back to PT_DYNAMIC (or reports an error).
  auto shoff = elf::read_elf(f, tmp + "/shoff.so");
  if (shoff) {
    EXPECT_FALSE(shoff->needed.empty());
  }
  // Random bytes after a valid ELF identification.
  std::string junk = bytes.substr(0, 16);
  for (int i = 0; i < 4096; ++i) junk += char((i * 131 + 7) & 0xff);
  std::ofstream(tmp + "/junk.so", std::ios::binary) << junk;
  (void)elf::read_elf(f, tmp + "/junk.so");  // must not crash
  // Text stand-ins (linker scripts, fixtures) are "not an ELF file".
  std::ofstream(tmp + "/script.so") << "GROUP ( libc.so.6 )\n";
  auto s = elf::read_elf(f, tmp + "/script.so");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("not an ELF"), std::string::npos);
  fs::remove_all(tmp);
}

// --- fatbin ------------------------------------------------------------------

TEST(Fatbin, CheckedInSectionFromNvcc13) {
  // tests/data/k2.nv_fatbin: the .nv_fatbin of tests/data/k.cu built by nvcc 13.0 with
  // -gencode arch=compute_100f,code=[sm_100f,compute_100f] -gencode arch=compute_120a,code=sm_120a
  // -gencode arch=compute_90a,code=compute_90a (objcopy -O binary --only-section=.nv_fatbin).
  auto fb = elf::parse_fatbin(slurp(data("k2.nv_fatbin")));
  ASSERT_TRUE(fb) << fb.error();
  EXPECT_EQ(fb->sass, (std::vector<std::string>{"sm_100f", "sm_120a"}));
  EXPECT_EQ(fb->ptx, (std::vector<std::string>{"compute_90a", "compute_100f"}));
  EXPECT_EQ(fb->containers, 2u);
}

TEST(Fatbin, TruncatedSectionIsAnErrorNotACrash) {
  auto bytes = slurp(data("k2.nv_fatbin"));
  for (std::size_t n = 1; n < bytes.size(); n += 97) {
    auto r = elf::parse_fatbin(std::string_view(bytes).substr(0, n));
    if (n >= 16 && n < bytes.size() - 8) {
      EXPECT_FALSE(r) << n;
    }
  }
  EXPECT_FALSE(elf::parse_fatbin(std::string(64, '\x7f')));
}

TEST(Fatbin, NvccBuiltLibrary) {
  std::string nvcc = "/usr/local/cuda/bin/nvcc";
  if (!fs::exists(nvcc)) GTEST_SKIP() << "no nvcc at " << nvcc;
  auto tmp = gpuenv::test::temp_dir("gpuenv-nvcc");
  auto r = run_program({nvcc, "-shared", "-Xcompiler", "-fPIC", "-gencode", "arch=compute_75,code=sm_75", "-gencode",
                        "arch=compute_90a,code=sm_90a", "-gencode", "arch=compute_80,code=compute_80", "-o",
                        tmp + "/libk.so", data("k.cu")},
                       gpuenv::test::base_env(), "", 300);
  if (r.exit_code != 0) GTEST_SKIP() << "nvcc failed: " << r.err;
  auto info = read_fatbin(Fs("/"), tmp + "/libk.so");
  EXPECT_EQ(info.error, "");
  EXPECT_EQ(info.sass, (std::vector<std::string>{"sm_75", "sm_90a"}));
  EXPECT_EQ(info.ptx, (std::vector<std::string>{"compute_80"}));
  fs::remove_all(tmp);
}

TEST(Fatbin, RealCuda13Libraries) {
  std::string lib = "/usr/local/cuda/lib64/libcublasLt.so.13";
  if (!fs::exists(lib)) GTEST_SKIP() << "no CUDA 13 toolkit libraries at /usr/local/cuda/lib64";
  auto info = read_fatbin(Fs("/"), lib);
  ASSERT_EQ(info.error, "");
  // CUDA 13 libraries target Turing (sm_75) and newer, Hopper included.
  EXPECT_FALSE(info.sass.empty());
  EXPECT_NE(std::find(info.sass.begin(), info.sass.end(), "sm_90"), info.sass.end());
  for (auto& t : info.sass) EXPECT_GE(GpuTarget::parse(t).value_or(GpuTarget{}).cc, (ComputeCapability{7, 5})) << t;
}

}  // namespace
