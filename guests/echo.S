# echo (RISC-V assembly): copies the host's input to the output in 64-byte reads, then
# exits with the number of bytes copied (the full count: above 255 too).
    .section .text.start, "ax"
    .globl _start
_start:
    li s0, 0                  # bytes copied
    la s1, buffer
1:  li a7, 63                 # read(0, buffer, 64)
    li a0, 0
    mv a1, s1
    li a2, 64
    ecall
    beqz a0, 2f
    add s0, s0, a0
    mv a2, a0                 # write(1, buffer, n)
    li a7, 64
    li a0, 1
    mv a1, s1
    ecall
    j 1b
2:  mv a0, s0
    li a7, 93
    ecall

    .bss
    .balign 4
buffer:
    .space 64
