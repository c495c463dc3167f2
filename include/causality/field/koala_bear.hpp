// causality/field/koala_bear.hpp — KoalaBear, p = 2^31 - 2^24 + 1 = 127 * 2^24 + 1.
// x -> x^3 is a permutation here (3 does not divide p - 1), which Poseidon2 uses.
#pragma once

#include <causality/field/monty31.hpp>

#include <cstdint>

namespace causality::field {

struct KoalaBearParams {
    static constexpr std::uint32_t modulus = 0x7f000001;  // 2^31 - 2^24 + 1
    static constexpr std::uint32_t generator = 3;
};

struct KoalaBear final : MontyField31<KoalaBearParams, KoalaBear> {
    using MontyField31::MontyField31;
};

}  // namespace causality::field
