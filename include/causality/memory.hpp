// causality/memory.hpp — large buffers backed by transparent huge pages.
//
// The prover's buffers (LDE matrices, Merkle layers) are tens of MiB to GiB and are
// written once right after allocation. With 4 KiB pages every first write takes a page
// fault; on the virtual machines we measure on that costs about 1.1 ms per MiB, as much as
// hashing the data. Linux backs a range with 2 MiB pages when asked (MADV_HUGEPAGE, the
// default `madvise` policy of most distributions), which makes those faults ~500 times
// rarer. Elsewhere, and when the kernel refuses, these are plain allocations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace causality::memory {

inline constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;
// Buffers from this size on are worth huge pages.
inline constexpr std::size_t huge_page_threshold = 2 * huge_page_bytes;

// Asks the kernel to back the whole 2 MiB-aligned pages inside [p, p + bytes) with huge
// pages. Call it before the first write. Advisory: never fails, no-op off Linux.
inline void advise_huge_pages(void* p, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (p == nullptr || bytes < huge_page_threshold) return;
    const auto begin = reinterpret_cast<std::uintptr_t>(p);
    const std::uintptr_t first = (begin + huge_page_bytes - 1) & ~(huge_page_bytes - 1);
    const std::uintptr_t last = (begin + bytes) & ~(huge_page_bytes - 1);
    if (last > first) (void)::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

// A standard allocator whose large blocks are 2 MiB aligned and advised to huge pages.
template <class T>
struct HugePageAllocator {
    using value_type = T;

    HugePageAllocator() noexcept = default;
    template <class U>
    HugePageAllocator(const HugePageAllocator<U>&) noexcept {}  // NOLINT: rebinding is implicit

    [[nodiscard]] T* allocate(std::size_t n) {
        if (n > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_array_new_length();
        const std::size_t bytes = n * sizeof(T);
        if (bytes < huge_page_threshold) return std::allocator<T>{}.allocate(n);
        const std::size_t rounded = (bytes + huge_page_bytes - 1) & ~(huge_page_bytes - 1);
        void* p = ::operator new(rounded, std::align_val_t{huge_page_bytes});
        advise_huge_pages(p, rounded);
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t n) noexcept {
        if (n * sizeof(T) < huge_page_threshold)
            std::allocator<T>{}.deallocate(p, n);
        else
            ::operator delete(p, std::align_val_t{huge_page_bytes});
    }

    template <class U>
    friend bool operator==(const HugePageAllocator&, const HugePageAllocator<U>&) noexcept {
        return true;
    }
};

}  // namespace causality::memory
