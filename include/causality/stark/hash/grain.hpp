// causality/stark/hash/grain.hpp — the Grain LFSR of the Poseidon paper (Appendix F),
// which derives round constants from the instance parameters alone.
//
// The 80-bit state starts as: field type (2 bits), S-box type (4), field size n (12),
// width t (12), full rounds (10), partial rounds (10), then 30 ones; the first 160 bits
// are discarded. Output bits come in pairs: when the first bit is 1 the second is
// emitted, otherwise both are dropped. A constant is n bits, most significant first,
// resampled while it is not below p. Poseidon2 instances take R_F * t + R_P constants,
// split as [initial full rounds (R_F/2 * t) | partial rounds (R_P) | final full rounds].
#pragma once

#include <causality/error.hpp>
#include <causality/field/concepts.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace causality::stark {

class GrainLfsr {
public:
    // field_type 1 = prime field; sbox_type 0 = x^alpha.
    GrainLfsr(unsigned field_type, unsigned sbox_type, unsigned field_bits, unsigned width,
              unsigned full_rounds, unsigned partial_rounds) {
        std::size_t pos = 0;
        const auto put = [&](std::uint64_t value, unsigned bits) {
            for (unsigned i = bits; i-- > 0;) state_[pos++] = static_cast<std::uint8_t>((value >> i) & 1);
        };
        put(field_type, 2);
        put(sbox_type, 4);
        put(field_bits, 12);
        put(width, 12);
        put(full_rounds, 10);
        put(partial_rounds, 10);
        while (pos < state_.size()) state_[pos++] = 1;
        for (int i = 0; i < 160; ++i) clock();
    }

    // The next output bit of the self-shrinking generator.
    bool next_bit() {
        for (;;) {
            const bool keep = clock();
            const bool bit = clock();
            if (keep) return bit;
        }
    }

    // `bits` output bits as an integer, most significant first.
    std::uint64_t next_bits(unsigned bits) {
        std::uint64_t v = 0;
        for (unsigned i = 0; i < bits; ++i) v = (v << 1) | static_cast<std::uint64_t>(next_bit());
        return v;
    }

    // The next field element by rejection sampling of bit_width(p - 1) bits.
    template <field::PrimeField F>
    F next_field_element() {
        const auto bits = static_cast<unsigned>(std::bit_width(static_cast<std::uint64_t>(F::modulus) - 1));
        for (;;) {
            const std::uint64_t v = next_bits(bits);
            if (v < F::modulus) return F::from_u64(v);
        }
    }

private:
    // b_{i+80} = b_{i+62} + b_{i+51} + b_{i+38} + b_{i+23} + b_{i+13} + b_i.
    bool clock() {
        const std::uint8_t bit = state_[(head_ + 62) % 80] ^ state_[(head_ + 51) % 80] ^ state_[(head_ + 38) % 80] ^
                                 state_[(head_ + 23) % 80] ^ state_[(head_ + 13) % 80] ^ state_[head_];
        state_[head_] = bit;
        head_ = (head_ + 1) % 80;
        return bit != 0;
    }

    std::array<std::uint8_t, 80> state_{};
    std::size_t head_ = 0;
};

// The Poseidon2 round constants of an instance, in the order the rounds use them.
template <field::PrimeField F>
struct Poseidon2Constants {
    std::vector<std::vector<F>> initial;   // full_rounds / 2 rows of `width`
    std::vector<F> internal;               // partial_rounds
    std::vector<std::vector<F>> terminal;  // full_rounds / 2 rows of `width`
};

template <field::PrimeField F>
Poseidon2Constants<F> grain_poseidon2_constants(unsigned width, unsigned full_rounds, unsigned partial_rounds) {
    if (full_rounds % 2 != 0)
        throw Error(ErrorCode::invalid_argument, "Poseidon2 needs an even number of full rounds");
    const auto field_bits = static_cast<unsigned>(std::bit_width(static_cast<std::uint64_t>(F::modulus) - 1));
    GrainLfsr lfsr(1, 0, field_bits, width, full_rounds, partial_rounds);
    Poseidon2Constants<F> c;
    const auto full_round = [&] {
        std::vector<F> row(width);
        for (auto& x : row) x = lfsr.next_field_element<F>();
        return row;
    };
    for (unsigned r = 0; r < full_rounds / 2; ++r) c.initial.push_back(full_round());
    for (unsigned r = 0; r < partial_rounds; ++r) c.internal.push_back(lfsr.next_field_element<F>());
    for (unsigned r = 0; r < full_rounds / 2; ++r) c.terminal.push_back(full_round());
    return c;
}

}  // namespace causality::stark
