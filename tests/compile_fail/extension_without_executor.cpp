// Must not compile: a tagged extension whose executor does not compile for the contexts.
#include <causality/field.hpp>
#include <causality/vm.hpp>

struct NoExecutor {
    using tag = causality::vm::extension_tag;
    static constexpr std::string_view name = "no_executor";
    static constexpr std::uint32_t opcode_offset = 0x2000, opcode_count = 1;
    void execute(int) const {}  // not a template over the opcode and the context
};

int main() {
    causality::vm::VmCore<causality::field::BabyBear, causality::vm::ext::Rv32im, NoExecutor> vm;
    (void)vm;
}
