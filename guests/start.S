# The guests' entry point: set the stack and global pointers, run main, flush stdio when
# the guest links stdio.c (a weak reference), exit with main's result (ecall 93). The VM's
# memory starts zeroed, so .bss needs no clearing.
    .section .text.start, "ax"
    .globl _start
_start:
    la sp, __stack_top
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    call main
    mv s0, a0
    .weak causality_stdio_flush
    la t0, causality_stdio_flush
    beqz t0, 1f
    jalr t0
1:  mv a0, s0
    li a7, 93
    ecall
