// Runs several commands alternately and reports the median wall time of each
// and its ratio to the first (the baseline), measured in the same run.
//
//   bench_cmd [--runs N] [--warmup N] [--allow-fail] -- NAME CMD ARGS... ::: NAME CMD ARGS... [::: ...]
//
// Alternating the commands spreads drift (caches, CPU frequency) evenly over all of them.
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

struct Cmd {
  std::string name;
  std::vector<std::string> argv;
  std::vector<double> ms;
  int failures = 0;
};

static double now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

static int run_once(const Cmd& c, double& ms) {
  std::vector<char*> argv;
  for (auto& a : c.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  double t0 = now_ms();
  int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    std::fprintf(stderr, "bench_cmd: cannot start %s: %s\n", argv[0], std::strerror(rc));
    std::exit(2);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ms = now_ms() - t0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = size_t(p * double(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

int main(int argc, char** argv) {
  int runs = 20, warmup = 3;
  bool allow_fail = false;
  std::vector<Cmd> cmds;
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (a == "--warmup" && i + 1 < argc) warmup = std::atoi(argv[++i]);
    else if (a == "--allow-fail") allow_fail = true;
    else if (a == "--") { ++i; break; }
    else {
      std::fprintf(stderr, "usage: bench_cmd [--runs N] [--warmup N] [--allow-fail] -- NAME CMD ARGS... ::: NAME CMD ...\n");
      return 2;
    }
  }
  Cmd cur;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == ":::") {
      if (cur.argv.empty()) return 2;
      cmds.push_back(cur);
      cur = Cmd{};
    } else if (cur.name.empty()) cur.name = a;
    else cur.argv.push_back(a);
  }
  if (!cur.argv.empty()) cmds.push_back(cur);
  if (cmds.empty() || runs < 1) {
    std::fprintf(stderr, "bench_cmd: no commands\n");
    return 2;
  }
  for (int r = 0; r < warmup + runs; ++r)
    for (auto& c : cmds) {
      double ms;
      int rc = run_once(c, ms);
      if (rc != 0) c.failures++;
      if (r >= warmup) c.ms.push_back(ms);
    }
  double base = pct(cmds[0].ms, 0.5);
  std::printf("%-28s %10s %10s %10s %8s\n", "command", "median ms", "p10 ms", "p90 ms", "ratio");
  for (auto& c : cmds) {
    double med = pct(c.ms, 0.5);
    std::printf("%-28s %10.2f %10.2f %10.2f %8.3f%s\n", c.name.c_str(), med, pct(c.ms, 0.1), pct(c.ms, 0.9),
                base > 0 ? med / base : 0.0, c.failures ? "  (non-zero exit)" : "");
  }
  std::printf("(%d runs each after %d warm-up runs, alternated; ratio = median / median of '%s')\n", runs, warmup,
              cmds[0].name.c_str());
  for (auto& c : cmds)
    if (c.failures && !allow_fail) return 1;
  return 0;
}
