/* Copyright 2026 The natfwt Authors.
 *
 * udp_provider: a complete CPNatfwt provider that carries the packets of its
 * Connectivity Platform interface to ONE peer over a plain UDP socket. There
 * is no NAT traversal: the peer's UDP address is configured. It shows every
 * part of the provider side of the API (spec sections 4-8) in portable C.
 *
 *   udp_provider --listen 10.0.0.1:5000 --peer 10.0.0.2:5000 --name "Lab link"
 *
 * Transport IDs (spec 3.6, 7.3). The CP generates them; a provider only
 * copies and compares them. This provider learns both sides at run time:
 *   - its own IDs arrive with ADD_TRANSPORT_ID; each is announced to the peer
 *     in a HELLO datagram;
 *   - the peer's IDs are the ones carried by the HELLOs it receives (from the
 *     configured peer address only). --peer-id adds one statically.
 * REACH_TRANSPORT_ID answers S_OK exactly for the peer's known IDs and
 * HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE) for anything else; ADD answers
 * HRESULT_FROM_WIN32(ERROR_DUP_NAME) when the peer already owns the address.
 *
 * Wire format: one message per UDP datagram, from/to the configured peer.
 *
 *   DATA   +-----+----------------------------------------+
 *          | 'D' | one whole IP packet (spec 7.1)          |
 *          +-----+----------------------------------------+
 *   HELLO  +-----+-------+------+--------------------------+
 *          | 'H' | flags | size | transport ID (size bytes) |  size: 4 or 16
 *          +-----+-------+------+--------------------------+
 *          flags bit 0, KNOWS_YOU: the sender already knows one of the
 *          receiver's IDs. A HELLO without it is answered with HELLOs for
 *          all the receiver's IDs, so both sides learn each other whichever
 *          starts first. HELLOs repeat every second until a peer ID is
 *          known, then every 10 s (implementation choices).
 *   BYE    +-----+------+--------------------------+
 *          | 'B' | size | transport ID (size bytes) |  the ID was withdrawn
 *          +-----+------+--------------------------+
 *
 * Threads: the main thread receives datagrams and indicates them to the CP
 * (CPNatfwtIndicateReceivedBuffers); the CP's worker threads run the
 * callbacks, which send on the same socket. Shared state is guarded by one
 * mutex that is never held across a call into the CP.
 *
 * Output: one key=value line per event on stdout (luid=, transport_id=,
 * peer_id=, session=, terminated=, and counters at exit); errors on stderr.
 * Exit status: 0 after SIGINT/SIGTERM, 1 when setup fails or the CP ends the
 * session itself, 2 for a bad command line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpnatfwt.h"
#include "example_common.h"
#include "example_os.h"

enum {
  kTypeData = 'D',
  kTypeHello = 'H',
  kTypeBye = 'B',
  kHelloKnowsYou = 0x01,
  /* Largest datagram: the type byte and the largest IP packet. */
  kMaxDatagram = 1 + 65535,
  /* Receive slots the CP may hold at once when it pends indications. */
  kMaxPendedIndications = 64,
  kPollMs = 200,
  kHelloSearchMs = 1000,
  kHelloKeepaliveMs = 10000,
};

static const BYTE kDataType = kTypeData;

typedef struct Options {
  ExampleCommonOptions common;
  ExampleEndpoint listen;
  ExampleEndpoint peer;
  ExampleIdSet static_peer_ids;
  int have_listen;
  int have_peer;
  int indicate_completion;
} Options;

/* One received datagram and the structures that describe it to the CP; the
 * CP owns all of it while an indication is pended. */
typedef struct ReceiveSlot {
  CPNATFWT_BUFFER chain[2];
  ExampleTransportId local;
  ExampleTransportId remote;
  CPNATFWT_TRANSPORT_ID local_view;
  CPNATFWT_TRANSPORT_ID remote_view;
  BYTE datagram[kMaxDatagram];
} ReceiveSlot;

