# causality plan: a plan across a native zkVM domain and a ledger (a proven value credited
# after the ledger's step verified the proof), its status and a resume with nothing left;
# a plan that fails and compensates; one that validation rejects; bad plan files.
# Run by CTest as `cmake -DCLI=... -DGUESTS=... -DWORK=... -P plan.cmake`.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/expect.cmake)
set(_j ${WORK}/journal.db)

# Relative database paths are the plan file's folder's.
file(WRITE ${WORK}/pay.json [=[
{"plan": "cli-pay", "workers": 2,
 "domains": [{"domain": "zk", "type": "native-zkvm", "interface": "1.0", "db": "zk.db", "programs": {"fib": "%GUESTS%/fibonacci.elf"}},
             {"domain": "bank", "type": "ledger", "db": "bank.db", "flaky": {"mint": 1}}],
 "steps": [
  {"id": "prove", "domain": "zk", "operation": "run", "params": {"program": "fib", "input_hex": "0a000000", "prove": true}},
  {"id": "open", "domain": "bank", "operation": "open", "params": {"account": "carol", "owner": "carol"}},
  {"id": "mint", "domain": "bank", "operation": "mint", "params": {"account": "carol", "amount": "5"}, "depends_on": ["open"],
   "retry": {"attempts": 3, "backoff_ms": 1}, "compensation": {"operation": "burn", "params": {"account": "carol", "amount": "5"}}},
  {"id": "credit", "domain": "bank", "operation": "credit_on_proof", "message_from": "prove", "depends_on": ["mint"],
   "params": {"account": "carol", "program": "fib", "value": 0}}
 ]}
]=])
file(READ ${WORK}/pay.json _pay)
string(REPLACE "%GUESTS%" "${GUESTS}" _pay "${_pay}")
file(WRITE ${WORK}/pay.json "${_pay}")
expect(run 0 ${CLI} plan run ${WORK}/pay.json --journal ${_j})
if(NOT last_out MATCHES "plan cli-pay: completed" OR NOT last_out MATCHES "prove +done +attempts 1[^\n]*proof [0-9]+ bytes"
   OR NOT last_out MATCHES "mint +done +attempts 2" OR NOT last_out MATCHES "credit +done[^\n]*\"amount\":\"55\"")
  message(FATAL_ERROR "plan run printed\n${last_out}")
endif()
if(NOT EXISTS ${WORK}/bank.db OR NOT EXISTS ${WORK}/zk.db)
  message(FATAL_ERROR "the domains' databases are not next to the plan file")
endif()
expect(status 0 ${CLI} plan status --journal ${_j})
if(NOT last_out MATCHES "plan cli-pay: completed" OR NOT last_out MATCHES "credit +done +attempts 1  nonce 0")
  message(FATAL_ERROR "plan status printed\n${last_out}")
endif()
expect(resume 0 ${CLI} plan resume --journal ${_j})
if(NOT last_out MATCHES "no unfinished plan")
  message(FATAL_ERROR "plan resume printed\n${last_out}")
endif()

# A step the ledger refuses: the done steps are compensated.
file(WRITE ${WORK}/fail.json [=[
{"plan": "cli-fail", "domains": [{"domain": "bank", "type": "ledger", "db": "bank2.db"}],
 "steps": [
  {"id": "open", "domain": "bank", "operation": "open", "params": {"account": "a", "owner": "a"}},
  {"id": "mint", "domain": "bank", "operation": "mint", "params": {"account": "a", "amount": 10}, "depends_on": ["open"],
   "compensation": {"operation": "burn", "params": {"account": "a", "amount": 10}}},
  {"id": "spend", "domain": "bank", "operation": "burn", "params": {"account": "a", "amount": 11}, "depends_on": ["mint"]}]}
]=])
expect(fail 122 ${CLI} plan run ${WORK}/fail.json --journal ${_j})
if(NOT last_out MATCHES "plan cli-fail: compensated" OR NOT last_out MATCHES "mint +compensated" OR NOT last_out MATCHES "holds 10, less than 11")
  message(FATAL_ERROR "failing plan printed\n${last_out}")
endif()

# Validation: an operation the domain does not have; nothing runs.
file(WRITE ${WORK}/invalid.json [=[
{"plan": "cli-invalid", "domains": [{"domain": "bank", "type": "ledger", "db": "bank3.db"}],
 "steps": [{"id": "open", "domain": "bank", "operation": "open", "params": {"account": "a", "owner": "a"}},
           {"id": "fly", "domain": "bank", "operation": "teleport"}]}
]=])
expect(invalid 124 ${CLI} plan run ${WORK}/invalid.json --journal ${_j})
if(NOT last_out MATCHES "plan cli-invalid: rejected" OR NOT last_out MATCHES "step 'fly': operation: domain 'bank' has no operation 'teleport'")
  message(FATAL_ERROR "invalid plan printed\n${last_out}")
endif()

# Bad files and usage.
file(WRITE ${WORK}/cycle.json [=[
{"plan": "cli-cycle", "domains": [{"domain": "bank", "type": "ledger"}],
 "steps": [{"id": "a", "domain": "bank", "operation": "open", "depends_on": ["b"]},
           {"id": "b", "domain": "bank", "operation": "open", "depends_on": ["a"]}]}
]=])
expect(cycle 121 ${CLI} plan run ${WORK}/cycle.json --journal ${_j})
if(NOT last_err MATCHES "the dependencies form a cycle: a -> b -> a")
  message(FATAL_ERROR "cycle: ${last_err}")
endif()
file(WRITE ${WORK}/broken.json "{\"plan\": ")
expect(broken 121 ${CLI} plan run ${WORK}/broken.json --journal ${_j})
file(WRITE ${WORK}/type.json [=[{"plan": "t", "domains": [{"domain": "x", "type": "cosmwasm"}], "steps": []}]=])
expect(type 121 ${CLI} plan run ${WORK}/type.json --journal ${_j})
if(NOT last_err MATCHES "no factory for VM type 'cosmwasm'")
  message(FATAL_ERROR "unknown type: ${last_err}")
endif()
expect(missing 121 ${CLI} plan run ${WORK}/none.json --journal ${_j})
expect(usage 120 ${CLI} plan run ${WORK}/pay.json)
expect(usage2 120 ${CLI} plan fly --journal ${_j})
expect(workers 120 ${CLI} plan run ${WORK}/pay.json --journal ${_j} --workers 0)
file(WRITE ${WORK}/not_a_journal.db "not sqlite")
expect(journal 121 ${CLI} plan status --journal ${WORK}/not_a_journal.db)
