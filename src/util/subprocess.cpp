#include "util/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <utility>

namespace gpuenv {

double monotonic_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

namespace {

// How often a child is looked at when its pipes say nothing: one that exited while a descendant holds its
// pipes, and one whose pipes closed just before its exit became visible.
constexpr double kExitTickMs = 50, kClosedTickMs = 1;

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// In the child: defaults for the signals a crash or a closed pipe raise, and nothing blocked.
void default_signals() {
  for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGPIPE}) ::signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

void to_devnull(std::initializer_list<int> fds) {
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) return;
  for (int fd : fds) ::dup2(devnull, fd);
}

struct Pipe {
  int r = -1, w = -1;
  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    r = fds[0];
    w = fds[1];
    return true;
  }
  void close_both() {
    close_fd(r);
    close_fd(w);
  }
};

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

Process::Process(const ProcessSpec& spec) : spec_(spec) {
  start_ms_ = monotonic_ms();
  if (spec_.argv.empty() && !spec_.function) {
    result_.start_error = "nothing to run";
    return;
  }
  const bool exec = !spec_.function;
  const bool want_err = exec && spec_.stderr_mode == ProcessSpec::Stderr::Collect;
  Pipe out, err, status;  // status: an exec'd child's errno when exec fails (closed by a successful exec)
  if (!out.open() || (want_err && !err.open()) || (exec && !status.open())) {
    result_.start_error = std::string("cannot create a pipe: ") + std::strerror(errno);
    out.close_both();
    err.close_both();
    status.close_both();
    return;
  }
  // Everything the child needs is prepared before fork: after it, only system calls.
  std::vector<std::string> argv = spec_.argv, env = spec_.env.value_or(std::vector<std::string>{});
  auto cargv = c_strings(argv), cenv = c_strings(env);
  ::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    result_.start_error = std::string("cannot fork: ") + std::strerror(errno);
    out.close_both();
    err.close_both();
    status.close_both();
    return;
  }
  if (pid == 0) {
    if (spec_.new_group) ::setpgid(0, 0);
    default_signals();
    if (!exec) {
      ::close(out.r);
      to_devnull({0, 1, 2});
      ::_exit(spec_.function(out.w));
    }
    to_devnull({0});
    ::dup2(out.w, 1);
    if (spec_.stderr_mode == ProcessSpec::Stderr::Merge) ::dup2(out.w, 2);
    else if (want_err) ::dup2(err.w, 2);
    else to_devnull({2});
    if (spec_.cwd.empty() || ::chdir(spec_.cwd.c_str()) == 0) {
      if (spec_.env && spec_.search_path) ::execvpe(cargv[0], cargv.data(), cenv.data());
      else if (spec_.env) ::execve(cargv[0], cargv.data(), cenv.data());
      else if (spec_.search_path) ::execvp(cargv[0], cargv.data());
      else ::execv(cargv[0], cargv.data());
    }
    int e = errno;
    (void)!::write(status.w, &e, sizeof e);
    ::_exit(127);
  }
  if (spec_.new_group) ::setpgid(pid, pid);  // also from here, so the group exists before any kill
  close_fd(out.w);
  close_fd(err.w);
  close_fd(status.w);
  if (status.r >= 0) {
    // Blocks until the exec happened (the pipe closes) or failed (errno arrives): a fraction of a millisecond.
    int e = 0;
    ssize_t n;
    while ((n = ::read(status.r, &e, sizeof e)) < 0 && errno == EINTR) {
    }
    if (n == ssize_t(sizeof e))
      result_.exec_error = "cannot execute " + spec_.argv[0] + ": " + std::strerror(e);
    close_fd(status.r);
  }
  pid_ = pid;
  fd_[0] = out.r;
  fd_[1] = err.r;
  for (int fd : fd_)
    if (fd >= 0) ::fcntl(fd, F_SETFL, O_NONBLOCK);
  done_ = false;
}

Process::Process(Process&& o) noexcept { *this = std::move(o); }

Process& Process::operator=(Process&& o) noexcept {
  if (this == &o) return *this;
  kill_if_running();
  spec_ = std::move(o.spec_);
  pid_ = std::exchange(o.pid_, -1);
  fd_[0] = std::exchange(o.fd_[0], -1);
  fd_[1] = std::exchange(o.fd_[1], -1);
  done_ = std::exchange(o.done_, true);
  exited_ = o.exited_;
  stop_asked_ = o.stop_asked_;
  start_ms_ = o.start_ms_;
  exited_ms_ = o.exited_ms_;
  partial_ = std::move(o.partial_);
  result_ = std::move(o.result_);
  return *this;
}

Process::~Process() { kill_if_running(); }

void Process::kill_if_running() {
  if (done_) return;
  ::kill(spec_.new_group ? -pid_ : pid_, SIGKILL);
  if (!exited_) reap(true);
  close_fds();
  done_ = true;
}

void Process::close_fds() {
  close_fd(fd_[0]);
  close_fd(fd_[1]);
}