typedef struct Stats {
  uint64_t packets_sent;       /* SEND_BUFFERS put on the wire */
  uint64_t send_drops;         /* SEND_BUFFERS dropped: socket buffer full */
  uint64_t send_refused;       /* SEND_BUFFERS failed (unknown peer, error) */
  uint64_t packets_received;   /* DATA datagrams from the peer */
  uint64_t packets_indicated;  /* accepted by the CP */
  uint64_t indicate_errors;    /* refused by the CP */
  uint64_t indications_pended; /* the CP returned ERROR_IO_PENDING */
  uint64_t unknown_ids;        /* DATA whose addresses are not known IDs */
  uint64_t malformed;          /* not one of our messages */
  uint64_t foreign;            /* datagrams from anyone but the peer */
  uint64_t reach_ok;
  uint64_t reach_unreachable;
} Stats;

typedef struct Provider {
  Options options;
  ExampleSocket* socket;
  ExampleMutex* mutex;
  CPNATFWT_PROVIDER_INSTANCE instance;
  /* Guarded by mutex. */
  ExampleIdSet local_ids;
  ExampleIdSet peer_ids;
  int terminated;
  size_t pended_slots;
  HRESULT first_indicate_error;
  Stats stats;
} Provider;

/* ---------------------------------------------------------------------------
 * Messages to the peer
 * ------------------------------------------------------------------------- */

static void SendHello(Provider* provider, const ExampleTransportId* id,
                      int knows_peer) {
  BYTE header[3];
  ExampleSegment segments[2];
  header[0] = kTypeHello;
  header[1] = (BYTE)(knows_peer ? kHelloKnowsYou : 0);
  header[2] = (BYTE)id->size;
  segments[0].data = header;
  segments[0].size = sizeof header;
  segments[1].data = id->bytes;
  segments[1].size = id->size;
  (void)ExampleSocketSend(provider->socket, &provider->options.peer, segments,
                          2);
}

/* Announces every local ID. Returns nonzero when a peer ID is known. */
static int SendHellos(Provider* provider) {
  ExampleIdSet local;
  int knows_peer;
  size_t i;
  ExampleMutexLock(provider->mutex);
  local = provider->local_ids;
  knows_peer = provider->peer_ids.count > 0;
  ExampleMutexUnlock(provider->mutex);
  for (i = 0; i < local.count; ++i) {
    SendHello(provider, &local.ids[i], knows_peer);
  }
  return knows_peer;
}

static void SendBye(Provider* provider, const ExampleTransportId* id) {
  BYTE header[2];
  ExampleSegment segments[2];
  header[0] = kTypeBye;
  header[1] = (BYTE)id->size;
  segments[0].data = header;
  segments[0].size = sizeof header;
  segments[1].data = id->bytes;
  segments[1].size = id->size;
  (void)ExampleSocketSend(provider->socket, &provider->options.peer, segments,
                          2);
}

/* ---------------------------------------------------------------------------
 * Callbacks (CP worker threads, spec section 5)
 * ------------------------------------------------------------------------- */

static VOID CALLBACK OnEstablish(CPNATFWT_PROVIDER_INSTANCE instance,
                                 PVOID context) {
  (void)instance;
  (void)context;
  ExampleStatus("session", "established");
}

static VOID CALLBACK OnTerminate(CPNATFWT_PROVIDER_INSTANCE instance,
                                 PVOID context,
                                 CPNATFWT_SESSION_TERMINATION_REASON reason) {
  Provider* provider = (Provider*)context;
  (void)instance;
  /* Only a flag: the main thread deregisters and destroys (spec 6.3 B;
   * Destroy must not be called from inside this callback). */
  ExampleMutexLock(provider->mutex);
  provider->terminated = 1;
  ExampleMutexUnlock(provider->mutex);
  ExampleStatus("terminated", "%s", ExampleTerminationReasonName(reason));
}

static HRESULT CALLBACK OnTransitionActive(
    CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
    PVOID completion_context, CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  (void)instance;
  (void)context;
  (void)completion_context;
  (void)routine;
  /* Nothing to set up for a plain UDP path: done synchronously. */
  ExampleStatus("session", "active");
  return S_OK;
}

