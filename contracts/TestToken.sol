// SPDX-License-Identifier: MIT
// A token for the EVM client's tests: state, events, revert reasons (a string, a custom
// error, a panic), and a function over static and dynamic ABI types that the node
// answers, so that our ABI encoder and decoder are checked against the compiler's.
pragma solidity 0.8.28;

contract TestToken {
    mapping(address => uint256) public balanceOf;
    mapping(bytes32 => bool) public used;  // idempotency keys of mints
    uint256 public totalSupply;
    string public name;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Note(string indexed tag, bytes data, uint256[] values);

    error Insufficient(uint256 available, uint256 needed);

    struct Pair {
        uint256 a;
        bytes32 b;
    }

    constructor(string memory name_, uint256 supply) {
        name = name_;
        balanceOf[msg.sender] = supply;
        totalSupply = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        require(to != address(0), "transfer to the zero address");
        uint256 have = balanceOf[msg.sender];
        if (have < value) revert Insufficient(have, value);
        balanceOf[msg.sender] = have - value;
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }

    function mint(bytes32 key, address to, uint256 value) external {
        require(!used[key], "key applied");
        used[key] = true;
        balanceOf[to] += value;
        totalSupply += value;
        emit Transfer(address(0), to, value);
    }

    function note(string calldata tag, bytes calldata data, uint256[] calldata values) external {
        emit Note(tag, data, values);
    }

    function divide(uint256 a, uint256 b) external pure returns (uint256) {
        return a / b;  // b = 0: Panic(0x12)
    }

    function echoStatic(uint256 u, int64 i, address a, bool f, bytes10 b10, uint8[3] calldata small)
        external pure returns (uint256, int64, address, bool, bytes10, uint8[3] memory)
    {
        return (u, i, a, f, b10, small);
    }

    function echoDynamic(bytes calldata b, string calldata s, uint256[] calldata xs, Pair calldata p,
                         string[] calldata names)
        external pure returns (bytes memory, string memory, uint256[] memory, Pair memory, string[] memory)
    {
        return (b, s, xs, p, names);
    }

    function digest(bytes calldata data) external pure returns (bytes32) {
        return keccak256(data);
    }
}
