// Median overhead of `gpuenv run -- true` over a bare `true`, measured in one
// run with a gpuenv.toml present (a declared interpreter and a 50-entry
// PYTHONPATH to repair), beside `direnv exec . true` where direnv is installed.
// Goal: under 2 ms. Usage: bench_run_overhead [GPUENV] [ITERATIONS]
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

static double now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

static double run_once(const std::vector<std::string>& argv) {
  std::vector<char*> a;
  for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  double t0 = now_ms();
  pid_t pid = fork();
  if (pid == 0) {
    execvp(a[0], a.data());
    _exit(127);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  double t = now_ms() - t0;
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    std::fprintf(stderr, "command failed: %s\n", argv[0].c_str());
    std::exit(1);
  }
  return t;
}

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  std::string gpuenv = argc > 1 ? argv[1] : GPUENV_BINARY;
  int n = argc > 2 ? std::atoi(argv[2]) : 300;
  char tmpl[] = "/tmp/gpuenv-bench-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string py = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "";
  {
    std::ofstream spec(dir + "/gpuenv.toml");
    if (!py.empty()) spec << "[python]\ninterpreter = \"" << py << "\"\nno_user_site = true\n";
    spec << "[env.set]\nBENCH = \"1\"\n";
  }
  std::string pp;
  for (int i = 0; i < 50; ++i)
    pp += (i ? ":" : "") + std::string("/nix/store/0000000000000000000000000000000") + char('a' + i % 26) +
          "-python3." + (i % 10 == 0 ? "12" : "11") + "-pkg" + std::to_string(i) + "-1.0/lib/python3." +
          (i % 10 == 0 ? "12" : "11") + "/site-packages";
  setenv("PYTHONPATH", pp.c_str(), 1);
  setenv("XDG_CACHE_HOME", (dir + "/.cache").c_str(), 1);
  if (chdir(dir.c_str()) != 0) return 1;

  std::string true_bin = fs::exists("/usr/bin/true") ? "/usr/bin/true" : "/bin/true";
  bool direnv = system("command -v direnv >/dev/null 2>&1") == 0;
  setenv("DIRENV_LOG_FORMAT", "", 1);  // quiet
  if (direnv) {
    std::ofstream(dir + "/.envrc") << "export BENCH=1\n";
    setenv("XDG_DATA_HOME", (dir + "/.data").c_str(), 1);
    setenv("XDG_CONFIG_HOME", (dir + "/.config").c_str(), 1);
    if (system("direnv allow . >/dev/null 2>&1") != 0) direnv = false;
  }
  // Warm up (page cache, shim directory).
  for (int i = 0; i < 10; ++i) {
    run_once({true_bin});
    run_once({gpuenv, "run", "--", true_bin});
  }
  std::vector<double> bare, wrapped, dir_env;
  for (int i = 0; i < n; ++i) {  // interleaved, so drift hits all alike
    bare.push_back(run_once({true_bin}));
    wrapped.push_back(run_once({gpuenv, "run", "--", true_bin}));
    if (direnv) dir_env.push_back(run_once({"direnv", "exec", ".", true_bin}));
  }
  double b = median(bare), w = median(wrapped);
  std::printf("iterations: %d (interleaved), spec with %s, PYTHONPATH of 50 entries\n", n,
              py.empty() ? "no interpreter" : py.c_str());
  std::printf("bare true                 median %.3f ms\n", b);
  std::printf("gpuenv run -- true        median %.3f ms   overhead %.3f ms   (goal < 2 ms: %s)\n", w, w - b,
              w - b < 2.0 ? "met" : "NOT met");
  if (direnv) {
    double d = median(dir_env);
    std::printf("direnv exec . true        median %.3f ms   overhead %.3f ms\n", d, d - b);
  } else {
    std::printf("direnv exec . true        (direnv not installed)\n");
  }
  fs::remove_all(dir);
  return 0;
}
