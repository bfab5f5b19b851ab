/* Copyright 2026 The natfwt Authors.
 *
 * The public header on its own, included first and twice: it must be
 * self-contained, guarded, and warning-free in every language mode and with
 * every compiler the abi suite tries (compile_check.sh).
 */
#include "cpnatfwt.h"

/* Names a provider's build may rely on, used once so an unused-declaration
 * warning cannot hide their absence. */
typedef CPNATFWT_CREATE_PROVIDER_INSTANCE_FUNC* CreateFunction;
typedef CPNATFWT_REGISTER_PROVIDER_INSTANCE_FUNC* RegisterFunction;

int main(void) {
  CreateFunction create = CPNatfwtCreateProviderInstance;
  RegisterFunction register_instance = CPNatfwtRegisterProviderInstance;
  return create != 0 && register_instance != 0 ? 0 : 1;
}
