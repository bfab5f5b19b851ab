// Copyright 2026 The natfwt Authors.
//
// IceProvider: lifecycle (create, register, teardown), the control
// callbacks (ESTABLISH, TERMINATE, ACTIVE, DORMANT, ADD, REMOVE) and status.
// The packet paths and REACH are in ice_provider_data.cc, the C trampolines
// in ice_provider_callbacks.cc.

#include "engine/provider/ice_provider.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "engine/provider/interface_lookup.h"
#include "engine/provider/packet_addresses.h"
#include "engine/provider/reach_book.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"
#include "platform/sys/private_files.h"

namespace natfwt::provider {
namespace {

std::string HresultText(HRESULT hr) {
  return absl::StrFormat("0x%08X", static_cast<uint32_t>(hr));
}

// Section 4.2's reactions, as Status codes.
absl::Status HresultStatus(HRESULT hr, absl::string_view call) {
  std::string what = absl::StrCat(call, " failed (", HresultText(hr), ")");
  if (hr == E_ACCESSDENIED) {
    return absl::PermissionDeniedError(absl::StrCat(
        what, ": not allowed to create network interfaces (CAP_NET_ADMIN)"));
  }
  if (hr == HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)) {
    return absl::UnavailableError(
        absl::StrCat(what, ": no virtual interface backend (/dev/net/tun)"));
  }
  if (hr == HRESULT_FROM_WIN32(ERROR_BUSY) ||
      hr == HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE)) {
    return absl::UnavailableError(what);
  }
  if (hr == E_INVALIDARG || hr == E_POINTER ||
      hr == HRESULT_FROM_WIN32(ERROR_NOT_FOUND)) {
    return absl::InvalidArgumentError(what);
  }
  if (hr == E_OUTOFMEMORY) return absl::ResourceExhaustedError(what);
  return absl::InternalError(what);
}

bool PrintableAscii(absl::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c >= 0x20 && c < 0x7f; });
}

absl::StatusOr<net::IpAddress> IdAddress(const CPNATFWT_TRANSPORT_ID* id) {
  if (id == nullptr || id->transportId == nullptr ||
      (id->size != 4 && id->size != 16)) {
    return absl::InvalidArgumentError("a transport ID has 4 or 16 bytes");
  }
  return AddressOf({id->transportId, id->size});
}

// The LUID kept in `path` (decimal), 0 when there is none or it is
// unreadable (logged: a new interface is not worth failing for).
uint64_t ReadLuid(const std::string& path) {
  if (path.empty()) return 0;
  absl::StatusOr<std::optional<std::string>> text =
      sys::ReadFileIfExists(path, 64, "an interface LUID file");
  uint64_t luid = 0;
  if (!text.ok()) {
    NATFWT_LOG(kWarning) << "interface LUID not read: " << text.status();
  } else if (text->has_value() &&
             !absl::SimpleAtoi(absl::StripAsciiWhitespace(**text), &luid)) {
    NATFWT_LOG(kWarning) << path << " holds no LUID; a new interface follows";
  }
  return luid;
}

void WriteLuid(const std::string& path, uint64_t luid) {
  if (path.empty()) return;
  absl::Status written =
      sys::ReplaceFileAtomically(path, absl::StrCat(luid, "\n"));
  if (!written.ok()) {
    NATFWT_LOG(kWarning) << "interface LUID not kept: " << written;
  }
}

}  // namespace

// "natfwt ICE provider" in a GUID's shape (D7: one stable identity).
const GUID IceProvider::kProviderId = {
    0x6e617466,
    0x7774,
    0x4943,
    {0x45, 0x70, 0x72, 0x6f, 0x76, 0x69, 0x64, 0x72}};

absl::string_view TerminationReasonName(
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

absl::StatusOr<std::unique_ptr<IceProvider>> IceProvider::Start(
    node::Node& node, IceProviderOptions options) {
  if (options.friendly_name.empty() ||
      options.friendly_name.size() > CPNATFWT_MAX_INTERFACE_NAME_LENGTH ||
      !PrintableAscii(options.friendly_name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "interface name: 1 to ", CPNATFWT_MAX_INTERFACE_NAME_LENGTH,
        " printable ASCII characters"));
  }
  if (options.reach_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("reach timeout must be > 0");
  }
  std::unique_ptr<IceProvider> provider(
      new IceProvider(node, std::move(options)));
  NATFWT_RETURN_IF_ERROR(provider->Begin());
  return provider;
}

