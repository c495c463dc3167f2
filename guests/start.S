# The guests' entry point: set the stack and global pointers, run main, exit with its
# result (ecall 93). The VM's memory starts zeroed, so .bss needs no clearing.
    .section .text.start, "ax"
    .globl _start
_start:
    la sp, __stack_top
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    call main
    li a7, 93
    ecall
