// causality/xvm.hpp — the cross-VM layer: adapters, broker, validation, plans, journal,
// executor and the ledger domain. The native zkVM domain is xvm/domains/native.hpp.
#pragma once

#include <causality/xvm/adapter.hpp>
#include <causality/xvm/broker.hpp>
#include <causality/xvm/domains/ledger.hpp>
#include <causality/xvm/errors.hpp>
#include <causality/xvm/executor.hpp>
#include <causality/xvm/journal.hpp>
#include <causality/xvm/plan.hpp>
#include <causality/xvm/translate.hpp>
#include <causality/xvm/validation.hpp>
