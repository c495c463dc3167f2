// Must not compile: an extension that sends an opcode's rows to a chip it does not have.
#include <causality/field.hpp>
#include <causality/vm.hpp>

struct BadChip {
    using tag = causality::vm::extension_tag;
    static constexpr std::string_view name = "bad_chip";
    static constexpr std::uint32_t opcode_offset = 0x2000, opcode_count = 2;
    static constexpr std::array<std::string_view, 1> chip_names{"only"};
    static constexpr std::uint32_t chip_of(std::uint32_t local) { return local; }  // local 1 -> chip 1
    template <std::uint32_t L, class Ctx>
    static void execute(Ctx& ctx, const causality::vm::Operands&) { ctx.next(); }
};

int main() {
    causality::vm::VmCore<causality::field::BabyBear, causality::vm::ext::Rv32im, BadChip> vm;
    (void)vm;
}
