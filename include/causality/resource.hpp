// causality/resource.hpp — resources: the model (resource/resource.hpp), the Merkle input
// set, capabilities, the register file and execution context, resource-mapped memory, the
// error family, the durable ledger (resource/manager.hpp), and on the VM side the
// register extension, its circuit and proofs, batches and document 002's interfaces
// (vm/resource/).
#pragma once

#include <causality/resource/capability.hpp>
#include <causality/resource/errors.hpp>
#include <causality/resource/manager.hpp>
#include <causality/resource/memory.hpp>
#include <causality/resource/merkle.hpp>
#include <causality/resource/registers.hpp>
#include <causality/resource/resource.hpp>
#include <causality/vm/resource/batch.hpp>
#include <causality/vm/resource/extension.hpp>
#include <causality/vm/resource/chips.hpp>
#include <causality/vm/resource/interfaces.hpp>
#include <causality/vm/resource/proven.hpp>
#include <causality/vm/resource/statement.hpp>