void Process::deliver(std::string_view data) {
  if (result_.out.size() < spec_.stdout_keep)
    result_.out.append(data.substr(0, spec_.stdout_keep - result_.out.size()));
  if (!spec_.on_line || stop_asked_) return;
  partial_.append(data);
  size_t start = 0;
  for (size_t nl; !stop_asked_ && (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1)
    stop_asked_ = spec_.on_line(std::string_view(partial_).substr(start, nl - start)) == LineAction::Stop;
  partial_.erase(0, start);
}

// Reads what is there (a bounded amount, so one chatty child cannot starve the others).
void Process::read_ready(int which) {
  char buf[65536];
  for (int rounds = 0; fd_[which] >= 0 && rounds < 16; ++rounds) {
    ssize_t n = ::read(fd_[which], buf, sizeof buf);
    if (n > 0) {
      if (which == 0) {
        deliver(std::string_view(buf, size_t(n)));
      } else {
        result_.err.append(buf, size_t(n));
        if (result_.err.size() / 2 > spec_.stderr_keep)
          result_.err.erase(0, result_.err.size() - spec_.stderr_keep);
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    close_fd(fd_[which]);  // end of file, or an error
    if (which == 0 && !partial_.empty() && spec_.on_line && !stop_asked_) {
      stop_asked_ = spec_.on_line(partial_) == LineAction::Stop;
      partial_.clear();
    }
  }
}

void Process::finish_pipes() {
  for (int i = 0; i < 2; ++i)
    if (fd_[i] >= 0) read_ready(i);
  close_fds();
}

void Process::reap(bool block) {
  int status = 0;
  pid_t w;
  while ((w = ::waitpid(pid_, &status, block ? 0 : WNOHANG)) < 0 && errno == EINTR) {
  }
  if (w != pid_) return;
  exited_ = true;
  exited_ms_ = monotonic_ms();
  if (WIFEXITED(status)) result_.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result_.signal = WTERMSIG(status);
}

void Process::end(double now_ms) {
  finish_pipes();
  // Whatever the child left running in its group goes too.
  if (spec_.new_group) ::kill(-pid_, SIGKILL);
  result_.elapsed_ms = now_ms - start_ms_;
  done_ = true;
}

void Process::end_timeout(double now_ms) {
  for (int i = 0; i < 2; ++i)
    if (fd_[i] >= 0) read_ready(i);
  if (spec_.new_group) ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  reap(true);
  result_.timed_out = true;
  end(now_ms);
}

void Process::stop_now(double now_ms) {
  ::kill(spec_.new_group ? -pid_ : pid_, SIGKILL);
  reap(false);  // usually still exiting: left to the kernel, not waited for
  result_.exit_code = -1;
  result_.signal = 0;
  result_.stopped_early = true;
  close_fds();
  result_.elapsed_ms = now_ms - start_ms_;
  done_ = true;
}

void wait_all(std::initializer_list<Process*> procs, double slow_after_ms, const std::function<void()>& on_slow) {
  double first_start = -1;
  for (auto* p : procs)
    if (!p->done_ && (first_start < 0 || p->start_ms_ < first_start)) first_start = p->start_ms_;
  bool slow_told = !on_slow || slow_after_ms <= 0;
  while (true) {
    double now = monotonic_ms();
    double wait_ms = -1;  // -1: until a pipe speaks
    auto at_most = [&](double ms) { wait_ms = wait_ms < 0 ? std::max(0.0, ms) : std::min(wait_ms, std::max(0.0, ms)); };
    std::vector<pollfd> fds;
    std::vector<std::pair<Process*, int>> who;
    for (auto* p : procs) {
      if (p->done_) continue;
      if (p->stop_asked_) {
        p->stop_now(now);
        continue;
      }
      if (!p->exited_) p->reap(false);
      bool open = p->fd_[0] >= 0 || p->fd_[1] >= 0;
      if (p->exited_ && (!open || now - p->exited_ms_ >= p->spec_.linger_ms)) {
        p->end(now);
        continue;
      }
      if (!p->exited_ && std::isfinite(p->spec_.timeout_s) && now - p->start_ms_ >= p->spec_.timeout_s * 1000) {
        p->end_timeout(now);
        continue;
      }
      if (std::isfinite(p->spec_.timeout_s)) at_most(p->start_ms_ + p->spec_.timeout_s * 1000 - now);
      if (p->exited_) at_most(p->exited_ms_ + p->spec_.linger_ms - now);
      else at_most(open ? kExitTickMs : kClosedTickMs);
      for (int i = 0; i < 2; ++i)
        if (p->fd_[i] >= 0) {
          fds.push_back({p->fd_[i], POLLIN, 0});
          who.emplace_back(p, i);
        }
    }
    bool running = false;
    for (auto* p : procs) running = running || !p->done_;
    if (!running) return;
    if (!slow_told) {
      double until = first_start + slow_after_ms - now;
      if (until <= 0) {
        slow_told = true;
        on_slow();
        continue;
      }
      at_most(until);
    }
    int timeout = wait_ms < 0 ? -1 : int(wait_ms) + (wait_ms > int(wait_ms) ? 1 : 0);
    int r = ::poll(fds.data(), nfds_t(fds.size()), timeout);
    if (r < 0 && errno != EINTR) return;
    for (size_t k = 0; r > 0 && k < fds.size(); ++k)
      if (fds[k].revents) who[k].first->read_ready(who[k].second);
  }
}

ProcessResult run_process(const ProcessSpec& spec, double slow_after_ms, const std::function<void()>& on_slow) {
  Process p(spec);
  wait_all({&p}, slow_after_ms, on_slow);
  return std::move(p.result());
}

}  // namespace gpuenv