IceProvider::IceProvider(node::Node& node, IceProviderOptions options)
    : node_(node),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : RealClock::Get()),
      reaches_(std::make_shared<ReachBook>(clock_)),
      owners_(node),
      pump_(node, owners_, options_.send,
            [this] { FinishAfterTermination(); }) {}

IceProvider::~IceProvider() { Stop(); }

CPNATFWT_PROVIDER_CALLBACKS IceProvider::Callbacks() const {
  CPNATFWT_PROVIDER_CALLBACKS callbacks{};
  callbacks.version = CPNATFWT_PROVIDER_CALLBACKS_VERSION_1;
  callbacks.size = sizeof(callbacks);
  callbacks.providerId = kProviderId;
  callbacks.establishSessionIndication = &Establish;
  callbacks.terminateSessionIndication = &Terminate;
  callbacks.transitionActive = &Activate;
  callbacks.transitionDormant = &Deactivate;
  callbacks.addTransportId = &Add;
  callbacks.removeTransportId = &Remove;
  callbacks.reachTransportId = &Reach;
  callbacks.sendBuffers = &Send;
  return callbacks;
}

absl::Status IceProvider::Begin() {
  NATFWT_RETURN_IF_ERROR(pump_.Start());
  const CPNATFWT_PROVIDER_CALLBACKS callbacks = Callbacks();
  HRESULT hr = options_.api.create(&callbacks, this, &instance_);
  if (FAILED(hr)) {
    instance_ = nullptr;
    return HresultStatus(hr, "CPNatfwtCreateProviderInstance");
  }
  absl::Status registered = Register();
  if (!registered.ok()) {
    // Section 6.3 C: never registered, so Destroy alone.
    absl::MutexLock lock(&lifecycle_mutex_);
    options_.api.destroy(instance_);
    destroyed_ = true;
  }
  return registered;
}

absl::Status IceProvider::Register() {
  const uint64_t stored = ReadLuid(options_.luid_file);
  std::basic_string<WCHAR> name(options_.friendly_name.begin(),
                                options_.friendly_name.end());
  IF_LUID luid{};
  luid.Value = stored;
  HRESULT hr = options_.api.register_instance(
      instance_, name.data(), &luid, CPNATFWT_REGISTER_FLAG_NONE, nullptr);
  bool keep = true;
  if (stored != 0 && (hr == HRESULT_FROM_WIN32(ERROR_NOT_FOUND) ||
                      hr == HRESULT_FROM_WIN32(ERROR_BUSY))) {
    // 4.2: "change the arguments": a new interface instead. A LUID another
    // live instance holds stays stored for the next run.
    NATFWT_LOG(kInfo) << "interface LUID " << stored << " not usable ("
                      << HresultText(hr) << "); asking for a new interface";
    keep = hr == HRESULT_FROM_WIN32(ERROR_NOT_FOUND);
    luid.Value = 0;
    hr = options_.api.register_instance(instance_, name.data(), &luid,
                                        CPNATFWT_REGISTER_FLAG_NONE, nullptr);
  }
  if (FAILED(hr)) return HresultStatus(hr, "CPNatfwtRegisterProviderInstance");
  {
    absl::MutexLock lock(&lifecycle_mutex_);
    registered_ = true;
  }
  {
    absl::MutexLock lock(&mutex_);
    luid_ = luid.Value;
    if (state_ == State::kCreated) state_ = State::kRegistered;
  }
  if (keep && luid.Value != stored) WriteLuid(options_.luid_file, luid.Value);
  NATFWT_LOG(kInfo) << "interface '" << options_.friendly_name
                    << "' registered (LUID " << luid.Value << ")";
  return absl::OkStatus();
}

