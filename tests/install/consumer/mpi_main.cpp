// The MPI component through the installed package: MPI found by find_package(causality),
// a singleton MPI process that segments a small program as rank 0 would.
#include <causality/field.hpp>
#include <causality/vm.hpp>
#include <causality/vm/mpi.hpp>

#include <cstdio>

int main(int argc, char** argv) {
    using namespace causality;
    using F = field::BabyBear;
    MPI_Init(&argc, &argv);
    int size = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    // x1 = 0; loop 100 times: x1 += 1; then exit(x1 & 0xff).
    vm::Executable<F> exe;
    exe.program.pc_base = 0x1000;
    using vm::rv32im::Op;
    for (const vm::rv32im::Instruction in : {vm::rv32im::Instruction{Op::addi, 5, 0, 0, 100},
                                              vm::rv32im::Instruction{Op::addi, 10, 10, 0, 1},
                                              vm::rv32im::Instruction{Op::addi, 5, 5, 0, -1},
                                              vm::rv32im::Instruction{Op::bne, 0, 5, 0, -8},
                                              vm::rv32im::Instruction{Op::addi, 17, 0, 0, 93},
                                              vm::rv32im::Instruction{Op::ecall, 0, 0, 0, 0}})
        exe.program.instructions.push_back(vm::ext::Rv32im::to_instruction<F>(in));
    exe.entry = 0x1000;
    vm::SegmentOptions o;
    o.segment_cycles = 64;
    const auto plan = vm::plan_segments(vm::VmCore<F, vm::ext::Rv32im>{}, exe, {}, o);
    std::printf("mpi consumer ok %d %zu %u\n", size, plan.segments.size(), plan.result.exit_code);
    MPI_Finalize();
    return 0;
}
