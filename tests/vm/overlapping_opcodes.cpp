// Must not compile: the extension below takes opcodes inside RV32IM's range. The test
// (tests/CMakeLists.txt) checks that the compiler says so in English.
#include <causality/field.hpp>
#include <causality/vm.hpp>

struct Clash {
    using tag = causality::vm::extension_tag;
    static constexpr std::string_view name = "clash";
    static constexpr std::uint32_t opcode_offset = 0x110, opcode_count = 2;
    template <std::uint32_t L, class Ctx>
    static void execute(Ctx& ctx, const causality::vm::Operands&) { ctx.next(); }
};

int main() {
    causality::vm::VmCore<causality::field::BabyBear, causality::vm::ext::Rv32im, Clash> vm;
    (void)vm;
}
