// causality/vm.hpp — the zkVM layer: programs (program.hpp), the execution context and
// modes (context.hpp), the machine with its debugger and lifecycle (machine.hpp),
// VmCore<F, Extensions...> (core.hpp), the RV32IM extension (rv32im/) and the ELF
// loader (elf.hpp).
#pragma once

#include <causality/vm/context.hpp>
#include <causality/vm/core.hpp>
#include <causality/vm/extension.hpp>
#include <causality/vm/records.hpp>
#include <causality/vm/machine.hpp>
#include <causality/vm/program.hpp>
#include <causality/vm/rv32im/alu.hpp>
#include <causality/vm/rv32im/decode.hpp>
#include <causality/vm/rv32im/extension.hpp>
#include <causality/vm/elf.hpp>
#include <causality/vm/format.hpp>