void IceProvider::Stop() {
  bool deregister;
  {
    absl::MutexLock lock(&lifecycle_mutex_);
    if (stop_called_) return;
    stop_called_ = true;
    stop_requested_ = true;
    deregister = registered_ && !destroyed_;
  }
  if (deregister) {
    // 6.3 A: TERMINATE(PROVIDER_REQUEST) runs before this returns (unless
    // the CP ended the session first, then this is a harmless
    // ERROR_INVALID_STATE).
    HRESULT hr = options_.api.deregister(instance_);
    if (FAILED(hr)) {
      NATFWT_LOG(kDebug) << "CPNatfwtDeregisterProviderInstance: "
                         << HresultText(hr);
    }
  }
  // TERMINATE stopped the pump; without a registration nothing did.
  pump_.RequestStop();
  pump_.Join();
  WaitForLentSlots();
  absl::MutexLock lock(&lifecycle_mutex_);
  if (instance_ != nullptr && !destroyed_) {
    options_.api.destroy(instance_);
    destroyed_ = true;
  }
}

void IceProvider::WaitForLentSlots() {
  // The CP completes every pended indication by the end of the session
  // (4.5, 6.3); this only guards the slots' memory against a CP that does
  // not.
  if (!slots_.WaitAllReturned(absl::Seconds(5))) {
    NATFWT_LOG(kWarning) << slots_.lent()
                         << " indications still pended after deregistration";
  }
}

void IceProvider::FinishAfterTermination() {
  absl::MutexLock lock(&lifecycle_mutex_);
  // Stop() is under way (it deregisters and destroys itself), or nothing to
  // finish.
  if (stop_called_ || destroyed_ || !registered_) return;
  // 6.3 B: the CP ended the session; acknowledge and free, from this
  // thread (never from inside TERMINATE). Everything pended is complete:
  // REACHes were aborted at TERMINATE, the pump has drained.
  HRESULT hr = options_.api.deregister(instance_);
  if (FAILED(hr)) {
    NATFWT_LOG(kDebug) << "CPNatfwtDeregisterProviderInstance: "
                       << HresultText(hr);
  }
  WaitForLentSlots();
  options_.api.destroy(instance_);
  destroyed_ = true;
  NATFWT_LOG(kInfo) << "interface '" << options_.friendly_name
                    << "' is gone; the node runs on without it";
}

// ---- Control callbacks (the CP's control thread, one at a time) ----

void IceProvider::OnEstablish() {
  {
    absl::MutexLock lock(&mutex_);
    state_ = State::kDormant;  // 5.1: the session starts dormant.
  }
  receiving_.store(true, std::memory_order_release);
  node_.SetPacketSink(this);
  PublishIds();
}

void IceProvider::OnTerminate(CPNATFWT_SESSION_TERMINATION_REASON reason) {
  // Pended work first: queued SENDs are aborted by the pump's worker (which
  // then finishes a CP-started teardown), pending REACHes here.
  pump_.RequestStop();
  reaches_->AbortAll();
  receiving_.store(false, std::memory_order_release);
  // Waits for a batch the node is handing over right now.
  node_.SetPacketSink(nullptr);
  {
    absl::MutexLock lock(&mutex_);
    state_ = State::kTerminated;
    termination_ = reason;
    local_ids_.clear();
  }
  // Withdrawn: peers can no longer reach the interface. Unless our owner
  // stops the node too and wants peers to find it again after a restart.
  // (Not lifecycle_mutex_: a CP-started teardown holds it while Destroy
  // waits for this callback.)
  if (!(stop_requested_.load() && options_.keep_ids_at_stop &&
        reason == CPNATFWT_SESSION_TERMINATION_PROVIDER_REQUEST)) {
    PublishIds();
  }
  NATFWT_LOG(kInfo) << "interface '" << options_.friendly_name
                    << "': session terminated ("
                    << TerminationReasonName(reason) << ")";
}

HRESULT IceProvider::OnTransition(bool active) {
  node_.SetDormant(!active);
  absl::MutexLock lock(&mutex_);
  if (state_ != State::kTerminated) {
    state_ = active ? State::kActive : State::kDormant;
  }
  return S_OK;
}

