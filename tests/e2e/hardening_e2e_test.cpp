// Issue 17 through the command line: output errors, --from robustness, text that is not UTF-8, secrets,
// and GPUENV_TRUSTED_DRIVER.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "run.hpp"

using gpuenv::test::base_env;
using gpuenv::test::run_program;
using gpuenv::test::RunResult;

namespace {

const std::string kHealthy = std::string(GPUENV_SOURCE_DIR) + "/tests/fixtures/h100-ubuntu-healthy/root";

std::map<std::string, std::string> fake_env() {
  auto env = base_env();
  env["GPUENV_LIBCUDA"] = GPUENV_FAKE_LIBCUDA;
  env["GPUENV_LIBNVML"] = GPUENV_FAKE_LIBNVML;
  return env;
}

RunResult cli(std::vector<std::string> args, std::map<std::string, std::string> env = fake_env(), const std::string& in = "") {
  args.insert(args.begin(), GPUENV_BINARY);
  return run_program(args, env, in);
}

RunResult shell(const std::string& command, std::map<std::string, std::string> env = fake_env()) {
  return run_program({"/bin/sh", "-c", command}, env);
}

}  // namespace

TEST(Hardening, WriteErrorOnStdoutExitsTwo) {
  const std::string bin = GPUENV_BINARY;
  auto lock = shell(bin + " lock -o - --root " + kHealthy + " > /dev/full");
  EXPECT_EQ(lock.exit_code, 2) << lock.err;
  EXPECT_NE(lock.err.find("cannot write to standard output"), std::string::npos) << lock.err;
  auto doctor = shell(bin + " doctor --json --root " + kHealthy + " > /dev/full");
  EXPECT_EQ(doctor.exit_code, 2) << doctor.err;
}

TEST(Hardening, FromRefusesNewerDocumentsAndHugeNumbers) {
  auto good = cli({"doctor", "--json", "--root", kHealthy});
  ASSERT_EQ(good.exit_code, 0) << good.err;
  auto j = nlohmann::json::parse(good.out);
  j["schema_version"] = 2;
  auto newer = cli({"doctor", "--from", "-"}, fake_env(), j.dump());
  EXPECT_EQ(newer.exit_code, 2);
  EXPECT_NE(newer.err.find("newer than this gpuenv"), std::string::npos) << newer.err;
  auto big = cli({"doctor", "--from", "-"}, fake_env(), "{\"schema_version\": 1e400}");
  EXPECT_EQ(big.exit_code, 2);
  EXPECT_NE(big.err.find("not valid JSON"), std::string::npos) << big.err;
  EXPECT_EQ(big.err.find("internal error"), std::string::npos) << big.err;
}

TEST(Hardening, BytesThatAreNotUtf8AndSecretsInTheEnvironment) {
  auto env = fake_env();
  env["CUDA_HOME"] = "/opt/cu\xff" "da";
  for (const char* secret : {"NVIDIA_NGC_KEY", "NCCL_IB_PRIVATE_KEY", "GPUENV_SIGNING_KEY", "PYTHON_KEYRING_PASS",
                             "CUDA_PASSPHRASE", "TORCH_HUB_Token"})
    env[secret] = "s3cr3t-value";
  auto json = cli({"doctor", "--json", "--root", kHealthy}, env);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto j = nlohmann::json::parse(json.out);  // throws on text that is not UTF-8
  EXPECT_EQ(j["snapshot"]["env"]["CUDA_HOME"], "/opt/cu\xEF\xBF\xBD" "da");
  EXPECT_EQ(json.out.find("s3cr3t"), std::string::npos);
  auto md = cli({"doctor", "--markdown", "-vv", "--root", kHealthy}, env);
  EXPECT_EQ(md.exit_code, 0) << md.err;
  EXPECT_EQ(md.out.find("s3cr3t"), std::string::npos);
  auto text = cli({"doctor", "-vv", "--root", kHealthy}, env);
  EXPECT_EQ(text.out.find("s3cr3t"), std::string::npos);
  auto replay = cli({"doctor", "--from", "-"}, fake_env(), json.out);
  EXPECT_EQ(replay.exit_code, 0) << replay.err;
  auto explain = cli({"explain", "--json", "CUDA error: no kernel image \xff is available"});
  EXPECT_NO_THROW(nlohmann::json::parse(explain.out)) << explain.err;
}

TEST(Hardening, TrustedDriverIgnoresLdLibraryPath) {
  std::string fake_dir = GPUENV_FAKE_LIBCUDA;
  fake_dir.resize(fake_dir.rfind('/'));
  auto env = base_env();
  env["LD_LIBRARY_PATH"] = fake_dir;
  auto plain = cli({"doctor", "--json", "--only", "driver.*"}, env);
  auto p = nlohmann::json::parse(plain.out);
  EXPECT_EQ(p["snapshot"]["cuda"]["requested"], "libcuda.so.1");
  env["GPUENV_TRUSTED_DRIVER"] = "1";
  auto trusted = cli({"doctor", "--json", "--only", "driver.*"}, env);
  auto t = nlohmann::json::parse(trusted.out);
  std::string requested = t["snapshot"]["cuda"]["requested"];
  EXPECT_EQ(requested.rfind('/', 0), 0u) << requested;
  EXPECT_EQ(requested.find(fake_dir), std::string::npos) << requested;
  std::string loaded = t["snapshot"]["cuda"]["library_path"];
  EXPECT_EQ(loaded.find(fake_dir), std::string::npos) << loaded;
}
