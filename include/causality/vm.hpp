// causality/vm.hpp — the zkVM layer. So far: RV32IM instruction decoding, disassembly and
// exact arithmetic (the interpreter, VmCore and ELF loading are the open work of the zkVM
// issue).
#pragma once

#include <causality/vm/rv32im/alu.hpp>
#include <causality/vm/rv32im/decode.hpp>