HRESULT IceProvider::OnAdd(const CPNATFWT_TRANSPORT_ID* id) {
  absl::StatusOr<net::IpAddress> address = IdAddress(id);
  if (!address.ok()) return E_INVALIDARG;
  if (std::optional<std::string> owner = node_.PeerOwning(*address)) {
    NATFWT_LOG(kInfo) << "transport ID " << address->ToString()
                      << " belongs to peer " << owner->substr(0, 12)
                      << "; the CP picks another";
    return HRESULT_FROM_WIN32(ERROR_DUP_NAME);
  }
  {
    absl::MutexLock lock(&mutex_);
    if (std::find(local_ids_.begin(), local_ids_.end(), *address) ==
        local_ids_.end()) {
      local_ids_.push_back(*address);
    }
  }
  PublishIds();
  return S_OK;
}

HRESULT IceProvider::OnRemove(const CPNATFWT_TRANSPORT_ID* id) {
  absl::StatusOr<net::IpAddress> address = IdAddress(id);
  if (!address.ok()) return E_INVALIDARG;
  {
    absl::MutexLock lock(&mutex_);
    local_ids_.erase(
        std::remove(local_ids_.begin(), local_ids_.end(), *address),
        local_ids_.end());
  }
  PublishIds();
  return S_OK;
}

void IceProvider::PublishIds() {
  std::vector<std::string> ids;
  {
    absl::MutexLock lock(&mutex_);
    for (const net::IpAddress& id : local_ids_) ids.push_back(id.ToString());
  }
  absl::Status published = node_.SetTransportIds(std::move(ids));
  if (!published.ok()) {
    NATFWT_LOG(kWarning) << "transport IDs not published: " << published;
  }
}

void IceProvider::OnPeerRecordChanged(absl::string_view /*peer*/) {
  owners_.Invalidate();
}

// ---- Status ----

IceProviderStatus IceProvider::Status() const {
  IceProviderStatus status;
  status.friendly_name = options_.friendly_name;
  std::vector<net::IpAddress> ids;
  {
    absl::MutexLock lock(&mutex_);
    status.luid = luid_;
    switch (state_) {
      case State::kCreated:
      case State::kRegistered:
        status.state = "registered";
        break;
      case State::kDormant:
        status.state = "dormant";
        break;
      case State::kActive:
        status.state = "active";
        break;
      case State::kTerminated:
        status.state = "terminated";
        break;
    }
    if (termination_.has_value()) {
      status.termination = std::string(TerminationReasonName(*termination_));
    }
    ids = local_ids_;
  }
  for (const net::IpAddress& id : ids) {
    status.transport_ids.push_back(id.ToString());
  }
  if (!ids.empty()) {
    status.interface_name = InterfaceHolding(ids.front()).value_or("");
  }
  ProviderCounters& c = status.counters;
  c.send = pump_.counters();
  auto get = [](const std::atomic<uint64_t>& n) {
    return n.load(std::memory_order_relaxed);
  };
  c.send_refused = get(send_refused_);
  c.packets_received = get(packets_received_);
  c.packets_indicated = get(packets_indicated_);
  c.drops_not_owner = get(drops_not_owner_);
  c.drops_malformed = get(drops_malformed_);
  c.drops_refused = get(drops_refused_);
  c.drops_no_session = get(drops_no_session_);
  c.drops_backlog = get(drops_backlog_);
  c.reach_ok = get(reaches_->reached);
  c.reach_failed = get(reaches_->failed);
  c.reach_timeouts = get(reaches_->timeouts);
  c.reach_aborted = get(reaches_->aborted);
  c.reach_no_owner = get(reach_no_owner_);
  c.owner_lookups = owners_.misses();
  return status;
}

std::vector<std::string> IceProvider::WaitForTransportIds(
    absl::Duration timeout) const {
  std::vector<std::string> ids;
  absl::MutexLock lock(&mutex_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return !local_ids_.empty() || state_ == State::kTerminated;
  };
  mutex_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  for (const net::IpAddress& id : local_ids_) ids.push_back(id.ToString());
  return ids;
}

}  // namespace natfwt::provider
