// Huge-page backed buffers: large blocks are 2 MiB aligned and behave as ordinary
// storage; small ones come from the standard allocator; advising is always safe.
#include <causality/memory.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <numeric>
#include <vector>

using causality::memory::HugePageAllocator;

TEST_CASE("HugePageAllocator: large vectors are 2 MiB aligned and keep their contents", "[memory]") {
    std::vector<std::uint32_t, HugePageAllocator<std::uint32_t>> v(3u << 20);  // 12 MiB
    CHECK(reinterpret_cast<std::uintptr_t>(v.data()) % causality::memory::huge_page_bytes == 0);
    std::iota(v.begin(), v.end(), 7u);
    auto w = v;  // copy through the allocator
    w.push_back(1);  // reallocation moves into another large block
    REQUIRE(w.size() == v.size() + 1);
    CHECK(w[0] == 7u);
    CHECK(w[v.size() - 1] == static_cast<std::uint32_t>(7u + v.size() - 1));
    CHECK(w.back() == 1u);
}

TEST_CASE("HugePageAllocator: small blocks and edge sizes", "[memory]") {
    std::vector<int, HugePageAllocator<int>> small{1, 2, 3};
    small.resize(1000, 9);
    CHECK(small[2] == 3);
    CHECK(small[999] == 9);
    HugePageAllocator<double> a;
    CHECK_THROWS_AS(a.allocate(std::size_t(-1) / 4), std::bad_array_new_length);
    CHECK(a == HugePageAllocator<int>{});
}

TEST_CASE("advise_huge_pages accepts any range", "[memory]") {
    causality::memory::advise_huge_pages(nullptr, 1u << 30);  // null: nothing to do
    std::vector<char> buffer(5u << 20, 'x');
    causality::memory::advise_huge_pages(buffer.data() + 1, buffer.size() - 1);  // unaligned interior
    causality::memory::advise_huge_pages(buffer.data(), 100);                       // below the threshold
    CHECK(buffer[12345] == 'x');
}