static HRESULT CALLBACK OnTransitionDormant(
    CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
    PVOID completion_context, CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  (void)instance;
  (void)context;
  (void)completion_context;
  (void)routine;
  ExampleStatus("session", "dormant");
  return S_OK;
}

static HRESULT CALLBACK
OnAddTransportId(CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
                 CPNATFWT_TRANSPORT_ID* transport_id, PVOID completion_context,
                 CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  Provider* provider = (Provider*)context;
  ExampleTransportId id;
  char text[64];
  int duplicate;
  int knows_peer;
  int added = 0;
  (void)instance;
  (void)completion_context;
  (void)routine;
  if (ExampleIdCopy(transport_id, &id) != 0) return E_INVALIDARG;
  ExampleIdFormat(&id, text, sizeof text);
  ExampleMutexLock(provider->mutex);
  duplicate = ExampleIdSetFind(&provider->peer_ids, &id) >= 0;
  if (!duplicate) added = ExampleIdSetAdd(&provider->local_ids, &id);
  knows_peer = provider->peer_ids.count > 0;
  ExampleMutexUnlock(provider->mutex);
  if (duplicate) {
    /* The peer owns this address: the CP picks another (spec 5.5). */
    ExampleStatus("duplicate_id", "%s", text);
    return HRESULT_FROM_WIN32(ERROR_DUP_NAME);
  }
  if (added < 0) return E_OUTOFMEMORY;
  ExampleStatus("transport_id", "%s", text);
  SendHello(provider, &id, knows_peer);
  return S_OK;
}

static HRESULT CALLBACK OnRemoveTransportId(
    CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
    CPNATFWT_TRANSPORT_ID* transport_id, PVOID completion_context,
    CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  Provider* provider = (Provider*)context;
  ExampleTransportId id;
  char text[64];
  (void)instance;
  (void)completion_context;
  (void)routine;
  if (ExampleIdCopy(transport_id, &id) != 0) return E_INVALIDARG;
  ExampleMutexLock(provider->mutex);
  (void)ExampleIdSetRemove(&provider->local_ids, &id);
  ExampleMutexUnlock(provider->mutex);
  SendBye(provider, &id);
  ExampleIdFormat(&id, text, sizeof text);
  ExampleStatus("removed_id", "%s", text);
  return S_OK;
}

static HRESULT CALLBACK OnReachTransportId(
    CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
    CPNATFWT_TRANSPORT_ID* transport_id, PVOID completion_context,
    CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  Provider* provider = (Provider*)context;
  ExampleTransportId id;
  int known;
  (void)instance;
  (void)completion_context;
  (void)routine;
  if (ExampleIdCopy(transport_id, &id) != 0) return E_INVALIDARG;
  ExampleMutexLock(provider->mutex);
  known = ExampleIdSetFind(&provider->peer_ids, &id) >= 0;
  if (known) {
    ++provider->stats.reach_ok;
  } else {
    ++provider->stats.reach_unreachable;
  }
  ExampleMutexUnlock(provider->mutex);
  /* Exactly one peer owns a known ID, and the UDP path always exists. */
  return known ? S_OK : HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE);
}

/* The datagram's segments: the type byte, then the chain's non-empty
 * segments. Returns the count, or 0 when the chain is too long. */
static size_t GatherChain(const CPNATFWT_BUFFER* chain,
                          ExampleSegment* segments, size_t capacity) {
  size_t count = 1;
  segments[0].data = &kDataType;
  segments[0].size = 1;
  for (; chain != NULL; chain = chain->next) {
    if (chain->size == 0) continue; /* allowed and skipped (spec 7.1) */
    if (count == capacity || chain->buffer == NULL) return 0;
    segments[count].data = chain->buffer;
    segments[count].size = chain->size;
    ++count;
  }
  return count;
}

