// causality/causality.hpp — everything the library offers, in one include.
#pragma once

#include <causality/air.hpp>
#include <causality/error.hpp>
#include <causality/field.hpp>
#include <causality/memory.hpp>
#include <causality/parallel.hpp>
#include <causality/resource.hpp>
#include <causality/stark.hpp>
#include <causality/version.hpp>
#include <causality/vm.hpp>
#include <causality/vm/prove.hpp>
#include <causality/xvm.hpp>
#include <causality/xvm/domains/native.hpp>
