#include "util/progress.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include "util/term.hpp"
#include <cstdint>

namespace gpuenv {

ProgressLine::Mode ProgressLine::mode_for(int fd) {
  if (::isatty(fd) != 1) return Mode::Quiet;
  return should_color(fd) ? Mode::InPlace : Mode::Lines;
}

ProgressLine::ProgressLine(Mode mode, std::FILE* out, std::chrono::milliseconds delay)
    : mode_(mode), out_(out), delay_(delay), start_(std::chrono::steady_clock::now()) {}

ProgressLine::~ProgressLine() {
  std::lock_guard<std::mutex> g(mu_);
  erase_locked();
}

void ProgressLine::erase_locked() {
  if (mode_ == Mode::InPlace && shown_) {
    std::fputs("\r\033[K", out_);
    std::fflush(out_);
  }
  shown_ = false;
}

void ProgressLine::say(const std::string& msg) {
  if (mode_ == Mode::Quiet) return;
  std::lock_guard<std::mutex> g(mu_);
  erase_locked();
  std::fprintf(out_, "gpuenv: %s\n", msg.c_str());
  std::fflush(out_);
}

void ProgressLine::update(const std::string& msg) {
  if (mode_ == Mode::Quiet) return;
  auto now = std::chrono::steady_clock::now();
  if (now - start_ < delay_) return;
  std::lock_guard<std::mutex> g(mu_);
  auto every = mode_ == Mode::InPlace ? std::chrono::milliseconds(100) : std::chrono::milliseconds(2000);
  if (shown_ && now - last_ < every) return;
  last_ = now;
  shown_ = true;
  if (mode_ == Mode::InPlace) std::fprintf(out_, "\r\033[Kgpuenv: %s", msg.c_str());
  else std::fprintf(out_, "gpuenv: %s\n", msg.c_str());
  std::fflush(out_);
}

void ProgressLine::count(std::uint64_t bytes, const char* what) {
  auto n = files_.fetch_add(1) + 1;
  auto b = bytes_.fetch_add(bytes) + bytes;
  if (mode_ == Mode::Quiet) return;
  update(fmt::format("{}: {} done, {:.1f} GB", what, n, double(b) / 1e9));
}

std::function<void(const std::string&)> ProgressLine::sayer() {
  return [this](const std::string& msg) { say(msg); };
}

}  // namespace gpuenv
