#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "run.hpp"
#include <thread>
#include "util/atomic_file.hpp"
#include "util/fs.hpp"
#include "util/hash.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

using namespace gpuenv;

TEST(Version, ParsesAndCompares) {
  auto a = Version::parse("580.159.04");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->str(), "580.159.4");
  EXPECT_LT(*Version::parse("575.57.08"), *a);
  EXPECT_EQ(*Version::parse("13.0"), *Version::parse("13"));
  EXPECT_LT(*Version::parse("9.3"), *Version::parse("9.19"));
  EXPECT_EQ(Version::parse("2.11.0+cu130")->str(), "2.11.0");
  EXPECT_FALSE(Version::parse("abc"));
}

TEST(Version, CudaEncoding) {
  EXPECT_EQ(cuda_version_string(13000), "13.0");
  EXPECT_EQ(cuda_version_string(12040), "12.4");
  EXPECT_EQ(cuda_version_string(0), "unknown");
  EXPECT_EQ(cuda_version_int("12.8"), 12080);
}

TEST(Hash, Sha256KnownAnswers) {
  // FIPS 180-2 examples, and a file that spans several read buffers (1 MiB each).
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  auto path = std::filesystem::temp_directory_path() / ("gpuenv-hash-" + std::to_string(::getpid()));
  {
    std::ofstream f(path, std::ios::binary);
    std::string chunk(1000, 'a');
    for (int i = 0; i < 1000; ++i) f << chunk;  // one million 'a'
  }
  auto h = sha256_file(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(h);
  EXPECT_EQ(*h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_FALSE(sha256_file("/nonexistent/gpuenv-hash"));
}

TEST(Strings, SplitJoinNormalize) {
  EXPECT_EQ(split("a::b", ':'), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split("a::b", ':', false), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(normalize_path("/usr//local/./cuda/../nvidia/"), "/usr/local/nvidia");
  // The fast path (already normal) and the edge cases around it.
  EXPECT_EQ(normalize_path("/usr/lib/libcuda.so.1"), "/usr/lib/libcuda.so.1");
  EXPECT_EQ(normalize_path("/"), "/");
  EXPECT_EQ(normalize_path(""), ".");
  EXPECT_EQ(normalize_path("a/b"), "a/b");
  EXPECT_EQ(normalize_path("a/.."), ".");
  EXPECT_EQ(normalize_path("/a/."), "/a");
  EXPECT_EQ(normalize_path("/..a/b.."), "/..a/b..");
  EXPECT_EQ(normalize_path("../x"), "../x");
  EXPECT_EQ(dir_name("/a/b/c"), "/a/b");
  EXPECT_EQ(base_name("/a/b/c/"), "c");
  EXPECT_EQ(shell_quote("plain/path"), "plain/path");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  auto kv = parse_key_values("ID=ubuntu\nPRETTY_NAME=\"Ubuntu 24.04\"\n# c\n");
  ASSERT_EQ(kv.size(), 2u);
  EXPECT_EQ(kv[1].second, "Ubuntu 24.04");
}

class FsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root = test::temp_dir("gpuenv-fs");
    std::filesystem::create_directories(root + "/usr/lib");
    std::ofstream(root + "/usr/lib/libx.so.1.2") << "x";
    std::filesystem::create_symlink("libx.so.1.2", root + "/usr/lib/libx.so.1");
    // An absolute link must stay inside the root.
    std::filesystem::create_directories(root + "/opt");
    std::filesystem::create_symlink("/usr/lib", root + "/opt/lib");
  }
  void TearDown() override { std::filesystem::remove_all(root); }
  std::string root;
};

TEST_F(FsTest, RealpathStaysInsideRoot) {
  Fs fs(root);
  EXPECT_EQ(fs.realpath("/opt/lib/libx.so.1"), "/usr/lib/libx.so.1.2");
  EXPECT_EQ(fs.realpath("/usr/lib/../lib/libx.so.1"), "/usr/lib/libx.so.1.2");
  EXPECT_FALSE(fs.realpath("/usr/lib/missing"));
  EXPECT_EQ(fs.stat("/opt/lib/libx.so.1").kind, FileKind::Regular);
  EXPECT_EQ(fs.read("/opt/lib/libx.so.1").value(), "x");
  EXPECT_EQ(fs.list("/usr/lib"), (std::vector<std::string>{"libx.so.1", "libx.so.1.2"}));
}

TEST_F(FsTest, RealpathOfTheHostAgreesWithTheKernel) {
  // Without a root, realpath is one kernel walk (O_PATH + /proc/self/fd): same answers as canonical().
  Fs host;
  for (auto p : {"/opt/lib", "/usr/lib/libx.so.1", "/usr/lib/../lib/libx.so.1"}) {
    std::string full = root + p;
    auto got = host.realpath(full);
    ASSERT_TRUE(got) << full;
    EXPECT_EQ(*got, std::filesystem::canonical(full).string()) << full;
  }
  EXPECT_EQ(host.realpath(root + "/usr/lib/libx.so.1"), root + "/usr/lib/libx.so.1.2");
  // opt/lib -> /usr/lib is absolute: on the host it leaves the tree, and the host has no libx.
  EXPECT_FALSE(host.realpath(root + "/opt/lib/libx.so.1"));
  EXPECT_FALSE(host.realpath(root + "/usr/lib/missing"));
  std::filesystem::create_symlink("nowhere", root + "/usr/lib/dangling");
  EXPECT_FALSE(host.realpath(root + "/usr/lib/dangling"));
  EXPECT_EQ(host.realpath("/"), "/");
}

TEST_F(FsTest, ReadErrorsNameThePath) {
  Fs fs(root);
  auto r = fs.read("/etc/nothing");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("/etc/nothing"), std::string::npos);
}

