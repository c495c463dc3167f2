# causality_add_guest(NAME SOURCES... [OUTPUT_DIRECTORY dir] [C_FLAGS flags...])
#
# Builds NAME.elf, a 32-bit RISC-V program for the causality zkVM, from C and assembly
# sources with Debian's riscv64-unknown-elf-gcc and picolibc (-march=rv32im -mabi=ilp32,
# static, our start file and linker script): printf, puts and stdin work through the VM's
# system calls (stdio.c), guest.h has the system calls themselves (exit, write, read,
# publish). Sources that are all assembly (.S / .s) link without libc. The target NAME
# builds the file (in OUTPUT_DIRECTORY, by default the current binary directory); the
# variable NAME_ELF holds its path. CAUSALITY_RISCV_GCC: the compiler (found if unset).
#
#   find_package(causality REQUIRED)
#   causality_add_guest(hello hello.c)          # -> hello.elf; run: causality run hello.elf
include_guard(GLOBAL)

if(NOT DEFINED CAUSALITY_GUEST_KIT_DIR)
  set(CAUSALITY_GUEST_KIT_DIR ${CMAKE_CURRENT_LIST_DIR}/../guests)
endif()

function(causality_add_guest name)
  cmake_parse_arguments(PARSE_ARGV 1 _g "" "OUTPUT_DIRECTORY" "C_FLAGS")
  set(_sources ${_g_UNPARSED_ARGUMENTS})
  if(NOT _sources)
    message(FATAL_ERROR "causality_add_guest(${name}): no sources")
  endif()
  if(NOT CAUSALITY_RISCV_GCC)
    find_program(CAUSALITY_RISCV_GCC riscv64-unknown-elf-gcc)
    if(NOT CAUSALITY_RISCV_GCC)
      message(FATAL_ERROR "causality_add_guest(${name}): riscv64-unknown-elf-gcc not found "
                          "(Debian: gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf)")
    endif()
  endif()
  set(_dir ${_g_OUTPUT_DIRECTORY})
  if(NOT _dir)
    set(_dir ${CMAKE_CURRENT_BINARY_DIR})
  endif()
  set(_kit ${CAUSALITY_GUEST_KIT_DIR})
  set(_abs)
  set(_only_assembly TRUE)
  foreach(_s IN LISTS _sources)
    get_filename_component(_p ${_s} ABSOLUTE)
    list(APPEND _abs ${_p})
    if(NOT _p MATCHES "\\.[sS]$")
      set(_only_assembly FALSE)
    endif()
  endforeach()
  set(_flags -march=rv32im -mabi=ilp32 -static -nostartfiles -T ${_kit}/link.ld -I${_kit})
  if(_only_assembly)
    set(_cmd ${CAUSALITY_RISCV_GCC} ${_flags} -nostdlib ${_abs})
  else()
    set(_cmd ${CAUSALITY_RISCV_GCC} ${_flags} --specs=picolibc.specs -O2 -Wall -Wextra -Werror ${_g_C_FLAGS}
             ${_kit}/start.S ${_kit}/stdio.c ${_abs})
  endif()
  add_custom_command(OUTPUT ${_dir}/${name}.elf
    COMMAND ${_cmd} -o ${_dir}/${name}.elf
    DEPENDS ${_abs} ${_kit}/start.S ${_kit}/stdio.c ${_kit}/guest.h ${_kit}/sha256.h ${_kit}/link.ld
    COMMENT "guest ${name}.elf (rv32im)"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${_dir}/${name}.elf)
  set(${name}_ELF ${_dir}/${name}.elf PARENT_SCOPE)
endfunction()
