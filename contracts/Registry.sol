// SPDX-License-Identifier: MIT
// The registry of proven resource transfers (xvm/domains/evm.hpp, operation "post_proven").
//
// The EVM cannot check this library's STARK proofs; the poster (the EVM domain's key,
// the contract's owner) verifies the proof off chain with the proving domain's verifier
// and posts only what the verifier derived from it: the program id, the nullifiers and
// the commitments. The contract keeps the nullifiers it has seen and refuses a post that
// repeats one ("nullifier spent"), so a transfer is recorded on chain at most once,
// whoever relays it. Each post carries the coordinator's idempotency key (hashed), which
// the adapter reads back (`applied`) after a crash.
pragma solidity 0.8.28;

contract Registry {
    address public immutable owner;
    mapping(bytes32 => bool) public spent;        // nullifier -> seen
    mapping(bytes32 => uint256) public postOfKey; // idempotency key hash -> post index + 1
    uint256 public posts;

    event Posted(bytes32 indexed key, bytes32 indexed program, uint256 index, bytes32[] nullifiers,
                 bytes32[] commitments, uint256 count);

    error NotOwner(address caller);

    constructor() {
        owner = msg.sender;
    }

    function post(bytes32 key, bytes32 program, bytes32[] calldata nullifiers, bytes32[] calldata commitments)
        external returns (uint256 index)
    {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        require(postOfKey[key] == 0, "key applied");
        require(nullifiers.length > 0, "no nullifiers");
        for (uint256 i = 0; i < nullifiers.length; ++i) {
            require(!spent[nullifiers[i]], "nullifier spent");
            spent[nullifiers[i]] = true;
        }
        index = posts++;
        postOfKey[key] = index + 1;
        emit Posted(key, program, index, nullifiers, commitments, commitments.length);
    }

    function applied(bytes32 key) external view returns (bool) {
        return postOfKey[key] != 0;
    }
}
