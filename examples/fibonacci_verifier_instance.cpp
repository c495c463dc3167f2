// The one translation unit that compiles the examples' verifier (see stark/verifier.hpp,
// class Verifier): the others declare it `extern template`.
#include "fibonacci_statement.hpp"

template class causality::stark::Verifier<fibonacci_example::Config>;
