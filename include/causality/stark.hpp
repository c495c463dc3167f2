// causality/stark.hpp — hashing (Poseidon2 for any field, Keccak-256, sponge, compression),
// Merkle commitments, the Fiat-Shamir challenger, configurations and their hashing stacks,
// the multi-AIR prover and verifier.
#pragma once

#include <causality/stark/bytes.hpp>
#include <causality/stark/challenger.hpp>
#include <causality/stark/config.hpp>
#include <causality/stark/defaults.hpp>
#include <causality/stark/folders.hpp>
#include <causality/stark/fri.hpp>
#include <causality/stark/hash/blake3.hpp>
#include <causality/stark/hash/grain.hpp>
#include <causality/stark/hash/keccak.hpp>
#include <causality/stark/hash/poseidon2.hpp>
#include <causality/stark/hash/poseidon2_air.hpp>
#include <causality/stark/hash/poseidon2_default.hpp>
#include <causality/stark/hash/poseidon2_derive.hpp>
#include <causality/stark/hash/sponge.hpp>
#include <causality/stark/keys.hpp>
#include <causality/stark/merkle.hpp>
#include <causality/stark/proof.hpp>
#include <causality/stark/transcript.hpp>
#include <causality/stark/prover.hpp>
#include <causality/stark/verifier.hpp>
#include <causality/stark/verify_result.hpp>
