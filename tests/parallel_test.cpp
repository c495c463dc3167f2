// The thread pool: coverage of every index exactly once, exceptions, nesting.
#include <causality/parallel.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <vector>

using namespace causality::parallel;

TEST_CASE("parallel_for visits every index exactly once in contiguous chunks", "[parallel]") {
    for (unsigned threads : {1u, 2u, 3u, 8u}) {
        ThreadPool pool(threads);
        CHECK(pool.size() == threads);
        for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{1000}, std::size_t{4097}})
            for (std::size_t grain : {std::size_t{1}, std::size_t{64}, std::size_t{10000}}) {
                std::vector<std::atomic<int>> hits(n);
                std::atomic<std::size_t> chunks{0};
                pool.for_each_chunk(n, grain, [&](std::size_t b, std::size_t e) {
                    REQUIRE(b < e);
                    ++chunks;
                    for (std::size_t i = b; i < e; ++i) ++hits[i];
                });
                for (auto& h : hits) REQUIRE(h == 1);
                CHECK(chunks <= threads);
            }
    }
}

TEST_CASE("an exception in any chunk reaches the caller after all chunks finish", "[parallel]") {
    ThreadPool pool(3);
    std::atomic<int> finished{0};
    CHECK_THROWS_WITH(pool.for_each_chunk(300, 1,
                                          [&](std::size_t b, std::size_t) {
                                              if (b >= 100) throw std::runtime_error("chunk failed");
                                              ++finished;
                                          }),
                      "chunk failed");
    CHECK(finished == 1);
    // The pool still works afterwards.
    std::atomic<int> sum{0};
    pool.for_each_chunk(10, 1, [&](std::size_t b, std::size_t e) { sum += static_cast<int>(e - b); });
    CHECK(sum == 10);
}

TEST_CASE("nested parallel_for runs and the thread count can be changed", "[parallel]") {
    ScopedThreadCount scope(2);
    CHECK(num_threads() == 2);
    std::atomic<int> inner{0};
    parallel_for(4, 1, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i)
            parallel_for(10, 1, [&](std::size_t ib, std::size_t ie) { inner += static_cast<int>(ie - ib); });
    });
    CHECK(inner == 40);
    CHECK_THROWS_AS(set_num_threads(0), causality::Error);
}
