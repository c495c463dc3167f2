# Installs the package into a fresh prefix, then configures, builds and runs a consumer
# project that finds it with find_package(causality). Run by CTest with cmake -P.
foreach(_var SOURCE_DIR BUILD_DIR WORK_DIR CONSUMER_DIR CXX_COMPILER)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "install_test.cmake needs -D${_var}=...")
  endif()
endforeach()

file(REMOVE_RECURSE ${WORK_DIR})
set(_prefix ${WORK_DIR}/prefix)
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${_prefix}
                COMMAND_ERROR_IS_FATAL ANY)
if(NOT EXISTS ${_prefix}/include/causality/field.hpp)
  message(FATAL_ERROR "the install did not place include/causality/field.hpp under ${_prefix}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/build
                  -DCMAKE_PREFIX_PATH=${_prefix} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
                  -DCMAKE_BUILD_TYPE=Release
                COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${WORK_DIR}/build/consumer
                OUTPUT_VARIABLE _out COMMAND_ERROR_IS_FATAL ANY)
if(NOT _out MATCHES "consumer ok")
  message(FATAL_ERROR "the consumer printed an unexpected result: ${_out}")
endif()
message(STATUS "consumer output: ${_out}")
# The EVM component (causality::evm: libcurl and libsecp256k1 found through the package).
if(EXISTS ${WORK_DIR}/build/evm_consumer)
  execute_process(COMMAND ${WORK_DIR}/build/evm_consumer OUTPUT_VARIABLE _evm_out COMMAND_ERROR_IS_FATAL ANY)
  if(NOT _evm_out MATCHES "evm consumer ok 0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")
    message(FATAL_ERROR "the EVM consumer printed: ${_evm_out}")
  endif()
  message(STATUS "evm consumer output: ${_evm_out}")
elseif(EXPECT_EVM)
  message(FATAL_ERROR "the installed package has no causality::evm")
endif()
# The MPI component (causality::mpi: MPI found through the package), as a singleton process.
if(EXISTS ${WORK_DIR}/build/mpi_consumer)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
                          ${WORK_DIR}/build/mpi_consumer OUTPUT_VARIABLE _mpi_out COMMAND_ERROR_IS_FATAL ANY)
  if(NOT _mpi_out MATCHES "mpi consumer ok 1 5 100")
    message(FATAL_ERROR "the MPI consumer printed: ${_mpi_out}")
  endif()
  message(STATUS "mpi consumer output: ${_mpi_out}")
elseif(EXPECT_MPI)
  message(FATAL_ERROR "the installed package has no causality::mpi")
endif()
# The guest kit: the consumer's guest runs under the installed command-line tool.
if(EXISTS ${WORK_DIR}/build/hello_guest.elf)
  if(NOT EXISTS ${_prefix}/bin/causality)
    message(FATAL_ERROR "the install did not place bin/causality under ${_prefix}")
  endif()
  execute_process(COMMAND ${_prefix}/bin/causality run ${WORK_DIR}/build/hello_guest.elf
                  OUTPUT_VARIABLE _guest_out ERROR_VARIABLE _guest_err RESULT_VARIABLE _guest_rc)
  if(NOT _guest_rc EQUAL 3 OR NOT _guest_out MATCHES "guest kit ok: 42" OR NOT _guest_err MATCHES "public values: 7")
    message(FATAL_ERROR "the consumer's guest: exit ${_guest_rc}, output '${_guest_out}', errors '${_guest_err}'")
  endif()
  message(STATUS "consumer guest output: ${_guest_out}")
endif()
