/* Copyright 2026 The natfwt Authors.
 *
 * example_common.h: what every sample provider needs around the CPNatfwt*
 * API, in portable C: deep copies of transport IDs (spec 3.6: compare byte
 * for byte, copy to keep), UTF-8 friendly names as WCHAR strings, LUID
 * persistence for interface reuse (spec 4.2, 6.5), registration with the
 * spec's retry guidance, and key=value status lines on stdout.
 *
 * Thread-safety: the functions keep no state of their own; ExampleIdSet must
 * be guarded by its owner (the CP calls providers on its worker threads).
 */
#ifndef NATFWT_FACADE_EXAMPLES_EXAMPLE_COMMON_H_
#define NATFWT_FACADE_EXAMPLES_EXAMPLE_COMMON_H_

#include <stddef.h>
#include <stdint.h>

#include "cpnatfwt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Exit codes of the sample programs. */
enum {
  kExampleExitOk = 0,      /* stopped on request (SIGINT/SIGTERM) */
  kExampleExitFailure = 1, /* setup failed, or the CP ended the session */
  kExampleExitUsage = 2,   /* bad command line */
};

/* A deep copy of a transport ID: 4 (IPv4) or 16 (IPv6) bytes (spec D11). */
typedef struct ExampleTransportId {
  USHORT size;
  BYTE bytes[16];
} ExampleTransportId;

/* Copies `id` (owned by the CP, valid only during the callback). Returns 0,
 * or -1 when `id` is NULL, has no bytes, or is not 4 or 16 bytes long. */
int ExampleIdCopy(const CPNATFWT_TRANSPORT_ID* id, ExampleTransportId* out);
/* Points `view` at `id`'s bytes, for passing to the CP; `view` is valid as
 * long as `id` is. */
void ExampleIdView(ExampleTransportId* id, CPNATFWT_TRANSPORT_ID* view);
int ExampleIdEqual(const ExampleTransportId* a, const ExampleTransportId* b);
/* The address as text ("fd12:...", "100.64.0.7"). */
void ExampleIdFormat(const ExampleTransportId* id, char* out, size_t out_size);

/* A small set of transport IDs (a node has one IPv6 and maybe one IPv4 ID). */
enum { kExampleMaxIds = 8 };
typedef struct ExampleIdSet {
  ExampleTransportId ids[kExampleMaxIds];
  size_t count;
} ExampleIdSet;
/* Returns the index of `id`, or -1. */
int ExampleIdSetFind(const ExampleIdSet* set, const ExampleTransportId* id);
/* Finds the ID whose bytes are `bytes`/`size`; NULL when there is none. */
const ExampleTransportId* ExampleIdSetFindBytes(const ExampleIdSet* set,
                                                const BYTE* bytes, size_t size);
/* Returns 1 when added, 0 when already present, -1 when the set is full. */
int ExampleIdSetAdd(ExampleIdSet* set, const ExampleTransportId* id);
/* Returns 1 when removed, 0 when absent. */
int ExampleIdSetRemove(ExampleIdSet* set, const ExampleTransportId* id);

/* Converts NUL-terminated UTF-8 into a newly allocated WCHAR string
 * (UTF-16 where WCHAR is 16-bit, UTF-32 where it is 32-bit). Returns NULL for
 * invalid UTF-8 or when out of memory; free() the result. */
WCHAR* ExampleUtf8ToWide(const char* text);

/* Reads the LUID stored at `path` ("0x" + hex, as written by
 * ExampleLuidSave). Returns 1 when read, 0 when the file does not exist, -1
 * when it exists but holds no LUID. */
int ExampleLuidLoad(const char* path, uint64_t* luid);
/* Writes `luid` to `path`, replacing it. Returns 0 or -1. */
int ExampleLuidSave(const char* path, uint64_t luid);

/* Registers `instance` (spec 4.2), reacting to failures as the spec's table
 * recommends: ERROR_NOT_FOUND for a stored LUID (its interface is gone or
 * belongs to another provider) retries with a new interface; ERROR_BUSY and
 * ERROR_SERVICE_NOT_ACTIVE retry a few times after a pause; anything else is
 * returned. With `luid_file`, a stored LUID is asked for and the LUID in use
 * is saved. `*luid` receives the LUID in use on S_OK. */
HRESULT ExampleRegister(CPNATFWT_PROVIDER_INSTANCE instance,
                        const WCHAR* friendly_name, const char* luid_file,
                        uint64_t* luid);

/* Configures the CP runtime through its environment (read on the first
 * CPNatfwt* call): NATFWT_CP_IPV4=1 when `ipv4`, NATFWT_STATE_DIR when
 * `state_dir` is not NULL. Returns 0 or -1. */
int ExampleConfigureRuntime(int ipv4, const char* state_dir);

/* The symbolic name of an HRESULT this API uses ("S_OK", "ERROR_BUSY", ...)
 * or "HRESULT" for others. */
const char* ExampleHresultName(HRESULT hr);
const char* ExampleTerminationReasonName(
    CPNATFWT_SESSION_TERMINATION_REASON reason);

/* Prints one "key=value" status line to stdout and flushes it (tests and
 * scripts read these). Safe from any thread. */
void ExampleStatus(const char* key, const char* value_format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Options every sample provider understands. */
typedef struct ExampleCommonOptions {
  const char* name;      /* --name: friendly name, UTF-8 (NULL: default) */
  const char* luid_file; /* --luid-file: LUID persistence (NULL: none) */
  const char* state_dir; /* --state-dir: NATFWT_STATE_DIR (NULL: default) */
  int ipv4;              /* --ipv4: NATFWT_CP_IPV4=1 */
} ExampleCommonOptions;

/* Usage text for the common options. */
extern const char kExampleCommonUsage[];

/* The value of the option at argv[*index], advancing *index to it; NULL
 * (after a message naming `program`) when it is missing. */
const char* ExampleOptionValue(const char* program, int argc, char** argv,
                               int* index);
/* Parses argv[*index] when it is a common option. Returns 1 when it was one
 * (with *index advanced past its value), 0 when it is not, and -1 after a
 * message when its value is missing. */
int ExampleParseCommonOption(const char* program, int argc, char** argv,
                             int* index, ExampleCommonOptions* options);

/* Everything before Create: OS setup, stop handlers, the runtime's
 * environment (ExampleConfigureRuntime) and the friendly name as WCHAR
 * (*name: NULL or allocated, free() it). Returns 0, or the exit status after
 * a message: kExampleExitUsage when the name is not UTF-8,
 * kExampleExitFailure when the system refuses. */
int ExampleStartup(const char* program, const ExampleCommonOptions* options,
                   WCHAR** name);

/* The CALLBACKS table with version/size set and everything else zero. */
CPNATFWT_PROVIDER_CALLBACKS ExampleEmptyCallbacks(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* NATFWT_FACADE_EXAMPLES_EXAMPLE_COMMON_H_ */
