// Copyright 2026 The natfwt Authors.
//
// abi_layout.c built as C++: C and C++ callers must see one layout.
#include "abi_layout.c"  // NOLINT(build/include): the C program itself
