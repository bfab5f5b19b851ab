/* Copyright 2026 The natfwt Authors. */

#include "example_common.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "example_os.h"

/* ExampleRegister: pauses and attempts for the "wait, then retry" errors. */
enum { kRegisterAttempts = 5, kRegisterPauseMs = 1000 };

int ExampleIdCopy(const CPNATFWT_TRANSPORT_ID* id, ExampleTransportId* out) {
  if (id == NULL || id->transportId == NULL ||
      (id->size != 4 && id->size != 16)) {
    return -1;
  }
  memset(out, 0, sizeof *out);
  out->size = id->size;
  memcpy(out->bytes, id->transportId, id->size);
  return 0;
}

void ExampleIdView(ExampleTransportId* id, CPNATFWT_TRANSPORT_ID* view) {
  view->size = id->size;
  view->transportId = id->bytes;
}

int ExampleIdEqual(const ExampleTransportId* a, const ExampleTransportId* b) {
  return a->size == b->size && memcmp(a->bytes, b->bytes, a->size) == 0;
}

void ExampleIdFormat(const ExampleTransportId* id, char* out, size_t out_size) {
  ExampleAddressFormat(id->bytes, id->size, out, out_size);
}

int ExampleIdSetFind(const ExampleIdSet* set, const ExampleTransportId* id) {
  size_t i;
  for (i = 0; i < set->count; ++i) {
    if (ExampleIdEqual(&set->ids[i], id)) return (int)i;
  }
  return -1;
}

const ExampleTransportId* ExampleIdSetFindBytes(const ExampleIdSet* set,
                                                const BYTE* bytes,
                                                size_t size) {
  size_t i;
  for (i = 0; i < set->count; ++i) {
    const ExampleTransportId* id = &set->ids[i];
    if (id->size == size && memcmp(id->bytes, bytes, size) == 0) return id;
  }
  return NULL;
}

int ExampleIdSetAdd(ExampleIdSet* set, const ExampleTransportId* id) {
  if (ExampleIdSetFind(set, id) >= 0) return 0;
  if (set->count == kExampleMaxIds) return -1;
  set->ids[set->count++] = *id;
  return 1;
}

int ExampleIdSetRemove(ExampleIdSet* set, const ExampleTransportId* id) {
  int index = ExampleIdSetFind(set, id);
  if (index < 0) return 0;
  set->ids[index] = set->ids[--set->count];
  return 1;
}

/* Decodes one UTF-8 sequence at `text`; returns its length (1-4) and stores
 * the code point, or returns 0 for an invalid, overlong or surrogate
 * sequence (RFC 3629 section 4). */
static size_t DecodeUtf8(const unsigned char* text, uint32_t* code_point) {
  static const uint32_t kMinimum[5] = {0, 0, 0x80, 0x800, 0x10000};
  size_t length;
  size_t i;
  uint32_t value;
  if (text[0] < 0x80) {
    *code_point = text[0];
    return 1;
  }
  if ((text[0] & 0xE0) == 0xC0) {
    length = 2;
    value = text[0] & 0x1Fu;
  } else if ((text[0] & 0xF0) == 0xE0) {
    length = 3;
    value = text[0] & 0x0Fu;
  } else if ((text[0] & 0xF8) == 0xF0) {
    length = 4;
    value = text[0] & 0x07u;
  } else {
    return 0;
  }
  for (i = 1; i < length; ++i) {
    if ((text[i] & 0xC0) != 0x80) return 0; /* also stops at the NUL */
    value = (value << 6) | (text[i] & 0x3Fu);
  }
  if (value < kMinimum[length] || value > 0x10FFFF ||
      (value >= 0xD800 && value <= 0xDFFF)) {
    return 0;
  }
  *code_point = value;
  return length;
}

WCHAR* ExampleUtf8ToWide(const char* text) {
  const unsigned char* in = (const unsigned char*)text;
  /* Every code unit comes from at least one byte (a 4-byte sequence gives at
   * most 2 UTF-16 units), so strlen + 1 units always suffice. */
  WCHAR* out = (WCHAR*)malloc((strlen(text) + 1) * sizeof(WCHAR));
  size_t used = 0;
  if (out == NULL) return NULL;
  while (*in != '\0') {
    uint32_t code_point = 0;
    size_t length = DecodeUtf8(in, &code_point);
    if (length == 0) {
      free(out);
      return NULL;
    }
    in += length;
    if (sizeof(WCHAR) == 2 && code_point > 0xFFFF) {
      code_point -= 0x10000;
      out[used++] = (WCHAR)(0xD800 + (code_point >> 10));
      out[used++] = (WCHAR)(0xDC00 + (code_point & 0x3FF));
    } else {
      out[used++] = (WCHAR)code_point;
    }
  }
  out[used] = 0;
  return out;
}

