#pragma once
// Runs a program with a chosen environment and captures its output (tests only).
#include <map>
#include <string>
#include <vector>

namespace gpuenv::test {

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out, err;
};

// env: the complete environment of the child (nothing inherited).
RunResult run_program(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                      const std::string& stdin_text = "", double timeout_s = 60);

// A base environment for hermetic runs: PATH, HOME, LANG and the sanitizer options.
std::map<std::string, std::string> base_env();

std::string read_text(const std::string& path);
std::string temp_dir(const std::string& prefix);

}  // namespace gpuenv::test
