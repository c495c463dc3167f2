# causality plan with an EVM domain: a plan file deploying the test token on a local node,
# paying, reading the Transfer event and crediting a ledger with its value; status; a plan
# whose payment reverts, which compensates (exit 122) and prints the decoded reason.
# Run by CTest through contracts/with_anvil.sh as
#   cmake -DCLI=... -DRPC=@RPC@ -DARTIFACTS=... -DWORK=... -P evm_plan.cmake
# with CAUSALITY_EVM_KEY set to anvil's first dev key.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/expect.cmake)
set(_j ${WORK}/journal.db)
set(_domains [=[
 "domains": [{"domain": "chain", "type": "evm", "rpc": "%RPC%", "chain_id": 31337, "key_env": "CAUSALITY_EVM_KEY",
              "finality": {"confirmations": 1}, "poll_ms": 5, "state": "chain.db",
              "contracts": {"token": {"artifact": "%ARTIFACTS%/TestToken.json"}}},
             {"domain": "bank", "type": "ledger", "db": "bank.db"}],
]=])
foreach(_case pay overdraw)
  if(_case STREQUAL "pay")
    set(_amount 250)
  else()
    set(_amount 5000)
  endif()
  file(WRITE ${WORK}/${_case}.json "{\"plan\": \"cli-evm-${_case}\", ${_domains}" [=[
 "steps": [
  {"id": "deploy", "domain": "chain", "operation": "deploy", "params": {"contract": "token", "args": ["Tok", 1000]}},
  {"id": "open", "domain": "bank", "operation": "open", "params": {"account": "%CASE%", "owner": "bob"},
   "compensation": {"operation": "burn", "params": {"account": "%CASE%", "amount": 0}}},
  {"id": "pay", "domain": "chain", "operation": "send", "depends_on": ["deploy", "open"],
   "params": {"contract": "token", "function": "transfer", "args": {"to": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "value": "%AMOUNT%"}}},
  {"id": "seen", "domain": "chain", "operation": "events", "depends_on": ["pay"],
   "params": {"contract": "token", "event": "Transfer", "where": {"to": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}}},
  {"id": "credit", "domain": "bank", "operation": "mint", "depends_on": ["seen"],
   "params": {"account": "%CASE%", "amount": {"$from": "seen", "pointer": "/events/0/args/value"}}}
 ]}
]=])
  file(READ ${WORK}/${_case}.json _plan)
  string(REPLACE "%RPC%" "${RPC}" _plan "${_plan}")
  string(REPLACE "%ARTIFACTS%" "${ARTIFACTS}" _plan "${_plan}")
  string(REPLACE "%CASE%" "${_case}" _plan "${_plan}")
  string(REPLACE "%AMOUNT%" "${_amount}" _plan "${_plan}")
  file(WRITE ${WORK}/${_case}.json "${_plan}")
endforeach()
expect(run 0 ${CLI} plan run ${WORK}/pay.json --journal ${_j})
if(NOT last_out MATCHES "plan cli-evm-pay: completed" OR NOT last_out MATCHES "pay +done[^\n]*\"block_hash\":\"0x"
   OR NOT last_out MATCHES "credit +done[^\n]*\"amount\":\"250\"")
  message(FATAL_ERROR "plan run printed\n${last_out}")
endif()
if(NOT EXISTS ${WORK}/chain.db)
  message(FATAL_ERROR "the EVM domain's state is not next to the plan file")
endif()
expect(status 0 ${CLI} plan status --journal ${_j})
if(NOT last_out MATCHES "plan cli-evm-pay: completed")
  message(FATAL_ERROR "plan status printed\n${last_out}")
endif()
expect(overdraw 122 ${CLI} plan run ${WORK}/overdraw.json --journal ${_j})
if(NOT last_out MATCHES "plan cli-evm-overdraw: compensated" OR NOT last_out MATCHES "Insufficient\\(1000, 5000\\)")
  message(FATAL_ERROR "the overdrawing plan printed\n${last_out}")
endif()
