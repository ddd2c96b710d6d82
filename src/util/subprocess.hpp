#pragma once
// Child processes: an exec'd program (argv, environment, working directory) or a function run in a forked
// child, with a timeout after which the child (its process group, by default) is killed with SIGKILL.
// Stdout arrives as a stream of lines (a callback per line) and/or collected; stderr is collected,
// merged into stdout or discarded. Several children run at once: start each (Process), then wait_all.
//
//   Process p(spec);                  // forked now
//   ... other work ...
//   wait_all({&p});                   // or run_process(spec) for start-and-wait
//   p.result().exit_code
#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gpuenv {

// What the line callback wants next.
enum class LineAction {
  Continue,
  // Everything needed has arrived: the child is killed at once and its exit is not waited for (a driver
  // tearing down its context can take tens of milliseconds). Result::stopped_early tells.
  Stop,
};

struct ProcessSpec {
  // The program and its arguments. argv[0] is a path unless search_path (then looked up on PATH).
  std::vector<std::string> argv;
  bool search_path = false;
  std::optional<std::vector<std::string>> env;  // "NAME=value" entries; nullopt: gpuenv's own environment
  std::string cwd;                              // "": gpuenv's
  // Instead of argv: a function run in the forked child. It writes its stream to out_fd (the child's
  // stdin, stdout and stderr are /dev/null: libraries that print cannot mix into the stream); its return
  // value is the exit code. Crash signals are back to their defaults, so a crash shows as a signal.
  std::function<int(int out_fd)> function;

  // Its own process group (killed as a group on timeout, and whatever is left of the group once the child
  // has exited). Without it, the child stays in gpuenv's group, so a Ctrl-C on the terminal reaches it too.
  bool new_group = true;
  double timeout_s = std::numeric_limits<double>::infinity();  // counted from the start

  enum class Stderr { Collect, Merge, Discard };
  Stderr stderr_mode = Stderr::Collect;  // Merge: into the stdout stream (exec'd programs only)
  // Called with each line of stdout (without its newline; a last unterminated line too).
  std::function<LineAction(std::string_view line)> on_line;
  std::size_t stdout_keep = std::numeric_limits<std::size_t>::max();  // the first bytes of stdout kept in out
  std::size_t stderr_keep = std::numeric_limits<std::size_t>::max();  // at least the last bytes kept in err
  // A child that exited while something it started still holds its pipes: how long to read on.
  double linger_ms = 200;
};

struct ProcessResult {
  std::string start_error;  // "cannot fork: ...": the child never ran
  std::string exec_error;   // "cannot execute PATH: No such file or directory" (exit code 127)
  int exit_code = -1;       // when it exited by itself
  int signal = 0;           // the signal that ended it (SIGKILL after a timeout)
  bool timed_out = false;
  bool stopped_early = false;  // the line callback said Stop; exit_code and signal unknown
  double elapsed_ms = 0;       // from the start until it was done
  std::string out, err;

  bool started() const { return start_error.empty(); }
};

class Process {
 public:
  Process() = default;
  explicit Process(const ProcessSpec& spec);  // starts it
  Process(Process&& o) noexcept;
  Process& operator=(Process&& o) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  // A child still running is killed and reaped (one stopped early is only killed).
  ~Process();

  bool done() const { return done_; }
  pid_t pid() const { return pid_; }
  const ProcessResult& result() const { return result_; }
  ProcessResult& result() { return result_; }

 private:
  friend void wait_all(std::initializer_list<Process*>, double, const std::function<void()>&);
  void read_ready(int which);
  void deliver(std::string_view data);
  void finish_pipes();
  void reap(bool block);
  void end(double now_ms);
  void end_timeout(double now_ms);
  void stop_now(double now_ms);
  void close_fds();
  void kill_if_running();

  ProcessSpec spec_;
  pid_t pid_ = -1;
  int fd_[2] = {-1, -1};  // stdout (or the function's stream), stderr
  bool done_ = true;
  bool exited_ = false;
  bool stop_asked_ = false;
  double start_ms_ = 0, exited_ms_ = 0;
  std::string partial_;  // an incomplete line
  ProcessResult result_;
};

// Waits until every process is done: exited (with its pipes closed, or after linger_ms), timed out and
// killed, or stopped by its line callback. `on_slow` is called once when some are still running
// `slow_after_ms` after the earliest start (0: never).
void wait_all(std::initializer_list<Process*> procs, double slow_after_ms = 0,
              const std::function<void()>& on_slow = {});

// Start and wait for one.
ProcessResult run_process(const ProcessSpec& spec, double slow_after_ms = 0,
                          const std::function<void()>& on_slow = {});

double monotonic_ms();

}  // namespace gpuenv
