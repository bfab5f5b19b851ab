// Copyright 2026 The natfwt Authors.
//
// Standby sessions (node.h, "Standby"): gathered in advance, the inbound one
// published in our record, the outbound one kept for the next session we
// start. Everything here runs on the node thread.

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/ice/session_description.h"
#include "engine/node/node_internal.h"
#include "engine/node/node_wire.h"
#include "engine/rendezvous/signed_envelope.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"

namespace natfwt::node {
namespace {

// Implementation choices. A superseded inbound standby still serves offers
// already on their way for the grace (at most half the lifetime).
constexpr absl::Duration kStandbyGrace = absl::Seconds(5);
constexpr absl::Duration kStandbyRetry = absl::Seconds(5);

}  // namespace

void NodeImpl::PostStandbyEvent(uint64_t standby_id, StandbyEvent event) {
  node_thread_.Post(
      [this, standby_id, event] { OnStandbyEvent(standby_id, event); });
}

Standby* NodeImpl::FindStandby(uint64_t standby_id) {
  for (Standby& standby : standbys_) {
    if (standby.id == standby_id) return &standby;
  }
  return nullptr;
}

void NodeImpl::EnsureStandbys() {
  if (!StandbyEnabled() || stopped_.load() || dormant_.load()) return;
  bool have_outbound = false, have_inbound = false;
  for (const Standby& standby : standbys_) {
    if (!standby.inbound) have_outbound = true;
    if (standby.inbound && !standby.retiring) have_inbound = true;
  }
  absl::Status status = absl::OkStatus();
  if (!have_outbound) status.Update(CreateStandby(/*inbound=*/false));
  if (!have_inbound) status.Update(CreateStandby(/*inbound=*/true));
  if (status.ok() || standby_retry_pending_) return;
  NATFWT_LOG(kInfo) << "standby session not started (" << status
                    << "); retrying in " << absl::FormatDuration(kStandbyRetry);
  ScheduleStandbyRetry();
}

absl::Status NodeImpl::CreateStandby(bool inbound) {
  const uint64_t id = next_standby_id_++;
  NATFWT_ASSIGN_OR_RETURN(std::unique_ptr<Link> link,
                          MakeLink(std::make_unique<LinkObserver>(this, id),
                                   /*controlling=*/!inbound));
  if (inbound) {
    NATFWT_ASSIGN_OR_RETURN(secure::EphemeralKey key,
                            secure::EphemeralKey::Generate());
    link->ephemeral = std::move(key);
  }
  Standby standby;
  standby.id = id;
  standby.inbound = inbound;
  standby.created = clock_.Now();
  standby.link = std::move(link);
  standbys_.push_back(std::move(standby));
  return absl::OkStatus();
}

void NodeImpl::OnStandbyEvent(uint64_t standby_id, StandbyEvent event) {
  Standby* standby = FindStandby(standby_id);
  if (standby == nullptr) return;  // Taken or dropped meanwhile.
  if (event == StandbyEvent::kGathered) {
    if (!standby->ready) OnStandbyGathered(*standby);
    return;
  }
  NATFWT_LOG(kInfo) << "standby session failed; gathering another in "
                    << absl::FormatDuration(kStandbyRetry);
  DropStandby(standby_id);
  ScheduleStandbyRetry();
}

void NodeImpl::ScheduleStandbyRetry() {
  if (standby_retry_pending_) return;
  standby_retry_pending_ = true;
  node_thread_.PostDelayed(kStandbyRetry, [this] {
    standby_retry_pending_ = false;
    EnsureStandbys();
  });
}

void NodeImpl::OnStandbyGathered(Standby& standby) {
  const uint64_t id = standby.id;
  absl::StatusOr<ice::SessionDescription> local =
      standby.link->session->LocalDescription();
  absl::StatusOr<std::string> description =
      local.ok() ? local->Format()
                 : absl::StatusOr<std::string>(local.status());
  if (!description.ok() || local->candidates.empty()) {
    NATFWT_LOG(kInfo) << "standby session gathered nothing usable";
    DropStandby(id);  // The next rotation tries again.
    return;
  }
  standby.link->local_ufrag = local->ufrag;
  NATFWT_LOG(kDebug) << (standby.inbound ? "inbound" : "outbound")
                     << " standby gathered in "
                     << absl::FormatDuration(clock_.Now() - standby.created)
                     << ": " << local->candidates.size() << " candidates";
  if (!standby.inbound) {
    standby.ready = true;
    ++counters_.standbys_gathered;
    return;
  }
  std::string text = FormatSessionOffer(
      {*description, standby.link->ephemeral->public_key(), std::nullopt});
  if (text.size() > rendezvous::kMaxStandbyLength) {
    NATFWT_LOG(kInfo) << "standby description too large to publish ("
                      << text.size() << " bytes)";
    DropStandby(id);
    return;
  }
  standby.text = text;
  standby.ready = true;
  ++counters_.standbys_gathered;
  // Older inbound standbys stay usable for offers on their way, then go.
  for (Standby& other : standbys_) {
    if (!other.inbound || other.id == id || other.retiring) continue;
    other.retiring = true;
    node_thread_.PostDelayed(
        std::min(kStandbyGrace, options_.standby_lifetime / 2),
        [this, old = other.id] { DropStandby(old); });
  }
  PublishStandby(std::move(text));
}

void NodeImpl::DropStandby(uint64_t standby_id) {
  auto it = std::find_if(
      standbys_.begin(), standbys_.end(),
      [&](const Standby& standby) { return standby.id == standby_id; });
  if (it == standbys_.end()) return;
  Standby dropped = std::move(*it);
  standbys_.erase(it);
  if (dropped.inbound && dropped.ready && !dropped.retiring) {
    PublishStandby("");
  }
  CloseLinkNow(std::move(dropped.link));
}

void NodeImpl::DropAllStandbys() {
  std::vector<Standby> all = std::move(standbys_);
  standbys_.clear();
  for (Standby& standby : all) CloseLinkNow(std::move(standby.link));
  PublishStandby("");
}

void NodeImpl::PublishStandby(std::string text) {
  absl::MutexLock lock(&records_mutex_);
  if (standby_text_ == text) return;
  standby_text_ = std::move(text);
  if (absl::Status status = PublishLocked(); !status.ok()) {
    NATFWT_LOG(kInfo) << "record not republished: " << status;
  }
}

std::unique_ptr<Link> NodeImpl::TakeOutboundStandby() {
  for (auto it = standbys_.begin(); it != standbys_.end(); ++it) {
    if (it->inbound || !it->ready) continue;
    std::unique_ptr<Link> link = std::move(it->link);
    standbys_.erase(it);
    // After the offer has gone out: creating a session takes milliseconds.
    node_thread_.Post([this] { EnsureStandbys(); });
    return link;
  }
  return nullptr;
}

std::unique_ptr<Link> NodeImpl::TakeInboundStandby(const std::string& ufrag,
                                                   std::string* text) {
  for (auto it = standbys_.begin(); it != standbys_.end(); ++it) {
    if (!it->inbound || !it->ready || it->link->local_ufrag != ufrag) continue;
    std::unique_ptr<Link> link = std::move(it->link);
    *text = std::move(it->text);
    const bool published = !it->retiring;
    standbys_.erase(it);
    // Nobody else may start on it: the record says so until the next one
    // is ready. Both after the answer has gone out.
    node_thread_.Post([this, published] {
      if (published) PublishStandby("");
      EnsureStandbys();
    });
    return link;
  }
  return nullptr;
}

void NodeImpl::BindLink(Link& link, const std::string& peer,
                        uint64_t session_id, bool initiator) {
  link.peer = peer;
  link.session_id = session_id;
  link.initiator = initiator;
  link.created = clock_.Now();
  // Ours, answering from it; as initiator it counts when the peer's
  // standby is used (UsePeerStandby).
  link.via_standby = !initiator;
  link.observer->Bind(peer, session_id);
}

void NodeImpl::ScheduleStandbyRotation() {
  node_thread_.PostDelayed(options_.standby_lifetime / 2, [this] {
    RotateStandbys();
    ScheduleStandbyRotation();
  });
}

void NodeImpl::RotateStandbys() {
  if (!StandbyEnabled() || stopped_.load() || dormant_.load()) return;
  const absl::Time now = clock_.Now();
  std::vector<uint64_t> stale_outbound;
  bool rotate_inbound = false;
  for (const Standby& standby : standbys_) {
    // Checked every half lifetime: one that would be older than its
    // lifetime at the next check is renewed now.
    if (now - standby.created < options_.standby_lifetime / 2) continue;
    if (!standby.inbound) stale_outbound.push_back(standby.id);
    if (standby.inbound && !standby.retiring && standby.ready) {
      rotate_inbound = true;
    }
  }
  for (uint64_t id : stale_outbound) DropStandby(id);
  // The published one stays until its successor is ready
  // (OnStandbyGathered retires it then).
  if (rotate_inbound) {
    if (absl::Status status = CreateStandby(/*inbound=*/true); !status.ok()) {
      NATFWT_LOG(kInfo) << "standby session not renewed: " << status;
    }
  }
  EnsureStandbys();
}

}  // namespace natfwt::node
