#include "core/parallel.hpp"

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

namespace riskkit::detail {

unsigned resolve_threads(int nthread) noexcept {
  if (nthread > 0) return static_cast<unsigned>(nthread);
  return std::max(1u, std::thread::hardware_concurrency());
}

void for_each_chunk(std::size_t n, int nthread, std::size_t min_chunk,
                    const std::function<void(std::size_t, std::size_t)> &work) {
  const std::size_t by_size = std::max<std::size_t>(1, n / std::max<std::size_t>(1, min_chunk));
  const std::size_t chunks = std::min<std::size_t>(resolve_threads(nthread), by_size);
  if (chunks <= 1) {
    if (n > 0) work(0, n);
    return;
  }
  const std::size_t step = (n + chunks - 1) / chunks;
  std::vector<std::exception_ptr> errors(chunks);
  std::vector<std::thread> threads;
  threads.reserve(chunks - 1);
  const auto run = [&](std::size_t c) {
    try {
      work(c * step, std::min(n, (c + 1) * step));
    } catch (...) {
      errors[c] = std::current_exception();
    }
  };
  for (std::size_t c = 1; c < chunks && c * step < n; ++c) threads.emplace_back(run, c);
  run(0);
  for (auto &t : threads) t.join();
  for (const auto &e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace riskkit::detail
