// Bring your own field: a 31-bit prime the library has never seen, its quartic extension,
// and a four-member STARK configuration. The library checks at compile time that the
// modulus is a prime between 2^30 and 2^31, that the generator is primitive and that
// X^4 - 5 is irreducible; it derives the two-adicity (25) and the field's whole hashing
// stack: a Poseidon2 permutation (S-box x^5, since 3 divides p - 1; round numbers from the
// paper's security bounds; Grain round constants; a checked internal diagonal), the
// sponge, the Merkle tree and the Fiat-Shamir challenger.
#include <causality/air.hpp>
#include <causality/stark.hpp>

#include <cstdint>
#include <iostream>

using namespace causality;

struct MyParams {
    static constexpr std::uint32_t modulus = 0x7e000001;  // 63 * 2^25 + 1
    static constexpr std::uint32_t generator = 5;
};
using MyField = field::MontyField31<MyParams>;
template <>
struct causality::field::binomial_extension_params<MyField, 4> {
    static constexpr std::uint64_t w = 5;
};

struct MyConfig {
    using Field = MyField;
    using Challenge = field::BinomialExtension<MyField, 4>;
    static constexpr stark::FriParams fri = stark::preset_fri;  // blowup 2, 100 queries, 16 bits of grinding
    static constexpr std::string_view name = "my-field";
};

int main() {
    const MyField a(123456789u), b(987654321u);
    std::cout << "p = " << MyField::modulus << ", two-adicity " << MyField::two_adicity << ", a / b = " << a / b << '\n';

    auto trace = air::fibonacci_trace<MyField>(1 << 12, MyField(0u), MyField(1u));
    const auto fib = air::fibonacci_public_values(trace);
    const std::vector<stark::AirRef<MyConfig>> airs{air::FibonacciAir{}};
    const std::vector<std::vector<MyField>> publics{{fib.begin(), fib.end()}};
    const auto proof = stark::prove_to_bytes<MyConfig>(airs, {std::move(trace)}, publics);
    const auto ok = stark::verify_bytes<MyConfig>(airs, proof, publics);
    std::cout << "fib(4096) mod p = " << fib[2] << ", proof " << proof.size() << " bytes, "
              << (ok ? "verified" : "REJECTED: " + ok.reason()) << '\n';

    const auto& perm = stark::default_poseidon2<MyField, 16>();
    std::cout << "Poseidon2-16: x^" << perm.sbox_degree() << ", " << perm.full_rounds() << " full + "
              << perm.partial_rounds() << " partial rounds\n";
    std::cout << "security: " << stark::security_report<MyConfig>(13).to_string() << '\n';
    return ok ? 0 : 1;
}
