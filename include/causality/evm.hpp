// causality/evm.hpp — the EVM component: RLP, the contract ABI, secp256k1 keys and
// EIP-1559 transactions, a JSON-RPC client (libcurl) with a signer that waits for
// finality, and the EVM domain of the cross-VM layer. Link causality::evm (CMake), which
// brings libcurl and libsecp256k1; the rest of the library needs neither.
#pragma once

#include <causality/evm/abi.hpp>
#include <causality/evm/client.hpp>
#include <causality/evm/errors.hpp>
#include <causality/evm/hex.hpp>
#include <causality/evm/keys.hpp>
#include <causality/evm/rlp.hpp>
#include <causality/evm/rpc.hpp>
#include <causality/evm/transaction.hpp>
#include <causality/xvm/domains/evm.hpp>
