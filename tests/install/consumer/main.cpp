#include <causality/causality.hpp>

#include <iostream>
#include <vector>

int main() {
    using namespace causality::field;
    // Field arithmetic, the SIMD kernels, extensions and Eigen all work from the install.
    const BabyBear a(3), b(5);
    if (a * b != BabyBear(15)) return 1;
    const auto p = Packed<Goldilocks>::broadcast(Goldilocks(-1));
    if ((p * p).lane(0) != Goldilocks::one()) return 1;
    using E = BinomialExtension<KoalaBear, 4>;
    if (E::x() * E::x().inverse() != E::one()) return 1;
    RowMajorMatrix<BabyBear> m = zero_matrix<BabyBear>(2, 2);
    m(0, 1) = a;
    if ((m * m).sum() != BabyBear::zero()) return 1;
    // The hashing layer: a Merkle commitment opens and verifies.
    const auto mmcs = causality::stark::default_mmcs<BabyBear>();
    std::vector<RowMajorMatrix<BabyBear>> mats{zero_matrix<BabyBear>(8, 3)};
    const auto tree = mmcs.commit(mats);
    if (!mmcs.verify(tree.root(), tree.dimensions(), 5, mmcs.open(tree, 5))) return 1;
    try {
        (void)BabyBear::zero().inverse();
        return 1;
    } catch (const causality::Error& e) {
        if (e.code() != causality::ErrorCode::division_by_zero) return 1;
    }
    std::cout << "causality " << causality::version_major << '.' << causality::version_minor
              << '.' << causality::version_patch << " consumer ok\n";
    return 0;
}