int ExampleLuidLoad(const char* path, uint64_t* luid) {
  char line[64];
  char* end = NULL;
  FILE* file = fopen(path, "r");
  if (file == NULL) return errno == ENOENT ? 0 : -1;
  if (fgets(line, (int)sizeof line, file) == NULL) {
    fclose(file);
    return -1;
  }
  fclose(file);
  errno = 0;
  *luid = (uint64_t)strtoull(line, &end, 16);
  if (errno != 0 || end == line || (*end != '\n' && *end != '\0')) return -1;
  return 1;
}

int ExampleLuidSave(const char* path, uint64_t luid) {
  FILE* file = fopen(path, "w");
  int ok;
  if (file == NULL) return -1;
  ok = fprintf(file, "0x%016" PRIx64 "\n", luid) > 0;
  ok = (fclose(file) == 0) && ok;
  return ok ? 0 : -1;
}

static int ShouldWaitAndRetry(HRESULT hr) {
  return hr == HRESULT_FROM_WIN32(ERROR_BUSY) ||
         hr == HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE);
}

/* One Register call with `requested` as the LUID to reuse (0: new). */
static HRESULT RegisterOnce(CPNATFWT_PROVIDER_INSTANCE instance,
                            const WCHAR* friendly_name, uint64_t requested,
                            uint64_t* luid) {
  IF_LUID value;
  HRESULT hr;
  value.Value = requested;
  /* The API takes non-const strings (spec 4.2); it does not write them. */
  hr = CPNatfwtRegisterProviderInstance(instance, (WCHAR*)friendly_name, &value,
                                        CPNATFWT_REGISTER_FLAG_NONE, NULL);
  if (hr == S_OK) *luid = value.Value;
  return hr;
}

HRESULT ExampleRegister(CPNATFWT_PROVIDER_INSTANCE instance,
                        const WCHAR* friendly_name, const char* luid_file,
                        uint64_t* luid) {
  uint64_t requested = 0;
  HRESULT hr = E_UNEXPECTED;
  int attempt;
  if (luid_file != NULL && ExampleLuidLoad(luid_file, &requested) < 0) {
    ExampleStatus("warning", "%s holds no LUID; asking for a new interface",
                  luid_file);
    requested = 0;
  }
  for (attempt = 1; attempt <= kRegisterAttempts; ++attempt) {
    hr = RegisterOnce(instance, friendly_name, requested, luid);
    if (hr == HRESULT_FROM_WIN32(ERROR_NOT_FOUND) && requested != 0) {
      /* "Change the arguments, then retry" (spec 4.2). */
      ExampleStatus("warning",
                    "LUID 0x%016" PRIx64
                    " is not ours any more; "
                    "asking for a new interface",
                    requested);
      requested = 0;
      hr = RegisterOnce(instance, friendly_name, requested, luid);
    }
    if (!ShouldWaitAndRetry(hr) || ExampleStopRequested()) break;
    ExampleSleepMs(kRegisterPauseMs); /* "Wait, then retry" (spec 4.2). */
  }
  if (hr == S_OK && luid_file != NULL && ExampleLuidSave(luid_file, *luid)) {
    ExampleStatus("warning", "could not save the LUID to %s", luid_file);
  }
  return hr;
}

int ExampleConfigureRuntime(int ipv4, const char* state_dir) {
  if (ipv4 && ExampleSetEnv("NATFWT_CP_IPV4", "1") != 0) return -1;
  if (state_dir != NULL && ExampleSetEnv("NATFWT_STATE_DIR", state_dir) != 0) {
    return -1;
  }
  return 0;
}

const char* ExampleHresultName(HRESULT hr) {
  static const struct {
    HRESULT hr;
    const char* name;
  } kNames[] = {
      {S_OK, "S_OK"},
      {E_INVALIDARG, "E_INVALIDARG"},
      {E_POINTER, "E_POINTER"},
      {E_OUTOFMEMORY, "E_OUTOFMEMORY"},
      {E_ACCESSDENIED, "E_ACCESSDENIED"},
      {E_UNEXPECTED, "E_UNEXPECTED"},
      {HRESULT_FROM_WIN32(ERROR_IO_PENDING), "ERROR_IO_PENDING"},
      {HRESULT_FROM_WIN32(ERROR_INVALID_STATE), "ERROR_INVALID_STATE"},
      {HRESULT_FROM_WIN32(ERROR_NOT_FOUND), "ERROR_NOT_FOUND"},
      {HRESULT_FROM_WIN32(ERROR_BUSY), "ERROR_BUSY"},
      {HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE),
       "ERROR_SERVICE_NOT_ACTIVE"},
      {HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED), "ERROR_NOT_SUPPORTED"},
      {HRESULT_FROM_WIN32(ERROR_DUP_NAME), "ERROR_DUP_NAME"},
      {HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE), "ERROR_HOST_UNREACHABLE"},
      {HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED), "ERROR_OPERATION_ABORTED"},
      {HRESULT_FROM_WIN32(ERROR_INVALID_DATA), "ERROR_INVALID_DATA"},
      {HRESULT_FROM_WIN32(ERROR_NO_SYSTEM_RESOURCES),
       "ERROR_NO_SYSTEM_RESOURCES"},
  };
  size_t i;
  for (i = 0; i < sizeof kNames / sizeof kNames[0]; ++i) {
    if (kNames[i].hr == hr) return kNames[i].name;
  }
  return "HRESULT";
}