static HRESULT CALLBACK OnSendBuffers(
    CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
    CPNATFWT_TRANSPORT_ID* local_id, CPNATFWT_TRANSPORT_ID* remote_id,
    UINT64 endpoint_luid, CPNATFWT_BUFFER* chain, PVOID completion_context,
    CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  Provider* provider = (Provider*)context;
  ExampleSegment segments[64];
  ExampleTransportId remote;
  size_t count;
  int known;
  int result = kExampleSendFailed;
  (void)instance;
  (void)local_id;
  (void)endpoint_luid; /* one socket, sent synchronously: order is kept */
  (void)completion_context;
  (void)routine;
  if (ExampleIdCopy(remote_id, &remote) != 0) return E_INVALIDARG;
  count = GatherChain(chain, segments, sizeof segments / sizeof segments[0]);
  ExampleMutexLock(provider->mutex);
  known = ExampleIdSetFind(&provider->peer_ids, &remote) >= 0;
  ExampleMutexUnlock(provider->mutex);
  if (known && count > 1) {
    /* The chain is read here, during the call, so S_OK hands it back. */
    result = ExampleSocketSend(provider->socket, &provider->options.peer,
                               segments, count);
  }
  ExampleMutexLock(provider->mutex);
  if (result == kExampleSendOk) ++provider->stats.packets_sent;
  if (result == kExampleSendDropped) ++provider->stats.send_drops;
  if (result == kExampleSendFailed) ++provider->stats.send_refused;
  ExampleMutexUnlock(provider->mutex);
  if (count <= 1) return E_INVALIDARG;
  /* A dropped datagram still counts as accepted: IP semantics (spec 5.8). */
  return result == kExampleSendFailed
             ? HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE)
             : S_OK;
}

/* The CP is done with a pended indication: the slot is ours again. */
static VOID CALLBACK OnIndicateCompleted(CPNATFWT_PROVIDER_INSTANCE instance,
                                         PVOID context,
                                         PVOID completion_context,
                                         CPNATFWT_BUFFER* chain,
                                         HRESULT status) {
  Provider* provider = (Provider*)context;
  (void)instance;
  (void)chain;
  ExampleMutexLock(provider->mutex);
  --provider->pended_slots;
  if (SUCCEEDED(status)) {
    ++provider->stats.packets_indicated;
  } else {
    ++provider->stats.indicate_errors;
  }
  ExampleMutexUnlock(provider->mutex);
  free(completion_context);
}

/* ---------------------------------------------------------------------------
 * Received datagrams (main thread)
 * ------------------------------------------------------------------------- */

/* Finds the source and destination addresses of an IP packet (RFC 791
 * section 3.1: at 12 and 16; RFC 8200 section 3: at 8 and 24). Returns the
 * address size (4 or 16) and the fixed header length, or 0. */
static size_t PacketAddresses(const BYTE* packet, size_t size,
                              const BYTE** source, const BYTE** destination,
                              size_t* header_length) {
  if (size >= 20 && packet[0] >> 4 == 4) {
    *source = packet + 12;
    *destination = packet + 16;
    *header_length = 20;
    return 4;
  }
  if (size >= 40 && packet[0] >> 4 == 6) {
    *source = packet + 8;
    *destination = packet + 24;
    *header_length = 40;
    return 16;
  }
  return 0;
}

/* Fills the slot's transport IDs from the packet's addresses: destination =
 * one of our IDs, source = one of the peer's (spec 4.5). Returns 0 or -1. */
static int MatchIds(Provider* provider, ReceiveSlot* slot, size_t size,
                    size_t* header_length) {
  const BYTE* source = NULL;
  const BYTE* destination = NULL;
  const ExampleTransportId* local = NULL;
  const ExampleTransportId* remote = NULL;
  size_t address_size = PacketAddresses(slot->datagram + 1, size, &source,
                                        &destination, header_length);
  if (address_size == 0) return -1;
  ExampleMutexLock(provider->mutex);
  local =
      ExampleIdSetFindBytes(&provider->local_ids, destination, address_size);
  remote = ExampleIdSetFindBytes(&provider->peer_ids, source, address_size);
  if (local != NULL && remote != NULL) {
    slot->local = *local;
    slot->remote = *remote;
  }
  ExampleMutexUnlock(provider->mutex);
  return local != NULL && remote != NULL ? 0 : -1;
}

