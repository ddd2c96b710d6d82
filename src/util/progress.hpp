#pragma once
// Progress of long work (the driver keeping us waiting, doctor --deep imports, lock's hashing) on stderr, the
// one mechanism every command uses: nothing unless stderr is a terminal; on a terminal the running status is
// rewritten in place (carriage return, erase line), except with NO_COLOR or TERM=dumb, where no escape sequence
// is written and the status comes as plain lines, at most one every two seconds.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>

namespace gpuenv {

class ProgressLine {
 public:
  enum class Mode { Quiet, Lines, InPlace };
  // Quiet unless `fd` is a terminal; Lines when should_color(fd) says no (NO_COLOR, TERM=dumb); else InPlace.
  static Mode mode_for(int fd);

  explicit ProgressLine(Mode mode = mode_for(2), std::FILE* out = stderr,
                        std::chrono::milliseconds delay = std::chrono::seconds(1));
  ~ProgressLine();  // erases a status left in place
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // A message that stays: "gpuenv: MSG\n" (any status in place is erased first).
  void say(const std::string& msg);
  // The running status, once `delay` has passed since construction; throttled. Thread-safe.
  void update(const std::string& msg);
  // One more file of `bytes` done: "gpuenv: WHAT: N done, X.Y GB" through update. Thread-safe.
  void count(std::uint64_t bytes, const char* what);
  // say() as a callback (DoctorInputs::on_progress, SnapshotOptions::on_slow); valid while this object lives.
  std::function<void(const std::string&)> sayer();

 private:
  void erase_locked();
  Mode mode_;
  std::FILE* out_;
  std::chrono::milliseconds delay_;
  std::chrono::steady_clock::time_point start_, last_;
  std::mutex mu_;
  bool shown_ = false;  // a status is in place (InPlace) or one was printed (Lines)
  std::atomic<std::size_t> files_{0};
  std::atomic<std::uint64_t> bytes_{0};
};

}  // namespace gpuenv
