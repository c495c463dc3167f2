// The one translation unit that compiles the examples' prover (see stark/prover.hpp,
// class Prover): the others declare it `extern template`.
#include "fibonacci_statement.hpp"

#include <causality/stark/prover.hpp>

template class causality::stark::Prover<fibonacci_example::Config>;