static void CountIndication(Provider* provider, HRESULT hr) {
  ExampleMutexLock(provider->mutex);
  if (hr == S_OK) {
    ++provider->stats.packets_indicated;
  } else if (hr == HRESULT_FROM_WIN32(ERROR_IO_PENDING)) {
    ++provider->stats.indications_pended;
  } else {
    ++provider->stats.indicate_errors;
    if (provider->first_indicate_error == S_OK) {
      provider->first_indicate_error = hr;
    }
  }
  ExampleMutexUnlock(provider->mutex);
}

/* Indicates the packet in *slot. With --indicate-completion the CP may keep
 * the slot (ERROR_IO_PENDING): a fresh one then replaces it in *slot. */
static void IndicatePacket(Provider* provider, ReceiveSlot** slot) {
  ReceiveSlot* current = *slot;
  ReceiveSlot* spare = NULL;
  HRESULT hr;
  ExampleIdView(&current->local, &current->local_view);
  ExampleIdView(&current->remote, &current->remote_view);
  if (provider->options.indicate_completion) {
    ExampleMutexLock(provider->mutex);
    if (provider->pended_slots < kMaxPendedIndications) {
      spare = (ReceiveSlot*)malloc(sizeof *spare);
      if (spare != NULL) ++provider->pended_slots;
    }
    ExampleMutexUnlock(provider->mutex);
  }
  /* From here until a pended indication completes, the CP owns `current`:
   * the completion may even run before this call returns (spec 4.5). */
  hr = CPNatfwtIndicateReceivedBuffers(
      provider->instance, &current->local_view, &current->remote_view,
      current->chain, spare != NULL ? current : NULL,
      spare != NULL ? OnIndicateCompleted : NULL);
  CountIndication(provider, hr);
  if (hr == HRESULT_FROM_WIN32(ERROR_IO_PENDING)) {
    *slot = spare;
    return;
  }
  if (spare != NULL) {
    ExampleMutexLock(provider->mutex);
    --provider->pended_slots;
    ExampleMutexUnlock(provider->mutex);
    free(spare);
  }
}

static void HandleData(Provider* provider, ReceiveSlot** slot, size_t size) {
  ReceiveSlot* current = *slot;
  size_t header_length = 0;
  ExampleMutexLock(provider->mutex);
  ++provider->stats.packets_received;
  ExampleMutexUnlock(provider->mutex);
  if (MatchIds(provider, current, size, &header_length) != 0) {
    ExampleMutexLock(provider->mutex);
    ++provider->stats.unknown_ids;
    ExampleMutexUnlock(provider->mutex);
    return;
  }
  /* Two segments, header and payload, as a decapsulating provider often has
   * them; the CP gathers the chain (spec 3.5). */
  current->chain[0].next = &current->chain[1];
  current->chain[0].size = (ULONG)header_length;
  current->chain[0].buffer = current->datagram + 1;
  current->chain[1].next = NULL;
  current->chain[1].size = (ULONG)(size - header_length);
  current->chain[1].buffer = current->datagram + 1 + header_length;
  IndicatePacket(provider, slot);
}

static void HandleHello(Provider* provider, const BYTE* message, size_t size) {
  ExampleTransportId id;
  char text[64];
  int ours;
  int added = 0;
  if (size < 3 || (message[2] != 4 && message[2] != 16) ||
      size != 3u + message[2]) {
    return;
  }
  id.size = message[2];
  memcpy(id.bytes, message + 3, id.size);
  ExampleIdFormat(&id, text, sizeof text);
  ExampleMutexLock(provider->mutex);
  ours = ExampleIdSetFind(&provider->local_ids, &id) >= 0;
  if (!ours) added = ExampleIdSetAdd(&provider->peer_ids, &id);
  ExampleMutexUnlock(provider->mutex);
  if (ours) ExampleStatus("conflict", "the peer announces our ID %s", text);
  if (added > 0) ExampleStatus("peer_id", "%s", text);
  if (added < 0)
    ExampleStatus("warning", "too many peer IDs; %s ignored", text);
  if ((message[1] & kHelloKnowsYou) == 0) (void)SendHellos(provider);
}

