// causality/vm/program.hpp — what a VM runs. An Instruction is a global opcode (an
// extension's opcode offset plus its local opcode) and seven operands a..g as field
// elements, as in OpenVM; a Program is a list of instructions at pc_base, pc_base +
// pc_step, ...; an Executable adds the initial memory image, the entry pc and the
// symbols the debugger shows. A program is content-addressed: program_id is the
// Poseidon2 sponge hash of its canonical encoding (a domain tag, pc_base, pc_step, the
// instruction count, then opcode and a..g of every instruction), so two programs with
// the same id are the same program.
#pragma once

#include <causality/error.hpp>
#include <causality/field/concepts.hpp>
#include <causality/stark/defaults.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace causality::vm {

template <class F>
struct Instruction {
    std::uint32_t opcode = 0;
    std::array<F, 7> operands{};  // a, b, c, d, e, f, g

    friend bool operator==(const Instruction&, const Instruction&) = default;
};

// Operands as the executors see them: canonical 32-bit values of a..g (an extension's
// prepare() may replace them by values it precomputes once per program, such as branch
// targets or sign-extended immediates).
struct Operands {
    std::uint32_t a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0;
};

// Signed values in operands: x >= 0 is F(x), x < 0 is -F(|x|) (immediates of RV32IM
// are at most 21 bits, far below half of any supported modulus).
template <class F>
F signed_operand(std::int64_t x) {
    const F m = F::from_u64(static_cast<std::uint64_t>(x < 0 ? -x : x));
    return x < 0 ? -m : m;
}
template <class F>
std::int64_t to_signed(const F& x) {
    const std::uint64_t v = x.to_u64();
    return v > F::modulus / 2 ? -static_cast<std::int64_t>(F::modulus - v) : static_cast<std::int64_t>(v);
}
template <class F>
std::uint32_t to_u32(const F& x) {
    return static_cast<std::uint32_t>(x.to_u64());
}

template <class F>
struct Program {
    std::uint32_t pc_base = 0;
    std::uint32_t pc_step = 4;
    std::vector<Instruction<F>> instructions;

    [[nodiscard]] std::size_t size() const noexcept { return instructions.size(); }
    [[nodiscard]] std::uint64_t pc_end() const noexcept {
        return std::uint64_t{pc_base} + std::uint64_t{pc_step} * instructions.size();
    }
    // The instruction at `pc`, or nothing where pc is outside the program or between slots.
    [[nodiscard]] const Instruction<F>* at(std::uint32_t pc) const noexcept {
        if (pc < pc_base || pc_step == 0 || (pc - pc_base) % pc_step != 0) return nullptr;
        const std::size_t i = (pc - pc_base) / pc_step;
        return i < instructions.size() ? &instructions[i] : nullptr;
    }
};

// Bytes at addresses: each segment is placed at its address in main memory before the
// first instruction runs; memory elsewhere starts at zero.
struct MemorySegment {
    std::uint32_t address = 0;
    std::vector<std::uint8_t> bytes;
};

struct Symbol {
    std::string name;
    std::uint32_t address = 0;
    std::uint32_t size = 0;
};

template <class F>
struct Executable {
    Program<F> program;
    std::vector<MemorySegment> memory;
    std::uint32_t entry = 0;
    std::vector<Symbol> symbols;  // sorted by address

    // The symbol's address, or nothing.
    [[nodiscard]] std::optional<std::uint32_t> symbol_address(std::string_view name) const {
        for (const auto& s : symbols)
            if (s.name == name) return s.address;
        return std::nullopt;
    }
    // "name+offset" for an address inside a sized symbol (or at an unsized one), else "".
    [[nodiscard]] std::string symbolize(std::uint32_t address) const {
        const Symbol* best = nullptr;
        for (const auto& s : symbols)
            if (s.address <= address && (address < s.address + s.size || s.address == address)) best = &s;
        if (best == nullptr) return {};
        const std::uint32_t off = address - best->address;
        return off == 0 ? best->name : best->name + "+" + std::to_string(off);
    }
};

template <class F>
using ProgramId = stark::Digest<F, stark::DefaultHashing<F>::digest_elems>;

// The canonical encoding that program_id hashes.
template <class F>
std::vector<F> canonical_encoding(const Program<F>& p) {
    std::vector<F> out;
    out.reserve(4 + 8 * p.instructions.size());
    out.push_back(F::from_u64(0x70726f67));  // "prog": separates program ids from other hashes
    out.push_back(F::from_u64(p.pc_base));
    out.push_back(F::from_u64(p.pc_step));
    out.push_back(F::from_u64(p.instructions.size()));
    for (const auto& in : p.instructions) {
        out.push_back(F::from_u64(in.opcode));
        out.insert(out.end(), in.operands.begin(), in.operands.end());
    }
    return out;
}

// The Poseidon2 hash (the field's default sponge, for any prime field) of the canonical
// encoding. It is the field's Poseidon2 on purpose, whatever Merkle hash a proving
// configuration uses: a program id is a value the VM's circuits (the program chip,
// recursion) recompute over F, so it stays a vector of field elements. program_digest<SC>
// hashes the same encoding with a configuration's own leaf hash.
template <class F>
ProgramId<F> program_id(const Program<F>& p) {
    return stark::DefaultHasher<F>(stark::default_poseidon2<F, stark::DefaultHashing<F>::width>())
        .hash(canonical_encoding(p));
}

template <class SC>
typename stark::ConfigHashing<SC>::Hasher::Digest program_digest(const Program<typename SC::Field>& p) {
    return stark::ConfigHashing<SC>::hasher().hash(canonical_encoding(p));
}

}  // namespace causality::vm
