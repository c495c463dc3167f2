// Negative tests of VM proofs: prove options whose test-only hook corrupts the trace of the
// AIR named `air` just before the STARK proves it.
#pragma once

#include <causality/vm/prove.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <string>

namespace vmtest {

template <class SC>
causality::vm::VmProveOptions<SC> tampering(std::string air,
                                            std::function<void(causality::field::RowMajorMatrix<typename SC::Field>&)> edit) {
    causality::vm::VmProveOptions<SC> options;
    options.tamper_for_testing = [air, edit](std::span<const causality::stark::AirRef<SC>> airs,
                                             std::vector<causality::field::RowMajorMatrix<typename SC::Field>>& traces) {
        for (std::size_t k = 0; k < airs.size(); ++k)
            if (airs[k].shape().name == air) return edit(traces[k]);
        FAIL("no AIR named " << air);
    };
    return options;
}

}  // namespace vmtest