static void HandleBye(Provider* provider, const BYTE* message, size_t size) {
  ExampleTransportId id;
  char text[64];
  int removed;
  if (size < 2 || (message[1] != 4 && message[1] != 16) ||
      size != 2u + message[1]) {
    return;
  }
  id.size = message[1];
  memcpy(id.bytes, message + 2, id.size);
  ExampleMutexLock(provider->mutex);
  removed = ExampleIdSetRemove(&provider->peer_ids, &id);
  ExampleMutexUnlock(provider->mutex);
  ExampleIdFormat(&id, text, sizeof text);
  if (removed) ExampleStatus("peer_gone", "%s", text);
}

static void HandleDatagram(Provider* provider, ReceiveSlot** slot, size_t size,
                           const ExampleEndpoint* from) {
  const BYTE* message = (*slot)->datagram;
  int kind = 0;
  if (!ExampleEndpointEqual(from, &provider->options.peer)) {
    kind = -1;
  } else if (message[0] == kTypeData && size > 1) {
    HandleData(provider, slot, size - 1);
    return;
  } else if (message[0] == kTypeHello) {
    HandleHello(provider, message, size);
    return;
  } else if (message[0] == kTypeBye) {
    HandleBye(provider, message, size);
    return;
  }
  ExampleMutexLock(provider->mutex);
  if (kind < 0) {
    ++provider->stats.foreign;
  } else {
    ++provider->stats.malformed;
  }
  ExampleMutexUnlock(provider->mutex);
}

static int Terminated(Provider* provider) {
  int terminated;
  ExampleMutexLock(provider->mutex);
  terminated = provider->terminated;
  ExampleMutexUnlock(provider->mutex);
  return terminated;
}

/* Receives until a stop request or a CP-initiated termination. Returns
 * kExampleExitOk or kExampleExitFailure. */
static int ReceiveLoop(Provider* provider) {
  ReceiveSlot* slot = (ReceiveSlot*)malloc(sizeof *slot);
  uint64_t next_hello = 0;
  int result = kExampleExitOk;
  char error[256];
  if (slot == NULL) return kExampleExitFailure;
  while (!ExampleStopRequested()) {
    ExampleEndpoint from;
    long size;
    uint64_t now = ExampleNowMs();
    if (Terminated(provider)) {
      result = kExampleExitFailure; /* the CP ended the session */
      break;
    }
    if (now >= next_hello) {
      next_hello =
          now + (SendHellos(provider) ? kHelloKeepaliveMs : kHelloSearchMs);
    }
    size = ExampleSocketReceive(provider->socket, slot->datagram,
                                sizeof slot->datagram, &from, kPollMs, error,
                                sizeof error);
    if (size < 0) {
      fprintf(stderr, "udp_provider: %s\n", error);
      result = kExampleExitFailure;
      break;
    }
    if (size > 0) HandleDatagram(provider, &slot, (size_t)size, &from);
  }
  free(slot);
  return result;
}

/* ---------------------------------------------------------------------------
 * Lifecycle (spec section 6)
 * ------------------------------------------------------------------------- */

static CPNATFWT_PROVIDER_CALLBACKS ProviderCallbacks(void) {
  CPNATFWT_PROVIDER_CALLBACKS callbacks = ExampleEmptyCallbacks();
  callbacks.establishSessionIndication = OnEstablish;
  callbacks.terminateSessionIndication = OnTerminate;
  callbacks.transitionActive = OnTransitionActive;
  callbacks.transitionDormant = OnTransitionDormant;
  callbacks.addTransportId = OnAddTransportId;
  callbacks.removeTransportId = OnRemoveTransportId;
  callbacks.reachTransportId = OnReachTransportId;
  callbacks.sendBuffers = OnSendBuffers;
  return callbacks;
}

