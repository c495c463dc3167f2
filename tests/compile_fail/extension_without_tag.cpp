// Must not compile: a type without the extension tag given to VmCore as an extension.
#include <causality/field.hpp>
#include <causality/vm.hpp>

struct NotAnExtension {
    static constexpr std::string_view name = "not_an_extension";
    static constexpr std::uint32_t opcode_offset = 0x2000, opcode_count = 1;
};

int main() {
    causality::vm::VmCore<causality::field::BabyBear, causality::vm::ext::Rv32im, NotAnExtension> vm;
    (void)vm;
}
