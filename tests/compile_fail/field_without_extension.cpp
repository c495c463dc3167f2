// Must not compile: a user field with no binomial_extension_params for its challenge field.
#include <causality/stark.hpp>

struct P {
    static constexpr std::uint32_t modulus = 0x6c000001;
    static constexpr std::uint32_t generator = 13;
};
using F = causality::field::MontyField31<P>;

int main() {
    causality::field::BinomialExtension<F, 4> x;
    (void)x;
}