static void PrintStats(Provider* provider) {
  Stats stats;
  ExampleMutexLock(provider->mutex);
  stats = provider->stats;
  ExampleMutexUnlock(provider->mutex);
  ExampleStatus("packets_sent", "%" PRIu64, stats.packets_sent);
  ExampleStatus("send_drops", "%" PRIu64, stats.send_drops);
  ExampleStatus("send_refused", "%" PRIu64, stats.send_refused);
  ExampleStatus("packets_received", "%" PRIu64, stats.packets_received);
  ExampleStatus("packets_indicated", "%" PRIu64, stats.packets_indicated);
  ExampleStatus("indications_pended", "%" PRIu64, stats.indications_pended);
  ExampleStatus("indicate_errors", "%" PRIu64, stats.indicate_errors);
  if (provider->first_indicate_error != S_OK) {
    ExampleStatus("first_indicate_error", "0x%08" PRIX32 " (%s)",
                  (uint32_t)provider->first_indicate_error,
                  ExampleHresultName(provider->first_indicate_error));
  }
  ExampleStatus("unknown_ids", "%" PRIu64, stats.unknown_ids);
  ExampleStatus("reach_ok", "%" PRIu64, stats.reach_ok);
  ExampleStatus("reach_unreachable", "%" PRIu64, stats.reach_unreachable);
}

/* Create, register, run, then Deregister and Destroy exactly once. */
static int Run(Provider* provider, const WCHAR* name) {
  CPNATFWT_PROVIDER_CALLBACKS callbacks = ProviderCallbacks();
  uint64_t luid = 0;
  int result;
  HRESULT hr =
      CPNatfwtCreateProviderInstance(&callbacks, provider, &provider->instance);
  if (hr != S_OK) {
    fprintf(stderr,
            "udp_provider: CPNatfwtCreateProviderInstance: 0x%08" PRIX32
            " (%s)\n",
            (uint32_t)hr, ExampleHresultName(hr));
    return kExampleExitFailure;
  }
  hr = ExampleRegister(provider->instance, name,
                       provider->options.common.luid_file, &luid);
  if (hr != S_OK) {
    fprintf(stderr,
            "udp_provider: CPNatfwtRegisterProviderInstance: 0x%08" PRIX32
            " (%s)\n",
            (uint32_t)hr, ExampleHresultName(hr));
    CPNatfwtDestroyProviderInstance(provider->instance); /* spec 6.3 C */
    return kExampleExitFailure;
  }
  ExampleStatus("luid", "0x%016" PRIx64, luid);
  result = ReceiveLoop(provider);
  /* Spec 6.3 A (stop requested) or B (the CP terminated): Deregister, which
   * also delivers TERMINATE if it has not come yet, then Destroy once. */
  hr = CPNatfwtDeregisterProviderInstance(provider->instance);
  if (hr != S_OK && hr != HRESULT_FROM_WIN32(ERROR_INVALID_STATE)) {
    fprintf(stderr,
            "udp_provider: CPNatfwtDeregisterProviderInstance: 0x%08" PRIX32
            "\n",
            (uint32_t)hr);
  }
  CPNatfwtDestroyProviderInstance(provider->instance);
  PrintStats(provider);
  return result;
}

/* ---------------------------------------------------------------------------
 * Command line
 * ------------------------------------------------------------------------- */

static void Usage(FILE* out) {
  fprintf(out,
          "Usage: udp_provider --listen ADDR:PORT --peer ADDR:PORT [options]\n"
          "Carries the packets of a natfwt Connectivity Platform interface to"
          " one peer\nover UDP.\n\n"
          "  --listen ADDR:PORT     local UDP address ([v6]:port for IPv6)\n"
          "  --peer ADDR:PORT       the peer provider's UDP address\n"
          "  --peer-id ADDRESS      a transport ID of the peer known in "
          "advance (repeatable;\n"
          "                         normally learned from the peer's HELLO)\n"
          "  --indicate-completion  hand received packets over with a "
          "completion routine\n"
          "%s"
          "  --help                 this text\n\n"
          "Environment: NATFWT_CP_BACKEND=kernel|memory and the other "
          "NATFWT_CP_* settings.\n"
          "Prints key=value lines (luid=, transport_id=, peer_id=, session=,"
          " terminated=).\n"
          "Exit status: 0 stopped by SIGINT/SIGTERM, 1 failure or session "
          "ended by the CP,\n2 bad command line.\n",
          kExampleCommonUsage);
}

