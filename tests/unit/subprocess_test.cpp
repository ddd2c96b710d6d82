#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "util/strings.hpp"
#include "util/subprocess.hpp"

using namespace gpuenv;

namespace {

ProcessSpec shell(const std::string& script) {
  ProcessSpec s;
  s.argv = {"/bin/sh", "-c", script};
  return s;
}

// Gone, or a zombie waiting for its new parent to reap it: either way no longer running.
bool dead(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), {});
  auto close = text.rfind(')');
  return close == std::string::npos || text.substr(close + 2, 1) == "Z";
}

}  // namespace

TEST(Subprocess, CollectsOutputExitCodeAndStderr) {
  auto r = run_process(shell("echo out; echo err >&2; exit 3"));
  EXPECT_TRUE(r.started());
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.signal, 0);
  EXPECT_FALSE(r.timed_out);
}

TEST(Subprocess, EnvironmentWorkingDirectoryAndMergedStderr) {
  auto s = shell("echo \"$FOO\"; pwd; echo e >&2");
  s.env = std::vector<std::string>{"FOO=bar"};
  s.cwd = "/";
  s.stderr_mode = ProcessSpec::Stderr::Merge;
  auto r = run_process(s);
  EXPECT_EQ(r.out, "bar\n/\ne\n");
  EXPECT_EQ(r.err, "");
}

TEST(Subprocess, TimeoutKillsTheWholeGroupGrandchildToo) {
  auto s = shell("sleep 30 & echo $!; wait");
  s.timeout_s = 0.5;
  pid_t grandchild = 0;
  s.on_line = [&](std::string_view line) {
    grandchild = pid_t(parse_int(std::string(line)).value_or(0));
    return LineAction::Continue;
  };
  auto r = run_process(s);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_GE(r.elapsed_ms, 500);
  EXPECT_LT(r.elapsed_ms, 5000);
  ASSERT_GT(grandchild, 0);
  bool gone = false;
  for (int i = 0; i < 200 && !(gone = dead(grandchild)); ++i) ::usleep(10000);
  EXPECT_TRUE(gone) << "the grandchild " << grandchild << " survived the timeout";
}

TEST(Subprocess, ACrashReportsTheSignal) {
  ProcessSpec s;
  s.function = [](int fd) {
    (void)!::write(fd, "stage\tbefore\n", 13);
    ::raise(SIGSEGV);
    return 0;
  };
  auto r = run_process(s);
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.out, "stage\tbefore\n");  // what it said before the crash is kept
  auto e = run_process(shell("kill -ABRT $$"));
  EXPECT_EQ(e.signal, SIGABRT);
}

TEST(Subprocess, LinesStreamBeforeExit) {
  auto s = shell("echo one; sleep 1; printf two");
  std::vector<std::pair<std::string, double>> lines;
  double t0 = monotonic_ms();
  s.on_line = [&](std::string_view line) {
    lines.emplace_back(std::string(line), monotonic_ms() - t0);
    return LineAction::Continue;
  };
  auto r = run_process(s);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].first, "one");
  EXPECT_EQ(lines[1].first, "two");  // the last line, without a newline, too
  EXPECT_LT(lines[0].second, 700);
  EXPECT_GE(lines[1].second, 900);
  EXPECT_EQ(r.out, "one\ntwo");
}

TEST(Subprocess, StopEndsTheChildWithoutWaitingForIt) {
  auto s = shell("echo status; sleep 30");
  s.on_line = [](std::string_view line) { return line == "status" ? LineAction::Stop : LineAction::Continue; };
  auto r = run_process(s);
  EXPECT_TRUE(r.stopped_early);
  EXPECT_FALSE(r.timed_out);
  EXPECT_LT(r.elapsed_ms, 5000);
  EXPECT_EQ(r.out, "status\n");
}

TEST(Subprocess, LargeOutputOnBothPipesDoesNotDeadlock) {
  auto s = shell("head -c 3000000 /dev/zero >&2; head -c 5000000 /dev/zero; head -c 3000000 /dev/zero >&2");
  s.timeout_s = 30;
  size_t lines = 0;
  s.on_line = [&](std::string_view) {
    ++lines;
    return LineAction::Continue;
  };
  auto r = run_process(s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.size(), 5000000u);
  EXPECT_EQ(r.err.size(), 6000000u);
  EXPECT_EQ(lines, 1u);  // one long unterminated line
}

TEST(Subprocess, KeepsTheFirstStdoutAndTheLastStderr) {
  auto s = shell("i=0; while [ $i -lt 2000 ]; do echo line$i; echo err$i >&2; i=$((i+1)); done");
  s.stdout_keep = 100;
  s.stderr_keep = 100;
  auto r = run_process(s);
  EXPECT_EQ(r.out.size(), 100u);
  EXPECT_TRUE(r.out.starts_with("line0\nline1\n"));
  EXPECT_GE(r.err.size(), 100u);
  EXPECT_LE(r.err.size(), 65536u + 200u);
  EXPECT_TRUE(r.err.ends_with("err1999\n"));
}

TEST(Subprocess, SeveralRunAtOnce) {
  double t0 = monotonic_ms();
  Process a(shell("sleep 0.6; echo a")), b(shell("sleep 0.6; echo b"));
  ProcessSpec f;
  f.function = [](int fd) {
    ::usleep(600000);
    (void)!::write(fd, "c\n", 2);
    return 7;
  };
  Process c(f);
  wait_all({&a, &b, &c});
  EXPECT_LT(monotonic_ms() - t0, 1100);
  EXPECT_EQ(a.result().out, "a\n");
  EXPECT_EQ(b.result().out, "b\n");
  EXPECT_EQ(c.result().out, "c\n");
  EXPECT_EQ(c.result().exit_code, 7);
}

TEST(Subprocess, SlowNoticeOnceAfterTheDelay) {
  int told = 0;
  auto fast = run_process(shell("true"), 1000, [&] { ++told; });
  EXPECT_EQ(told, 0);
  auto slow = run_process(shell("sleep 0.5"), 200, [&] { ++told; });
  EXPECT_EQ(told, 1);
  EXPECT_EQ(slow.exit_code, 0);
}

TEST(Subprocess, ExecFailureAndExitedChildWithABackgroundHolder) {
  ProcessSpec s;
  s.argv = {"/no/such/program"};
  auto r = run_process(s);
  EXPECT_TRUE(r.started());
  EXPECT_EQ(r.exec_error, "cannot execute /no/such/program: No such file or directory");
  EXPECT_EQ(r.exit_code, 127);
  ProcessSpec p;
  p.argv = {"no-such-program-on-path"};
  p.search_path = true;
  EXPECT_NE(run_process(p).exec_error, "");
  // The shell exits at once, its background child keeps the pipe: the runner reads on for linger_ms only.
  auto h = shell("sleep 30 & echo done");
  h.linger_ms = 100;
  auto held = run_process(h);
  EXPECT_EQ(held.exit_code, 0);
  EXPECT_EQ(held.out, "done\n");
  EXPECT_LT(held.elapsed_ms, 3000);
}

TEST(Subprocess, DestroyingARunningProcessKillsIt) {
  pid_t pid;
  {
    Process p(shell("sleep 30"));
    pid = p.pid();
    ASSERT_GT(pid, 0);
  }
  EXPECT_NE(::kill(pid, 0), 0);  // killed and reaped
}