const char* ExampleTerminationReasonName(
    CPNATFWT_SESSION_TERMINATION_REASON reason) {
  switch (reason) {
    case CPNATFWT_SESSION_TERMINATION_PROVIDER_REQUEST:
      return "PROVIDER_REQUEST";
    case CPNATFWT_SESSION_TERMINATION_PLATFORM_SHUTDOWN:
      return "PLATFORM_SHUTDOWN";
    case CPNATFWT_SESSION_TERMINATION_PROVIDER_TIMEOUT:
      return "PROVIDER_TIMEOUT";
    case CPNATFWT_SESSION_TERMINATION_PROVIDER_OTHER_FAILURE:
      return "PROVIDER_OTHER_FAILURE";
    case CPNATFWT_SESSION_TERMINATION_OTHER_COMMUNICATION_ERROR:
      return "OTHER_COMMUNICATION_ERROR";
  }
  return "UNKNOWN";
}

void ExampleStatus(const char* key, const char* value_format, ...) {
  char line[512];
  int used = snprintf(line, sizeof line, "%s=", key);
  va_list arguments;
  if (used < 0 || (size_t)used >= sizeof line) return;
  va_start(arguments, value_format);
  vsnprintf(line + used, sizeof line - (size_t)used, value_format, arguments);
  va_end(arguments);
  /* One call per line: stdio locks the stream for it, so lines from the CP's
   * threads and the main thread never interleave. */
  fprintf(stdout, "%s\n", line);
  fflush(stdout);
}

CPNATFWT_PROVIDER_CALLBACKS ExampleEmptyCallbacks(void) {
  CPNATFWT_PROVIDER_CALLBACKS callbacks;
  memset(&callbacks, 0, sizeof callbacks);
  callbacks.version = CPNATFWT_PROVIDER_CALLBACKS_VERSION_1;
  callbacks.size = (USHORT)sizeof callbacks;
  return callbacks;
}

const char kExampleCommonUsage[] =
    "  --name NAME            interface friendly name (UTF-8)\n"
    "  --luid-file PATH       reuse the interface whose LUID is stored here,"
    " and store it\n"
    "  --ipv4                 also ask for an IPv4 transport ID\n"
    "  --state-dir DIR        where the CP keeps its association records\n";

const char* ExampleOptionValue(const char* program, int argc, char** argv,
                               int* index) {
  if (*index + 1 >= argc) {
    fprintf(stderr, "%s: %s needs a value\n", program, argv[*index]);
    return NULL;
  }
  return argv[++*index];
}

int ExampleParseCommonOption(const char* program, int argc, char** argv,
                             int* index, ExampleCommonOptions* options) {
  const char* option = argv[*index];
  const char** target = NULL;
  if (strcmp(option, "--ipv4") == 0) {
    options->ipv4 = 1;
    return 1;
  }
  if (strcmp(option, "--name") == 0) target = &options->name;
  if (strcmp(option, "--luid-file") == 0) target = &options->luid_file;
  if (strcmp(option, "--state-dir") == 0) target = &options->state_dir;
  if (target == NULL) return 0;
  *target = ExampleOptionValue(program, argc, argv, index);
  return *target != NULL ? 1 : -1;
}

int ExampleStartup(const char* program, const ExampleCommonOptions* options,
                   WCHAR** name) {
  char error[256];
  *name = NULL;
  if (ExampleOsInit(error, sizeof error) != 0 ||
      ExampleInstallStopHandlers(error, sizeof error) != 0) {
    fprintf(stderr, "%s: %s\n", program, error);
    return kExampleExitFailure;
  }
  if (ExampleConfigureRuntime(options->ipv4, options->state_dir) != 0) {
    fprintf(stderr, "%s: cannot set the environment\n", program);
    return kExampleExitFailure;
  }
  if (options->name == NULL) return 0;
  *name = ExampleUtf8ToWide(options->name);
  if (*name == NULL) {
    fprintf(stderr, "%s: --name is not valid UTF-8\n", program);
    return kExampleExitUsage;
  }
  ExampleStatus("name", "%s", options->name);
  return 0;
}
