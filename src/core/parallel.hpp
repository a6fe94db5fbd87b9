#pragma once
// Splitting a batch of rows over threads. Each row is computed by exactly one thread with
// the same code, so results do not depend on the thread count.

#include <cstddef>
#include <functional>

namespace riskkit::detail {

/// Threads a batch call may use: `nthread` if positive, else all cores.
unsigned resolve_threads(int nthread) noexcept;

/// Calls `work(begin, end)` over contiguous chunks covering [0, n), on up to
/// resolve_threads(nthread) threads, each taking at least `min_chunk` rows; the calling
/// thread takes the first chunk, so a small batch never starts a thread. An exception in
/// any chunk is rethrown on the calling thread after all threads finish.
void for_each_chunk(std::size_t n, int nthread, std::size_t min_chunk,
                    const std::function<void(std::size_t, std::size_t)> &work);

}  // namespace riskkit::detail
