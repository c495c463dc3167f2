// Must not compile: a configuration whose Hasher has no hash member.
#include <causality/stark.hpp>

struct NotAHasher {
    using F = causality::field::BabyBear;
    using Digest = std::array<std::uint8_t, 32>;
};
struct BadConfig : causality::stark::BabyBearPoseidon2 {
    using Hasher = NotAHasher;
};

int main() { (void)causality::stark::ConfigHashing<BadConfig>::mmcs(); }
