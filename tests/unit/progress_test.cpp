// ProgressLine (util/progress.hpp): quiet when stderr is no terminal (piped, redirected), lines without escape
// sequences under NO_COLOR, a status rewritten in place otherwise; the callback doctor and lock hand down.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "util/progress.hpp"

using gpuenv::ProgressLine;
using namespace std::chrono_literals;

namespace {

// What a ProgressLine of `mode` writes while `work` runs (and when it is destroyed).
template <class F>
std::string written(ProgressLine::Mode mode, F work) {
  std::FILE* f = std::tmpfile();
  {
    ProgressLine p(mode, f, 0ms);
    work(p);
  }
  std::rewind(f);
  std::string out;
  for (int c; (c = std::fgetc(f)) != EOF;) out += char(c);
  std::fclose(f);
  return out;
}

TEST(Progress, QuietWhenStderrIsNoTerminal) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  EXPECT_EQ(ProgressLine::mode_for(fds[1]), ProgressLine::Mode::Quiet);
  ::close(fds[0]);
  ::close(fds[1]);
  auto out = written(ProgressLine::Mode::Quiet, [](ProgressLine& p) {
    p.say("waiting for the NVIDIA driver to initialise (cuInit)...");
    p.count(1000, "hashing libraries");
  });
  EXPECT_EQ(out, "");
}

TEST(Progress, TheCallbackSaysLinesAndTheStatusIsRewrittenInPlace) {
  auto out = written(ProgressLine::Mode::InPlace, [](ProgressLine& p) {
    auto cb = p.sayer();  // what DoctorInputs::on_progress and SnapshotOptions::on_slow receive
    cb("--deep: importing torch with /usr/bin/python3 (1/2)...");
    p.count(1500000000, "hashing libraries");
  });
  EXPECT_EQ(out, "gpuenv: --deep: importing torch with /usr/bin/python3 (1/2)...\n"
                 "\r\033[Kgpuenv: hashing libraries: 1 done, 1.5 GB\r\033[K");
  // NO_COLOR: the same words, no escape sequence, whole lines.
  out = written(ProgressLine::Mode::Lines, [](ProgressLine& p) {
    p.count(2000000000, "hashing libraries");
    p.say("done");
  });
  EXPECT_EQ(out, "gpuenv: hashing libraries: 1 done, 2.0 GB\ngpuenv: done\n");
}

TEST(Progress, CountIsThreadSafeAndThrottled) {
  auto out = written(ProgressLine::Mode::Lines, [](ProgressLine& p) {
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; ++t)
      ts.emplace_back([&p] {
        for (int i = 0; i < 250; ++i) p.count(1, "hashing libraries");
      });
    for (auto& t : ts) t.join();
  });
  // One line per two seconds at most (the first count to print may be any of the first few).
  EXPECT_TRUE(out.starts_with("gpuenv: hashing libraries: ")) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
}

TEST(Progress, NothingBeforeTheDelay) {
  std::FILE* f = std::tmpfile();
  {
    ProgressLine p(ProgressLine::Mode::InPlace, f, 10s);
    p.count(1, "hashing libraries");
  }
  EXPECT_EQ(std::ftell(f), 0);
  std::fclose(f);
}

}  // namespace
