// causality/field/packed_extension.hpp — PackedExtension<E>: width() elements of a
// binomial extension field, stored as D packed base-field coefficients (structure of
// arrays), so extension arithmetic runs on the packed base-field kernels. The prover's
// constraint folding and FRI work on such values.
#pragma once

#include <causality/field/concepts.hpp>
#include <causality/field/extension.hpp>
#include <causality/field/packed.hpp>

#include <array>
#include <cstddef>

namespace causality::field {

template <ExtensionField E, class Arch = native_arch>
class PackedExtension {
    using F = typename E::base_field;
    static constexpr std::size_t D = E::degree;

public:
    using scalar_type = E;
    using base_packed = PackedOn<F, Arch>;
    static constexpr std::size_t width = base_packed::width;

    PackedExtension() noexcept = default;
    explicit PackedExtension(const std::array<base_packed, D>& coeffs) noexcept : c_(coeffs) {}

    static PackedExtension from_base(const base_packed& b) noexcept {
        PackedExtension r;
        r.c_[0] = b;
        return r;
    }
    static PackedExtension broadcast(const E& x) noexcept {
        PackedExtension r;
        for (std::size_t k = 0; k < D; ++k) r.c_[k] = base_packed::broadcast(x[k]);
        return r;
    }
    // Lane i takes src[i] (an array of structures in memory, transposed on the way in).
    static PackedExtension load(const E* src) noexcept {
        PackedExtension r;
        for (std::size_t k = 0; k < D; ++k) {
            std::array<F, width> lanes;
            for (std::size_t i = 0; i < width; ++i) lanes[i] = src[i][k];
            r.c_[k] = base_packed::from_array(lanes);
        }
        return r;
    }
    void store(E* dst) const noexcept {
        std::array<std::array<F, width>, D> lanes;
        for (std::size_t k = 0; k < D; ++k) lanes[k] = c_[k].to_array();
        for (std::size_t i = 0; i < width; ++i) {
            std::array<F, D> coeffs;
            for (std::size_t k = 0; k < D; ++k) coeffs[k] = lanes[k][i];
            dst[i] = E(coeffs);
        }
    }
    [[nodiscard]] E lane(std::size_t i) const noexcept {
        std::array<F, D> coeffs;
        for (std::size_t k = 0; k < D; ++k) coeffs[k] = c_[k].lane(i);
        return E(coeffs);
    }
    [[nodiscard]] const std::array<base_packed, D>& coeffs() const noexcept { return c_; }

    static PackedExtension zero() noexcept { return {}; }
    static PackedExtension one() noexcept { return from_base(base_packed::one()); }

    friend PackedExtension operator+(const PackedExtension& a, const PackedExtension& b) noexcept {
        PackedExtension r;
        for (std::size_t k = 0; k < D; ++k) r.c_[k] = a.c_[k] + b.c_[k];
        return r;
    }
    friend PackedExtension operator-(const PackedExtension& a, const PackedExtension& b) noexcept {
        PackedExtension r;
        for (std::size_t k = 0; k < D; ++k) r.c_[k] = a.c_[k] - b.c_[k];
        return r;
    }
    friend PackedExtension operator-(const PackedExtension& a) noexcept {
        PackedExtension r;
        for (std::size_t k = 0; k < D; ++k) r.c_[k] = -a.c_[k];
        return r;
    }
    friend PackedExtension operator*(const PackedExtension& a, const PackedExtension& b) noexcept {
        return PackedExtension(detail::binomial_mul(a.c_, b.c_, E::w));
    }
    friend PackedExtension operator*(PackedExtension a, const base_packed& b) noexcept {
        for (auto& c : a.c_) c *= b;
        return a;
    }
    friend PackedExtension operator*(const base_packed& b, const PackedExtension& a) noexcept { return a * b; }
    friend PackedExtension operator+(PackedExtension a, const base_packed& b) noexcept {
        a.c_[0] += b;
        return a;
    }
    friend PackedExtension operator*(const PackedExtension& a, const E& b) noexcept { return a * broadcast(b); }
    friend PackedExtension operator+(const PackedExtension& a, const E& b) noexcept { return a + broadcast(b); }

    PackedExtension& operator+=(const PackedExtension& b) noexcept { return *this = *this + b; }
    PackedExtension& operator-=(const PackedExtension& b) noexcept { return *this = *this - b; }
    PackedExtension& operator*=(const PackedExtension& b) noexcept { return *this = *this * b; }

    friend bool operator==(const PackedExtension& a, const PackedExtension& b) noexcept {
        for (std::size_t k = 0; k < D; ++k)
            if (!(a.c_[k] == b.c_[k])) return false;
        return true;
    }

    [[nodiscard]] PackedExtension square() const noexcept { return *this * *this; }

private:
    std::array<base_packed, D> c_;  // each coefficient default-constructs to zero
};

}  // namespace causality::field
