// fleet_bench: how long `gpuenv fleet report` takes on many node files.
//
//   fleet_bench [--nodes N] [--distributions D] [--keep DIR]
//
// Generates N doctor --json documents (default 10,000) like a real H100 node
// with a populated Python section (D distributions, default 120, and 60 extra
// library copies: about 80 KB each, larger than today's snapshots), plants 3
// outliers and 2 failing nodes, then measures in one run:
//   baseline   reading every file into memory, one thread (the I/O floor)
//   report     read_fleet + text rendering, one thread and one per core
//   cli        the gpuenv binary: fleet report --json DIR > /dev/null
//   nlohmann   parse_doctor_json (the full reader doctor --from uses) on a
//              sample, extrapolated to N, to show why the fleet reader is separate
// and prints each as seconds and as a ratio to the baseline. The page cache is
// warm (files just written), as it is for a report run right after collection.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "fleet/fleet.hpp"
#include "model/json.hpp"
#include "nodes.hpp"
#include "util/strings.hpp"

namespace fs = std::filesystem;
using namespace gpuenv;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

static std::string slurp(const std::string& path) {
  std::string out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[1 << 16];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
  ::close(fd);
  return out;
}

int main(int argc, char** argv) {
  int nodes = 10000, distributions = 120;
  std::string keep;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--nodes" && i + 1 < argc) nodes = std::atoi(argv[++i]);
    else if (a == "--distributions" && i + 1 < argc) distributions = std::atoi(argv[++i]);
    else if (a == "--keep" && i + 1 < argc) keep = argv[++i];
    else {
      std::fprintf(stderr, "usage: fleet_bench [--nodes N] [--distributions D] [--keep DIR]\n");
      return 2;
    }
  }
  std::string dir = keep;
  if (dir.empty()) {
    char tmpl[] = "/tmp/gpuenv-fleet-bench-XXXXXX";
    if (!::mkdtemp(tmpl)) return 2;
    dir = tmpl;
  } else {
    fs::create_directories(dir);
  }

  // One document per kind of node; the host name is substituted per node.
  test::NodeSpec healthy, old, broken;
  for (auto* n : {&healthy, &old, &broken}) n->host = "HOSTNAME", n->distributions = distributions, n->extra_libraries = 60;
  old.driver = "570.86.15", old.cuda_api = 12080;
  broken.uvm_missing = true;
  std::string kinds[3] = {test::make_node_json(healthy), test::make_node_json(old), test::make_node_json(broken)};
  auto t0 = Clock::now();
  size_t bytes = 0;
  std::vector<std::string> files;
  for (int i = 1; i <= nodes; ++i) {
    int kind = (i == 17 || i == 230 || i == 411) ? 1 : (i == 44 || i == 101) ? 2 : 0;
    auto host = fmt::format("gpu{:05d}", i);
    auto text = replace_all(kinds[kind], "HOSTNAME", host);
    bytes += text.size();
    files.push_back(dir + "/" + host + ".json");
    std::ofstream(files.back()) << text;
  }
  std::printf("generated %d node files, %.0f MB (%.1f KB each) in %.1f s\n", nodes, double(bytes) / 1e6,
              double(bytes) / nodes / 1e3, since(t0));

  // Baseline: read every file, one thread.
  t0 = Clock::now();
  size_t got = 0;
  for (auto& f : files) got += slurp(f).size();
  double baseline = since(t0);
  if (got != bytes) std::fprintf(stderr, "warning: read %zu bytes of %zu\n", got, bytes);

  auto report = [&](unsigned threads) {
    auto t = Clock::now();
    std::vector<SkippedFile> skipped;
    auto r = read_fleet(expand_fleet_inputs({dir}, skipped), skipped, threads);
    auto text = render_fleet_text(r, {});
    double s = since(t);
    if (r.nodes.size() != size_t(nodes) || r.groups.size() != 2 || r.failing.size() != 1)
      std::fprintf(stderr, "error: unexpected report (%zu nodes, %zu stacks)\n", r.nodes.size(), r.groups.size());
    return s;
  };
  double one = report(1);
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  double all = report(0);

  // The binary, as a user runs it.
  t0 = Clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::execl(GPUENV_BINARY, GPUENV_BINARY, "fleet", "report", "--json", dir.c_str(), (char*)nullptr);
    ::_exit(127);
  }
  int status = 0;
  struct rusage ru {};
  ::wait4(pid, &status, 0, &ru);
  double cli = since(t0);
  double cli_cpu = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;

  // The full nlohmann reader on a sample, extrapolated.
  size_t sample = std::min<size_t>(files.size(), 200);
  t0 = Clock::now();
  for (size_t i = 0; i < sample; ++i) {
    auto doc = parse_doctor_json(slurp(files[i]));
    if (!doc) std::fprintf(stderr, "error: %s\n", doc.error().c_str());
  }
  double full = since(t0) / double(sample) * double(files.size());

  std::printf("%-44s %8.3f s  %6.2fx baseline\n", "baseline: read every file (1 thread)", baseline, 1.0);
  std::printf("%-44s %8.3f s  %6.2fx baseline\n", "fleet report, 1 thread", one, one / baseline);
  std::printf("%-44s %8.3f s  %6.2fx baseline\n", fmt::format("fleet report, {} threads", cores).c_str(), all, all / baseline);
  std::printf("%-44s %8.3f s  %6.2fx baseline  (exit %d)\n", "gpuenv fleet report --json DIR (process)", cli, cli / baseline,
              WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  std::printf("%-44s %8.3f s  %6.2fx baseline  (extrapolated from %zu files)\n", "nlohmann parse_doctor_json, 1 thread",
              full, full / baseline, sample);
  std::printf("%-44s %8.3f s  (user+sys of the process; wall time above includes waiting for the CPU)\n",
              "gpuenv fleet report CPU time", cli_cpu);
  double load[3] = {0, 0, 0};
  if (::getloadavg(load, 3) < 1) load[0] = -1;
  std::printf("load average during the run: %.2f on %u cores\n", load[0], cores);
  std::printf("goal: %d files in under 2 s: %s (%.2f s wall)\n", nodes, cli < 2.0 ? "met" : "NOT met", cli);
  if (keep.empty()) fs::remove_all(dir);
  return cli < 2.0 ? 0 : 1;
}