TEST_F(FsTest, LinkLoopIsNotFollowedForever) {
  std::filesystem::create_symlink("b", root + "/a");
  std::filesystem::create_symlink("a", root + "/b");
  Fs fs(root);
  EXPECT_FALSE(fs.realpath("/a"));
}

TEST_F(FsTest, RecorderSeesReads) {
  Fs fs(root);
  std::vector<std::string> seen;
  fs.set_recorder([&](const std::string& p) { seen.push_back(p); });
  (void)fs.read_opt("/usr/lib/libx.so.1");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], "/usr/lib/libx.so.1");
}

TEST_F(FsTest, AtomicWriteReplacesWholeFile) {
  std::string p = root + "/out.txt";
  ASSERT_TRUE(write_file_atomic(p, "first"));
  ASSERT_TRUE(write_file_atomic(p, "second"));
  EXPECT_EQ(test::read_text(p), "second");
  // No temporary files are left behind.
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(root)) n += e.path().filename().string().starts_with(".out.txt");
  EXPECT_EQ(n, 0);
  EXPECT_FALSE(write_file_atomic(root + "/no/such/dir/f", "x"));
}

TEST_F(FsTest, AtomicWriteLeavesDevicesLinksAndDirectoriesInPlace) {
  // A FIFO stands in for /dev/null: it must be written through, never replaced by a regular file.
  std::string fifo = root + "/pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = test::read_text(fifo); });
  ASSERT_TRUE(write_file_atomic(fifo, "through the pipe"));
  reader.join();
  EXPECT_EQ(got, "through the pipe");
  struct stat st {};
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  // A symlink to a file: the file gets the content, the link stays a link.
  std::string target = root + "/real.txt", link = root + "/link.txt";
  ASSERT_TRUE(write_file_atomic(target, "old"));
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  ASSERT_TRUE(write_file_atomic(link, "new"));
  EXPECT_EQ(test::read_text(target), "new");
  ASSERT_EQ(::lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  // A directory is an error, not a rename attempt.
  auto r = write_file_atomic(root, "x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("directory"), std::string::npos);
}

#include "probe/probes.hpp"

TEST(EnvAllowList, RecordsGpuVariablesButNeverSecrets) {
  EXPECT_TRUE(env_var_recorded("CUDA_VISIBLE_DEVICES"));
  EXPECT_TRUE(env_var_recorded("LD_LIBRARY_PATH"));
  EXPECT_TRUE(env_var_recorded("PYTHONPATH"));
  EXPECT_TRUE(env_var_recorded("TF_CPP_MIN_LOG_LEVEL"));
  EXPECT_FALSE(env_var_recorded("TF_TOKEN_app_terraform_io"));
  EXPECT_FALSE(env_var_recorded("TF_VAR_region"));
  EXPECT_FALSE(env_var_recorded("HF_TOKEN"));
  EXPECT_FALSE(env_var_recorded("NVIDIA_API_KEY"));
  EXPECT_FALSE(env_var_recorded("AWS_SECRET_ACCESS_KEY"));
  EXPECT_FALSE(env_var_recorded("HOME"));
  EXPECT_FALSE(env_var_recorded("SSH_AUTH_SOCK"));
}
