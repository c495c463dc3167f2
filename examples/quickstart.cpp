#include <causality/field.hpp>
#include <iostream>

int main() {
    using namespace causality::field;
    using E = BinomialExtension<BabyBear, 4>;            // BabyBear[X] / (X^4 - 11)
    const BabyBear a(7), b = BabyBear::from_u64(1ull << 40);
    std::cout << "a * b = " << a * b << ", a / b = " << a / b << '\n';
    std::cout << "root of unity of order 2^27: " << BabyBear::two_adic_generator(27) << '\n';
    const E x = E::x() + a;                               // X + 7
    std::cout << "(X + 7)^-1 = " << x.inverse() << ", check: " << x * x.inverse() << '\n';
    BabyBear v[Packed<BabyBear>::width];                  // 16 lanes with AVX-512
    for (std::size_t i = 0; i < std::size(v); ++i) v[i] = BabyBear(i);
    const auto sq = Packed<BabyBear>::load(v) * Packed<BabyBear>::load(v);
    std::cout << "packed lanes: " << Packed<BabyBear>::width << ", lane 5 squared: " << sq.lane(5) << '\n';
}
