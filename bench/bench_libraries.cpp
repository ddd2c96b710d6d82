// Times the library analysis of this machine: inventory + loader resolution of
// every framework found (probe_libraries), and the fatbin scan of big files.
// Usage: bench_libraries [--repeat N] [FILE...]   (bench/libraries.sh prints it next to a baseline)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "probe/libraries.hpp"
#include "probe/probes.hpp"

using namespace gpuenv;

static double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

int main(int argc, char** argv) {
  int repeat = 5;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc) repeat = std::atoi(argv[++i]);
    else files.push_back(a);
  }
  ProbeContext ctx{Fs("/"), current_environment()};
  double best = 1e18, first = 0;
  Snapshot last;
  for (int r = 0; r < repeat; ++r) {
    Snapshot s;
    probe_env(ctx, s);
    probe_host(ctx, s);
    probe_python(ctx, s);
    double t0 = now_ms();
    probe_libraries(ctx, s);
    double t = now_ms() - t0;
    if (r == 0) first = t;
    best = std::min(best, t);
    last = std::move(s);
  }
  std::size_t loads = 0, kernels = 0;
  for (auto& c : last.libraries.consumers) {
    loads += c.loads.size();
    kernels += c.kernels.size();
  }
  std::printf("library analysis (inventory + resolution + fatbin of framework files): first %.1f ms, best of %d %.1f ms\n",
              first, repeat, best);
  std::printf("  %zu copies, %zu consumers, %zu resolutions, %zu files with GPU code\n", last.libraries.copies.size(),
              last.libraries.consumers.size(), loads, kernels);
  for (auto& f : files) {
    double t0 = now_ms();
    auto fb = read_fatbin(ctx.fs, f);
    double t = now_ms() - t0;
    std::printf("fatbin scan %s: %.1f ms, %zu SASS + %zu PTX targets%s\n", f.c_str(), t, fb.sass.size(), fb.ptx.size(),
                fb.error.empty() ? "" : (" (" + fb.error + ")").c_str());
  }
  return 0;
}
