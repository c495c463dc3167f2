// causality/stark/keys.hpp — proving and verifying keys: the preprocessed (fixed) columns
// of a list of AIRs, committed once.
//
//   auto pk = stark::setup<SC>(airs);          // LDE + Merkle tree of every fixed trace
//   auto proof = stark::prove<SC>(pk, airs, traces, publics);
//   stark::verify<SC>(pk.vk, airs, proof, publics);
//
// An AIR with preprocessed columns proves traces of exactly its preprocessed trace's
// height. The verifying key holds the root of one tree over all fixed traces and, per
// AIR, their width and height; the prover observes it into the transcript before the
// main commitment. prove without a key runs setup itself; verify without a key accepts
// only AIRs without fixed columns (keyless_verifying_key), so that a verifier never
// recomputes the commitment: it is given the key.
#pragma once

#include <causality/error.hpp>
#include <causality/stark/config.hpp>
#include <causality/stark/folders.hpp>
#include <causality/stark/fri.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace causality::stark {

template <StarkConfig SC>
struct VerifyingKey {
    using T = StarkTypes<SC>;
    struct Fixed {
        std::uint32_t width = 0;       // 0: the AIR has no preprocessed columns
        std::uint32_t log_height = 0;  // log2 of the preprocessed trace's height
        std::uint32_t matrix = 0;      // index of its matrix in the preprocessed commitment
        friend bool operator==(const Fixed&, const Fixed&) = default;
    };
    std::vector<Fixed> airs;               // one per AIR, in the order given to setup
    typename T::Digest preprocessed_root{};  // meaningful when has_preprocessed()

    [[nodiscard]] bool has_preprocessed() const noexcept {
        for (const auto& f : airs)
            if (f.width > 0) return true;
        return false;
    }
    friend bool operator==(const VerifyingKey&, const VerifyingKey&) = default;
};

template <StarkConfig SC>
struct ProvingKey {
    VerifyingKey<SC> vk;
    // The committed fixed traces (absent when no AIR has any); shared so that keys copy cheaply.
    std::shared_ptr<const CommittedRound<SC>> preprocessed;
};

// Commits the preprocessed traces of the AIRs. Error(invalid_size) naming the AIR when a
// fixed trace has the wrong width or a height that is not a power of two >= 2, or one the
// configuration cannot extend.
template <StarkConfig SC>
ProvingKey<SC> setup(std::span<const AirRef<SC>> airs) {
    using F = typename SC::Field;
    ProvingKey<SC> pk;
    std::vector<std::pair<field::RowMajorMatrix<F>, F>> fixed;
    for (std::size_t i = 0; i < airs.size(); ++i) {
        const auto& s = airs[i].shape();
        typename VerifyingKey<SC>::Fixed f;
        if (s.preprocessed_width > 0) {
            const std::string who = "setup: AIR " + std::to_string(i) + " ('" + s.name + "'): ";
            auto m = airs[i].preprocessed_trace();
            if (static_cast<std::size_t>(m.cols()) != s.preprocessed_width)
                throw Error(ErrorCode::invalid_size, who + "the preprocessed trace has " + std::to_string(m.cols()) +
                                                         " columns, the AIR declares " +
                                                         std::to_string(s.preprocessed_width));
            const auto rows = static_cast<std::size_t>(m.rows());
            if (rows < 2 || (rows & (rows - 1)) != 0)
                throw Error(ErrorCode::invalid_size,
                            who + "the preprocessed trace has " + std::to_string(rows) + " rows, not a power of two >= 2");
            const auto lh = static_cast<unsigned>(std::countr_zero(rows));
            if (lh + SC::fri.log_blowup > F::two_adicity)
                throw Error(ErrorCode::invalid_size, who + "the preprocessed trace of 2^" + std::to_string(lh) +
                                                         " rows exceeds the field's two-adicity after the blowup");
            f.width = static_cast<std::uint32_t>(s.preprocessed_width);
            f.log_height = lh;
            f.matrix = static_cast<std::uint32_t>(fixed.size());
            fixed.emplace_back(std::move(m), F::one());
        }
        pk.vk.airs.push_back(f);
    }
    if (!fixed.empty()) {
        auto round = std::make_shared<CommittedRound<SC>>(FriPcs<SC>{}.commit(std::move(fixed)));
        pk.vk.preprocessed_root = round->root();
        pk.preprocessed = std::move(round);
    }
    return pk;
}

// The verifying key of AIRs without preprocessed columns, which commits nothing (a
// verifier never builds the prover's commitment machinery for it). Error(invalid_argument)
// naming the first AIR with preprocessed columns: their key comes from setup.
template <StarkConfig SC>
VerifyingKey<SC> keyless_verifying_key(std::span<const AirRef<SC>> airs) {
    VerifyingKey<SC> vk;
    vk.airs.resize(airs.size());
    for (std::size_t i = 0; i < airs.size(); ++i)
        if (airs[i].shape().preprocessed_width > 0)
            throw Error(ErrorCode::invalid_argument,
                        "AIR " + std::to_string(i) + " ('" + airs[i].shape().name +
                            "') has preprocessed columns: verify with its verifying key (stark::setup(airs).vk)");
    return vk;
}

// Does the key belong to these AIRs? Empty when it does, else the reason.
template <StarkConfig SC>
std::string key_mismatch(const VerifyingKey<SC>& vk, std::span<const AirRef<SC>> airs) {
    if (vk.airs.size() != airs.size())
        return "the key is for " + std::to_string(vk.airs.size()) + " AIRs, not " + std::to_string(airs.size());
    for (std::size_t i = 0; i < airs.size(); ++i)
        if (vk.airs[i].width != airs[i].shape().preprocessed_width)
            return "AIR " + std::to_string(i) + " ('" + airs[i].shape().name + "') has " +
                   std::to_string(airs[i].shape().preprocessed_width) + " preprocessed columns, the key " +
                   std::to_string(vk.airs[i].width);
    return {};
}

}  // namespace causality::stark
