// causality/field/baby_bear.hpp — BabyBear, p = 2^31 - 2^27 + 1 = 15 * 2^27 + 1.
#pragma once

#include <causality/field/monty31.hpp>

#include <cstdint>

namespace causality::field {

struct BabyBearParams {
    static constexpr std::uint32_t modulus = 0x78000001;  // 2^31 - 2^27 + 1
    static constexpr std::uint32_t generator = 31;
};

struct BabyBear final : MontyField31<BabyBearParams, BabyBear> {
    using MontyField31::MontyField31;
};

}  // namespace causality::field