static int ParseEndpointOption(const char* value, ExampleEndpoint* out) {
  char error[256];
  if (value == NULL) return -1;
  if (ExampleEndpointParse(value, out, error, sizeof error) != 0) {
    fprintf(stderr, "udp_provider: %s\n", error);
    return -1;
  }
  return 0;
}

static int ParsePeerId(const char* value, ExampleIdSet* ids) {
  ExampleTransportId id;
  if (value == NULL) return -1;
  memset(&id, 0, sizeof id);
  id.size = (USHORT)ExampleAddressParse(value, id.bytes);
  if (id.size == 0 || ExampleIdSetAdd(ids, &id) < 0) {
    fprintf(stderr, "udp_provider: bad or too many --peer-id '%s'\n", value);
    return -1;
  }
  return 0;
}

/* Parses the option at argv[*index]. Returns 0, or -1 after a message. */
static int ParseOption(int argc, char** argv, int* index, Options* options) {
  static const char kProgram[] = "udp_provider";
  const char* option = argv[*index];
  int common =
      ExampleParseCommonOption(kProgram, argc, argv, index, &options->common);
  if (common != 0) return common > 0 ? 0 : -1;
  if (strcmp(option, "--indicate-completion") == 0) {
    options->indicate_completion = 1;
    return 0;
  }
  if (strcmp(option, "--listen") == 0) {
    options->have_listen = 1;
    return ParseEndpointOption(ExampleOptionValue(kProgram, argc, argv, index),
                               &options->listen);
  }
  if (strcmp(option, "--peer") == 0) {
    options->have_peer = 1;
    return ParseEndpointOption(ExampleOptionValue(kProgram, argc, argv, index),
                               &options->peer);
  }
  if (strcmp(option, "--peer-id") == 0) {
    return ParsePeerId(ExampleOptionValue(kProgram, argc, argv, index),
                       &options->static_peer_ids);
  }
  fprintf(stderr, "udp_provider: unknown option %s\n", option);
  return -1;
}

/* Returns -1 to go on, or the exit status (help shown, or a usage error). */
static int ParseOptions(int argc, char** argv, Options* options) {
  int i;
  memset(options, 0, sizeof *options);
  for (i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      Usage(stdout);
      return kExampleExitOk;
    }
    if (ParseOption(argc, argv, &i, options) != 0) {
      Usage(stderr);
      return kExampleExitUsage;
    }
  }
  if (!options->have_listen || !options->have_peer) {
    fprintf(stderr, "udp_provider: --listen and --peer are required\n");
    Usage(stderr);
    return kExampleExitUsage;
  }
  return -1;
}

/* The socket and the lock, before Create. Returns 0 or -1. */
static int OpenProvider(Provider* provider) {
  char error[256];
  char text[128];
  provider->mutex = ExampleMutexCreate();
  provider->socket =
      ExampleSocketOpen(&provider->options.listen, error, sizeof error);
  if (provider->mutex == NULL || provider->socket == NULL) {
    fprintf(stderr, "udp_provider: %s\n",
            provider->socket == NULL ? error : "out of memory");
    return -1;
  }
  provider->peer_ids = provider->options.static_peer_ids;
  ExampleEndpointFormat(&provider->options.listen, text, sizeof text);
  ExampleStatus("listen", "%s", text);
  ExampleEndpointFormat(&provider->options.peer, text, sizeof text);
  ExampleStatus("peer", "%s", text);
  return 0;
}

int main(int argc, char** argv) {
  Provider* provider = (Provider*)calloc(1, sizeof(Provider));
  WCHAR* name = NULL;
  int result;
  if (provider == NULL) return kExampleExitFailure;
  result = ParseOptions(argc, argv, &provider->options);
  if (result < 0) {
    result = ExampleStartup("udp_provider", &provider->options.common, &name);
    if (result == 0) result = -1; /* started: run */
  }
  if (result < 0) {
    result =
        OpenProvider(provider) == 0 ? Run(provider, name) : kExampleExitFailure;
  }
  ExampleSocketClose(provider->socket);
  ExampleMutexDestroy(provider->mutex);
  free(name);
  free(provider);
  return result;
}
