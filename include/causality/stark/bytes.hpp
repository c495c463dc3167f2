// causality/stark/bytes.hpp — little-endian byte writing and bounds-checked reading for
// proof formats. The reader throws Error(malformed_input) naming the offset and what was
// being read when the bytes run out, and checks declared counts against the bytes that
// remain before anything is allocated.
#pragma once

#include <causality/error.hpp>
#include <causality/field/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace causality::stark {

class ByteWriter {
public:
    void u32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    template <class F>
    void element(const F& x) {
        const auto b = field::to_bytes(x);
        bytes_.insert(bytes_.end(), b.begin(), b.end());
    }
    void raw(std::span<const std::uint8_t> b) { bytes_.insert(bytes_.end(), b.begin(), b.end()); }
    [[nodiscard]] std::vector<std::uint8_t> take() && { return std::move(bytes_); }
    [[nodiscard]] const std::vector<std::uint8_t>& bytes() const noexcept { return bytes_; }

private:
    std::vector<std::uint8_t> bytes_;
};

class ByteReader {
public:
    explicit ByteReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

    std::span<const std::uint8_t> take(std::size_t n, const char* what) {
        if (n > remaining())
            throw Error(ErrorCode::malformed_input, std::string("truncated input: ") + what + " needs " +
                                                        std::to_string(n) + " bytes at offset " +
                                                        std::to_string(pos_) + ", " +
                                                        std::to_string(remaining()) + " remain");
        const auto s = bytes_.subspan(pos_, n);
        pos_ += n;
        return s;
    }
    std::uint32_t u32(const char* what) {
        const auto b = take(4, what);
        return static_cast<std::uint32_t>(b[0]) | static_cast<std::uint32_t>(b[1]) << 8 |
               static_cast<std::uint32_t>(b[2]) << 16 | static_cast<std::uint32_t>(b[3]) << 24;
    }
    // A count of items of at least `min_item_bytes` each: rejected before allocation when
    // the remaining bytes cannot hold that many.
    std::size_t count(std::size_t min_item_bytes, const char* what) {
        const std::size_t n = u32(what);
        if (min_item_bytes != 0 && n > remaining() / min_item_bytes)
            throw Error(ErrorCode::malformed_input, std::string(what) + ": " + std::to_string(n) +
                                                        " items cannot fit in the " +
                                                        std::to_string(remaining()) + " remaining bytes");
        return n;
    }
    template <class F>
    F element(const char* what, std::size_t index) {
        return field::from_bytes<F>(take(F::encoded_size, what), index);
    }
    [[nodiscard]] std::size_t remaining() const noexcept { return bytes_.size() - pos_; }
    [[nodiscard]] std::size_t position() const noexcept { return pos_; }
    void expect_end(const char* what) const {
        if (remaining() != 0)
            throw Error(ErrorCode::malformed_input, std::to_string(remaining()) + " unexpected bytes after " + what);
    }

private:
    std::span<const std::uint8_t> bytes_;
    std::size_t pos_ = 0;
};

}  // namespace causality::stark
