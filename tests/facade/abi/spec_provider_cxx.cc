// Copyright 2026 The natfwt Authors.
//
// spec_provider.c built as C++20: a provider written from the spec must
// compile, link (extern "C") and behave the same from C++.
#include "spec_provider.c"  // NOLINT(build/include): the C program itself
