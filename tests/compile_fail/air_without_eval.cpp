// Must not compile: an AirRef of a type with width() but no eval.
#include <causality/stark.hpp>

struct NoEval {
    static constexpr std::size_t width() { return 1; }
};

int main() {
    const causality::stark::AirRef<causality::stark::BabyBearPoseidon2> a{NoEval{}};
    (void)a;
}
