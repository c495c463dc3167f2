// Declaring a new 31-bit prime field takes a parameter struct and one line. The
// library checks at compile time that the modulus is a prime between 2^30 and 2^31 and
// that the generator is primitive, and derives the two-adicity (here 25).
#include <causality/field.hpp>

#include <cstdint>
#include <iostream>

struct MyParams {
    static constexpr std::uint32_t modulus = 0x7e000001;  // 63 * 2^25 + 1
    static constexpr std::uint32_t generator = 5;
};
using MyField = causality::field::MontyField31<MyParams>;

// A strong name reads better in compiler messages; it is one more line.
struct MyStrongField final : causality::field::MontyField31<MyParams, MyStrongField> {
    using MontyField31::MontyField31;
};

int main() {
    using causality::field::Packed;
    const MyField a(123456789), b(987654321);
    std::cout << "p = " << MyField::modulus << ", two-adicity " << MyField::two_adicity << '\n';
    std::cout << "a * b = " << a * b << ", a / b = " << a / b << '\n';
    std::cout << "order-2^25 root of unity: " << MyField::two_adic_generator(25) << '\n';

    // Every generic facility works with it: the packed SIMD kernels, batch inversion,
    // serialization, Eigen matrices.
    MyStrongField xs[Packed<MyStrongField>::width];
    for (std::size_t i = 0; i < std::size(xs); ++i) xs[i] = MyStrongField(i + 1);
    const auto p = Packed<MyStrongField>::load(xs);
    const auto sq = p * p;
    std::cout << "packed (" << Packed<MyStrongField>::width << " lanes): last lane squared = "
              << sq.lane(Packed<MyStrongField>::width - 1) << '\n';
    causality::field::batch_inverse(std::span<MyStrongField>(xs));
    std::cout << "1/1 + 1/2 = " << xs[0] + xs[1] << " (= 3/2 = " << MyStrongField(3) / MyStrongField(2) << ")\n";
}
