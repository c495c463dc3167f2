// causality/parallel.hpp — the library's one parallelism helper: a small persistent
// thread pool and parallel_for over index ranges.
//
// Why a pool of std::threads rather than OpenMP: it needs no compiler flag in users'
// builds, it works the same under the sanitizers, and the thread count can be changed at
// run time (tests run the same transform on 1 and on many threads and compare bits).
//
// Determinism: parallel_for splits [0, n) into contiguous chunks and every index is
// processed by exactly one call of the body; results never depend on which thread ran a
// chunk as long as the body writes only to its own indices (every caller in the library
// does; reductions combine per-chunk results in chunk order).
//
// Thread count: CAUSALITY_NUM_THREADS in the environment, else the hardware concurrency;
// set_num_threads(n) changes it. A parallel_for nested inside another runs serially.
#pragma once

#include <causality/error.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace causality::parallel {

class ThreadPool {
public:
    // A pool that runs work on `threads` threads in all: the caller plus threads - 1 workers.
    explicit ThreadPool(unsigned threads) : threads_(std::max(1u, threads)) {
        for (unsigned i = 1; i < threads_; ++i) workers_.emplace_back([this] { work(); });
    }
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;
    ~ThreadPool() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (auto& w : workers_) w.join();
    }

    [[nodiscard]] unsigned size() const noexcept { return threads_; }

    // Calls body(begin, end) on disjoint contiguous chunks covering [0, n), each at least
    // min_chunk long (except the last), using up to size() threads; blocks until all are
    // done and rethrows the first exception a chunk threw.
    template <class Body>
    void for_each_chunk(std::size_t n, std::size_t min_chunk, Body&& body) {
        if (n == 0) return;
        min_chunk = std::max<std::size_t>(1, min_chunk);
        const std::size_t max_chunks = (n + min_chunk - 1) / min_chunk;
        const std::size_t chunks = std::min<std::size_t>(threads_, max_chunks);
        if (chunks <= 1 || in_worker()) {
            body(std::size_t{0}, n);
            return;
        }
        struct Join {
            std::mutex m;
            std::condition_variable done;
            std::size_t pending;
            std::exception_ptr error;
        };
        auto join = std::make_shared<Join>();
        join->pending = chunks - 1;
        const auto bounds = [&](std::size_t c) { return c * n / chunks; };
        {
            std::lock_guard lock(mutex_);
            for (std::size_t c = 1; c < chunks; ++c) {
                tasks_.emplace_back([join, &body, b = bounds(c), e = bounds(c + 1)] {
                    try {
                        body(b, e);
                    } catch (...) {
                        std::lock_guard l(join->m);
                        if (!join->error) join->error = std::current_exception();
                    }
                    std::lock_guard l(join->m);
                    if (--join->pending == 0) join->done.notify_one();
                });
            }
        }
        wake_.notify_all();
        std::exception_ptr own_error;
        {
            // Nested parallel_for calls in the caller's own chunk run serially, as in workers.
            const bool was_nested = in_worker();
            in_worker() = true;
            try {
                body(std::size_t{0}, bounds(1));
            } catch (...) {
                own_error = std::current_exception();
            }
            in_worker() = was_nested;
        }
        std::unique_lock l(join->m);
        join->done.wait(l, [&] { return join->pending == 0; });
        if (own_error) std::rethrow_exception(own_error);
        if (join->error) std::rethrow_exception(join->error);
    }

private:
    static bool& in_worker() {
        thread_local bool flag = false;
        return flag;
    }
    void work() {
        in_worker() = true;
        for (;;) {
            std::function<void()> task;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
                if (tasks_.empty()) return;  // stopping and drained
                task = std::move(tasks_.front());
                tasks_.pop_front();
            }
            task();
        }
    }

    unsigned threads_;
    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> tasks_;
    bool stopping_ = false;
};

namespace detail {

inline unsigned default_thread_count() {
    if (const char* env = std::getenv("CAUSALITY_NUM_THREADS")) {
        char* end = nullptr;
        const unsigned long v = std::strtoul(env, &end, 10);
        if (end != env && *end == '\0' && v >= 1 && v <= 4096) return static_cast<unsigned>(v);
    }
    return std::max(1u, std::thread::hardware_concurrency());
}

struct PoolHolder {
    std::mutex m;
    std::shared_ptr<ThreadPool> pool;
};

inline PoolHolder& pool_holder() {
    static PoolHolder holder;
    return holder;
}

}  // namespace detail

// The pool parallel_for uses; created on first use.
inline std::shared_ptr<ThreadPool> default_pool() {
    auto& h = detail::pool_holder();
    std::lock_guard lock(h.m);
    if (!h.pool) h.pool = std::make_shared<ThreadPool>(detail::default_thread_count());
    return h.pool;
}

inline unsigned num_threads() { return default_pool()->size(); }

// Replaces the default pool; calls already running finish on the old one.
inline void set_num_threads(unsigned threads) {
    if (threads == 0)
        throw Error(ErrorCode::invalid_argument, "set_num_threads(0): at least one thread is needed");
    auto& h = detail::pool_holder();
    std::lock_guard lock(h.m);
    h.pool = std::make_shared<ThreadPool>(threads);
}

// parallel_for(n, min_chunk, body): body(begin, end) over chunks of [0, n).
template <class Body>
void parallel_for(std::size_t n, std::size_t min_chunk, Body&& body) {
    default_pool()->for_each_chunk(n, min_chunk, std::forward<Body>(body));
}

// Sets the thread count for a scope and restores the previous one (tests, benchmarks).
class ScopedThreadCount {
public:
    explicit ScopedThreadCount(unsigned threads) : previous_(num_threads()) { set_num_threads(threads); }
    ~ScopedThreadCount() { set_num_threads(previous_); }
    ScopedThreadCount(const ScopedThreadCount&) = delete;
    ScopedThreadCount& operator=(const ScopedThreadCount&) = delete;

private:
    unsigned previous_;
};

}  // namespace causality::parallel
