// The installed EVM component: keys, addresses, a signed transaction recovered.
#include <causality/evm.hpp>

#include <iostream>

int main() {
    using namespace causality::evm;
    const auto key = PrivateKey::from_hex("0x4646464646464646464646464646464646464646464646464646464646464646");
    Eip1559Transaction tx;
    tx.chain_id = 31337;
    tx.to = key.address();
    const auto d = decode_eip1559(tx.sign(key));
    std::cout << (d.sender == key.address() ? "evm consumer ok " : "evm consumer wrong ") << key.address().checksummed() << "\n";
}
