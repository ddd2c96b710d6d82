// explain_bench: how long `gpuenv explain` takes to match a long log against messages.toml.
//
//   explain_bench [--mb N] [--keep FILE]
//
// Generates a log of N MB (default 10) like a long training job's: progress lines, \r progress bars,
// ANSI colours, Python tracebacks, NCCL INFO chatter, 1.5 KB lines that contain needles of common
// entries without being the message (the case that took ~15 s for 100 lines before the matcher was
// bounded), and a few real errors. Then measures in one run, each the best of 3:
//   baseline   a grep-like scan: the lines containing "error" (case-insensitive), which is the floor
//              for reading the text once and looking at every byte
//   explain    match_messages over the whole log (what gpuenv explain does before rendering)
//   lines100   100 lines of 1.5 KB that each contain a needle (the old worst case)
// and prints seconds and the ratio to the baseline. Goal: a 10 MB log in under a second (Release).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>

#include "knowledge/messages.hpp"

using namespace gpuenv;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

template <class F>
static double best_of_3(F&& f) {
  double best = 1e9;
  for (int i = 0; i < 3; ++i) {
    auto t = Clock::now();
    f();
    best = std::min(best, since(t));
  }
  return best;
}

static std::string long_line(unsigned seed, const char* needle) {
  std::string s = "2026-01-01 00:00:00 I worker.py:42] ";
  while (s.size() < 700) s += "param_" + std::to_string(seed++ % 997) + "=0.125 ";
  s += needle;
  while (s.size() < 1500) s += " tensor(" + std::to_string(seed++ % 991) + ")";
  return s;
}

static std::string generate(size_t bytes) {
  const char* needles[] = {
      "is not compatible with the current PyTorch installation",  // the capability entry's needle
      "failed to initialize", "stub", "installation found", "cannot open shared object file", "out of memory",
      "NCCL INFO NCCL_DEBUG set by environment to INFO", "undefined symbol: _Z", "lib", "socket"};
  const char* errors[] = {
      "RuntimeError: CUDA error: no kernel image is available for execution on the device",
      "OSError: libcudnn.so.9: cannot open shared object file: No such file or directory",
      "node3:12:40 [0] NCCL WARN Error while creating shared memory segment /dev/shm/nccl-x (size 9637888)",
      "RuntimeError: DataLoader worker (pid 4321) is killed by signa\nl: Bus error.",
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 79.19 GiB"};
  std::string log;
  log.reserve(bytes + 4096);
  unsigned i = 0;
  while (log.size() < bytes) {
    ++i;
    if (i % 5000 == 0) log += std::string(errors[(i / 5000) % 5]) + "\n";
    if (i % 50 == 0) log += long_line(i, needles[(i / 50) % 10]) + "\n";
    else if (i % 7 == 0) log += "\x1b[32mepoch " + std::to_string(i / 1000) + "\x1b[0m  12%|###       | 120/1000 [00:12<01:30]\r 13%|###   | 130/1000\r\n";
    else if (i % 11 == 0) log += "  File \"/opt/venv/lib/python3.11/site-packages/torch/nn/modules/module.py\", line 1553, in _call_impl\n";
    else if (i % 13 == 0) log += "node1:1234:1290 [3] NCCL INFO Channel 02/0 : 3[3] -> 4[4] via P2P/CUMEM/read\n";
    else log += "step " + std::to_string(i) + " loss 0.2315 lr 3.0e-04 grad_norm 1.02 tokens/s 181234\n";
  }
  return log;
}

int main(int argc, char** argv) {
  size_t mb = 10;
  std::string keep;
  for (int a = 1; a < argc; ++a) {
    if (!std::strcmp(argv[a], "--mb") && a + 1 < argc) mb = std::stoul(argv[++a]);
    else if (!std::strcmp(argv[a], "--keep") && a + 1 < argc) keep = argv[++a];
  }
  auto& k = Knowledge::get();
  k.messages();  // parse and compile the patterns outside the timing
  std::string log = generate(mb << 20);
  if (!keep.empty()) std::ofstream(keep) << log;

  size_t hits = 0;
  double base = best_of_3([&] {
    hits = 0;
    std::string_view v(log);
    size_t start = 0;
    while (start < v.size()) {
      size_t nl = v.find('\n', start);
      if (nl == std::string_view::npos) nl = v.size();
      auto line = v.substr(start, nl - start);
      auto it = std::search(line.begin(), line.end(), "error", "error" + 5,
                            [](char a, char b) { return (a | 0x20) == b; });
      hits += it != line.end();
      start = nl + 1;
    }
  });
  size_t found = 0;
  double explain = best_of_3([&] { found = match_messages(k, log).size(); });

  std::string hundred;
  for (unsigned i = 0; i < 100; ++i) hundred += long_line(i, "is not compatible with the current PyTorch installation") + "\n";
  double lines100 = best_of_3([&] { match_messages(k, hundred); });

  std::printf("log: %.1f MB, %zu known messages in messages.toml\n", double(log.size()) / (1 << 20), k.messages().size());
  std::printf("baseline  %8.3f s   grep-like scan (%zu lines with 'error')\n", base, hits);
  std::printf("explain   %8.3f s   %6.1f x baseline   (%zu distinct messages found)\n", explain, explain / base, found);
  std::printf("lines100  %8.3f s   100 lines of 1.5 KB with a needle each\n", lines100);
  std::printf("goal: explain < 1 s for 10 MB (Release): %s\n", explain < 1.0 ? "met" : "NOT met");
  return 0;
}
