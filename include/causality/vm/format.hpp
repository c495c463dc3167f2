// causality/vm/format.hpp — how the VM writes addresses and instruction words in
// messages and disassembly: "0x0001a2b4".
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace causality::vm {

inline std::string hex32(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

}  // namespace causality::vm
