#pragma once
// Runs f(0) ... f(n-1) on up to `threads` threads (the calling one included), each index once.
// For independent I/O-bound work such as hashing many large files.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace gpuenv {

template <class F>
void parallel_for(std::size_t n, std::size_t threads, F&& f) {
  threads = std::max<std::size_t>(1, std::min(threads, n));
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < n;) f(i);
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

// The hardware's threads, at most `cap` (1 when unknown).
inline std::size_t worker_count(std::size_t cap) {
  auto hw = std::thread::hardware_concurrency();
  return std::max<std::size_t>(1, std::min<std::size_t>(hw ? hw : 1, cap));
}

}  // namespace gpuenv
