// causality/field.hpp — the field layer: prime fields (BabyBear, KoalaBear, Goldilocks,
// Mersenne31, MontyField31 for user fields), binomial extensions, SIMD-packed fields,
// batch inversion, canonical serialization, Eigen integration, RowMajorMatrix, and the
// DFT / coset low-degree extension / barycentric evaluation over it.
#pragma once

#include <causality/field/baby_bear.hpp>
#include <causality/field/batch_inverse.hpp>
#include <causality/field/concepts.hpp>
#include <causality/field/dft.hpp>
#include <causality/field/dot.hpp>
#include <causality/field/eigen.hpp>
#include <causality/field/extension.hpp>
#include <causality/field/goldilocks.hpp>
#include <causality/field/interpolate.hpp>
#include <causality/field/koala_bear.hpp>
#include <causality/field/matrix.hpp>
#include <causality/field/mersenne31.hpp>
#include <causality/field/monty31.hpp>
#include <causality/field/packed.hpp>
#include <causality/field/packed_extension.hpp>
#include <causality/field/serialize.hpp>

namespace causality::field {

static_assert(PrimeField<BabyBear> && TwoAdicField<BabyBear>);
static_assert(PrimeField<KoalaBear> && TwoAdicField<KoalaBear>);
static_assert(PrimeField<Goldilocks> && TwoAdicField<Goldilocks>);
static_assert(PrimeField<Mersenne31> && TwoAdicField<Mersenne31>);
static_assert(ExtensionField<BinomialExtension<BabyBear, 4>> && TwoAdicField<BinomialExtension<BabyBear, 4>>);
static_assert(ExtensionField<BinomialExtension<BabyBear, 5>> && TwoAdicField<BinomialExtension<BabyBear, 5>>);
static_assert(ExtensionField<BinomialExtension<KoalaBear, 4>> && TwoAdicField<BinomialExtension<KoalaBear, 4>>);
static_assert(ExtensionField<BinomialExtension<Goldilocks, 2>> && TwoAdicField<BinomialExtension<Goldilocks, 2>>);
static_assert(ExtensionField<BinomialExtension<Mersenne31, 2>> && TwoAdicField<BinomialExtension<Mersenne31, 2>>);
static_assert(PackedField<Packed<BabyBear>> && PackedField<Packed<KoalaBear>>);
static_assert(PackedField<Packed<Goldilocks>> && PackedField<Packed<Mersenne31>>);
static_assert(PackedField<PackedExtension<BinomialExtension<BabyBear, 4>>>);
static_assert(TwoAdicDft<Radix2Dft<BabyBear>, BabyBear> && TwoAdicDft<NaiveDft<Goldilocks>, Goldilocks>);

}  // namespace causality::field
