// causality/field/serialize.hpp — the canonical byte encoding of field elements.
//
// A prime-field element is its canonical value in F::encoded_size little-endian bytes
// (4 for the 31-bit fields, 8 for Goldilocks); an extension element is its coefficients
// in order. Decoding rejects wrong lengths (Error(invalid_size)) and values that are not
// below the modulus (Error(out_of_range)), naming the element.
#pragma once

#include <causality/error.hpp>
#include <causality/field/concepts.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace causality::field {

namespace detail {

template <PrimeField F>
void encode_prime(const F& x, std::uint8_t* out) {
    const std::uint64_t v = x.to_u64();
    for (std::size_t i = 0; i < F::encoded_size; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

template <PrimeField F>
F decode_prime(const std::uint8_t* in, std::size_t index) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < F::encoded_size; ++i) v |= static_cast<std::uint64_t>(in[i]) << (8 * i);
    if (v >= F::modulus)
        throw Error(ErrorCode::out_of_range, "field element " + std::to_string(index) + " has value " +
                                                 std::to_string(v) + ", not below the modulus " +
                                                 std::to_string(static_cast<std::uint64_t>(F::modulus)));
    return F::from_u64(v);
}

}  // namespace detail

template <class F>
concept Encodable = (PrimeField<F> || ExtensionField<F>) && requires { F::encoded_size; };

template <Encodable F>
void write_bytes(const F& x, std::span<std::uint8_t, F::encoded_size> out) {
    if constexpr (PrimeField<F>) {
        detail::encode_prime(x, out.data());
    } else {
        using B = typename F::base_field;
        for (std::size_t k = 0; k < F::degree; ++k) detail::encode_prime(x[k], out.data() + k * B::encoded_size);
    }
}

template <Encodable F>
std::array<std::uint8_t, F::encoded_size> to_bytes(const F& x) {
    std::array<std::uint8_t, F::encoded_size> out;
    write_bytes(x, std::span<std::uint8_t, F::encoded_size>(out));
    return out;
}

// Decodes exactly one element; `index` only labels error messages.
template <Encodable F>
F from_bytes(std::span<const std::uint8_t> bytes, std::size_t index = 0) {
    if (bytes.size() != F::encoded_size)
        throw Error(ErrorCode::invalid_size, "field element " + std::to_string(index) + " needs " +
                                                 std::to_string(F::encoded_size) + " bytes, got " +
                                                 std::to_string(bytes.size()));
    if constexpr (PrimeField<F>) {
        return detail::decode_prime<F>(bytes.data(), index);
    } else {
        using B = typename F::base_field;
        std::array<B, F::degree> coeffs;
        for (std::size_t k = 0; k < F::degree; ++k)
            coeffs[k] = detail::decode_prime<B>(bytes.data() + k * B::encoded_size, index);
        return F(coeffs);
    }
}

template <Encodable F>
std::vector<std::uint8_t> serialize(std::span<const F> values) {
    std::vector<std::uint8_t> out(values.size() * F::encoded_size);
    for (std::size_t i = 0; i < values.size(); ++i)
        write_bytes(values[i], std::span<std::uint8_t, F::encoded_size>(out.data() + i * F::encoded_size, F::encoded_size));
    return out;
}

template <Encodable F>
std::vector<F> deserialize(std::span<const std::uint8_t> bytes) {
    if (bytes.size() % F::encoded_size != 0)
        throw Error(ErrorCode::invalid_size, std::to_string(bytes.size()) +
                                                 " bytes are not a whole number of " +
                                                 std::to_string(F::encoded_size) + "-byte field elements");
    std::vector<F> out;
    out.reserve(bytes.size() / F::encoded_size);
    for (std::size_t i = 0; i < bytes.size() / F::encoded_size; ++i)
        out.push_back(from_bytes<F>(bytes.subspan(i * F::encoded_size, F::encoded_size), i));
    return out;
}

}  // namespace causality::field
