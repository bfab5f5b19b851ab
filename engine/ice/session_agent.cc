// Copyright 2026 The natfwt Authors.
//
// SessionCore: the libnice agent, its stream, the servers and gathering.

#include <nice/interfaces.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/ice/nice_convert.h"
#include "engine/ice/session_core.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"

namespace natfwt::ice {
namespace {

constexpr guint kComponent = 1;

// Literal addresses used by the TLS tunnels (RFC 1122 3.2.1.3 / RFC 4291
// 2.5.3 loopback, spec).
net::IpAddress LoopbackOf(bool v4) {
  return v4 ? net::IpAddress::V4({127, 0, 0, 1})
            : net::IpAddress::V6(
                  {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
}

NiceAgentOption AgentOptions(const SessionConfig& config) {
  int options = NICE_AGENT_OPTION_ICE_TRICKLE;
  if (config.consent_freshness) options |= NICE_AGENT_OPTION_CONSENT_FRESHNESS;
  if (config.nomination == NominationMode::kRegular) {
    options |= NICE_AGENT_OPTION_REGULAR_NOMINATION;
  }
  return static_cast<NiceAgentOption>(options);
}

// Non-loopback interface addresses of the enabled families.
std::vector<net::IpAddress> InterfaceAddresses(bool ipv4, bool ipv6) {
  std::vector<net::IpAddress> result;
  GList* ips = nice_interfaces_get_local_ips(FALSE);
  for (GList* item = ips; item != nullptr; item = item->next) {
    absl::StatusOr<net::IpAddress> ip =
        net::IpAddress::Parse(static_cast<const char*>(item->data));
    if (ip.ok() && ((ip->is_v4() && ipv4) || (ip->is_v6() && ipv6))) {
      result.push_back(*ip);
    }
  }
  g_list_free_full(ips, g_free);
  return result;
}

NiceRelayType RelayTypeOf(TurnTransport transport) {
  // TLS servers are reached through a TurnTlsTunnel: plain TCP for libnice.
  return transport == TurnTransport::kUdp ? NICE_RELAY_TYPE_TURN_UDP
                                          : NICE_RELAY_TYPE_TURN_TCP;
}

}  // namespace

absl::Status SessionCore::CreateAgent() {
  agent_ = nice_agent_new_full(context_, NICE_COMPATIBILITY_RFC5245,
                               AgentOptions(config_));
  if (agent_ == nullptr)
    return absl::InternalError("nice_agent_new_full failed");
  // UPnP would probe the LAN's gateway from every session: off.
  g_object_set(agent_, "upnp", FALSE, "ice-udp", config_.ice_udp ? TRUE : FALSE,
               "ice-tcp", config_.ice_tcp ? TRUE : FALSE, "controlling-mode",
               config_.controlling ? TRUE : FALSE, "force-relay",
               config_.relay_only ? TRUE : FALSE, "stun-pacing-timer",
               static_cast<guint>(
                   absl::ToInt64Milliseconds(config_.timeouts.check_pacing)),
               nullptr);
  ConnectSignals();
  return absl::OkStatus();
}

absl::Status SessionCore::AddLocalAddresses() {
  std::vector<net::IpAddress> addresses = config_.local_addresses;
  if (addresses.empty()) {
    addresses = InterfaceAddresses(config_.ipv4, config_.ipv6);
  }
  for (const net::IpAddress& address : addresses) {
    NiceAddress nice = ToNiceAddress(TransportAddress{address, 0});
    if (!nice_agent_add_local_address(agent_, &nice)) {
      return absl::InternalError(
          absl::StrCat("libnice refused local address ", address.ToString()));
    }
  }
  have_local_address_ = !addresses.empty();
  for (const net::IpAddress& address : addresses) {
    (address.is_v4() ? have_local_v4_ : have_local_v6_) = true;
  }
  return absl::OkStatus();
}

absl::Status SessionCore::CreateStream() {
  stream_id_ = nice_agent_add_stream(agent_, 1);
  if (stream_id_ == 0)
    return absl::InternalError("nice_agent_add_stream failed");
  if (config_.port_range.min != 0) {
    nice_agent_set_port_range(agent_, stream_id_, kComponent,
                              config_.port_range.min, config_.port_range.max);
  }
  receive_paused_ = false;
  AttachReceive(true);
  send_path_.Attach(agent_, stream_id_);
  return absl::OkStatus();
}

void SessionCore::RefreshLocalCredentials() {
  gchar* ufrag = nullptr;
  gchar* pwd = nullptr;
  if (nice_agent_get_local_credentials(agent_, stream_id_, &ufrag, &pwd)) {
    local_ufrag_ = ufrag;
    local_pwd_ = pwd;
  }
  g_free(ufrag);
  g_free(pwd);
}

absl::Status SessionCore::PrepareServers() {
  stun_candidates_.assign(config_.stun_servers.size(), std::nullopt);
  for (size_t i = 0; i < config_.stun_servers.size(); ++i) {
    NATFWT_ASSIGN_OR_RETURN(
        ServerAddress server,
        ParseHostPort(config_.stun_servers[i], kDefaultStunPort));
    ResolveServer(server, [this, i](TransportAddress resolved) {
      stun_candidates_[i] = resolved;
    });
  }
  for (const TurnServer& turn : config_.turn_servers) {
    NATFWT_RETURN_IF_ERROR(PrepareTurnServer(turn));
  }
  return absl::OkStatus();
}

void SessionCore::ResetServers() {
  resolutions_.clear();
  pending_resolutions_ = 0;
  stun_candidates_.clear();
  relays_.clear();
  tunnels_.clear();
}

absl::Status SessionCore::PrepareTurnServer(const TurnServer& server) {
  NATFWT_ASSIGN_OR_RETURN(TurnUri uri, ParseTurnUri(server.uri));
  if (uri.transport != TurnTransport::kTls) {
    ResolveServer(uri.server, [this, &server, uri](TransportAddress resolved) {
      relays_.push_back({resolved, uri.transport, &server});
    });
    return absl::OkStatus();
  }
  // libnice pairs a TURN server only with host candidates of its family:
  // one tunnel per family in use.
  absl::Status status = absl::OkStatus();
  bool listening = false;
  for (bool v4 : {true, false}) {
    if (!(v4 ? have_local_v4_ : have_local_v6_)) continue;
    absl::StatusOr<std::unique_ptr<TurnTlsTunnel>> tunnel =
        TurnTlsTunnel::Create(LoopbackOf(v4), uri.server, server.tls_ca_file);
    if (!tunnel.ok()) {
      status = tunnel.status();
      continue;
    }
    relays_.push_back({{(*tunnel)->local_address(), (*tunnel)->local_port()},
                       TurnTransport::kTls,
                       &server});
    tunnels_.push_back(*std::move(tunnel));
    listening = true;
  }
  return listening ? absl::OkStatus() : status;
}

void SessionCore::ResolveServer(
    const ServerAddress& server,
    absl::AnyInvocable<void(TransportAddress) &&> use) {
  absl::StatusOr<net::IpAddress> literal = net::IpAddress::Parse(server.host);
  if (literal.ok()) {
    std::move(use)(TransportAddress{*literal, server.port});
    return;
  }
  ++pending_resolutions_;
  resolutions_.push_back(NameResolution::Start(
      server.host, config_.ipv4, config_.ipv6,
      [this, port = server.port, use = std::move(use),
       host = server.host](absl::StatusOr<net::IpAddress> address) mutable {
        Operation operation(this);
        if (address.ok()) {
          std::move(use)(TransportAddress{*address, port});
        } else {
          NATFWT_LOG(kWarning)
              << "ICE server " << host << " skipped: " << address.status();
        }
        OnResolutionDone();
      }));
}

void SessionCore::OnResolutionDone() {
  if (--pending_resolutions_ > 0 || closed_) return;
  resolution_timer_.Cancel();
  if (absl::Status status = BeginGathering(); !status.ok()) {
    NATFWT_LOG(kError) << "ICE gathering failed: " << status;
    gather_failed_ = true;
    UpdateState();
  }
}

absl::Status SessionCore::BeginGathering() {
  ApplyServers();
  if (!nice_agent_gather_candidates(agent_, stream_id_)) {
    return absl::InternalError(
        "libnice could not gather (no usable local address, or the port "
        "range is exhausted)");
  }
  return absl::OkStatus();
}

void SessionCore::ApplyServers() {
  if (!stun_server_.has_value()) {
    for (const auto& candidate : stun_candidates_) {
      if (candidate.has_value()) {
        stun_server_ = candidate;
        break;
      }
    }
  }
  // libnice 0.1.21 reads every datagram from a UDP TURN server's address as
  // TURN traffic on the host socket it shares with the allocation, so the
  // answer to a STUN Binding request sent to the same address and port is
  // dropped ("failed slow validation") and gathering waits for that request
  // to time out (about 2 s, with coturn's usual single port 3478). The
  // Allocate answer carries the same mapped address (XOR-MAPPED-ADDRESS,
  // from which libnice makes the server-reflexive candidate), so such a
  // STUN server is left out.
  for (const RelayEndpoint& relay : relays_) {
    if (stun_server_.has_value() && relay.transport == TurnTransport::kUdp &&
        relay.server == *stun_server_) {
      stun_server_.reset();
    }
  }
  if (stun_server_.has_value()) {
    g_object_set(agent_, "stun-server",
                 stun_server_->address.ToString().c_str(), "stun-server-port",
                 static_cast<guint>(stun_server_->port), nullptr);
  }
  for (const RelayEndpoint& relay : relays_) {
    nice_agent_set_relay_info(
        agent_, stream_id_, kComponent, relay.server.address.ToString().c_str(),
        relay.server.port, relay.config->username.c_str(),
        relay.config->password.c_str(), RelayTypeOf(relay.transport));
  }
}

void SessionCore::FinishGathering() {
  if (gathering_done_) return;
  gathering_done_ = true;
  gathering_timer_.Cancel();
  Emit([end = EndOfCandidates{local_ufrag_}](IceSessionObserver& o) {
    o.OnGatheringDone(end);
  });
}

std::optional<TurnTransport> SessionCore::RelayTransportOf(
    const Candidate& local) const {
  if (local.type != CandidateType::kRelay) return std::nullopt;
  // libnice 0.1.21 signals copies of its candidates without the TURN server
  // (nice_candidate_relay_address dereferences NULL on them), so infer the
  // transport: a UDP allocation's base is the host UDP socket, a TCP one's
  // has port 0 (observed). Unknown when several configured transports fit.
  const bool udp = local.related.has_value() && local.related->port != 0;
  std::optional<TurnTransport> found;
  for (const RelayEndpoint& relay : relays_) {
    if ((relay.transport == TurnTransport::kUdp) != udp) continue;
    if (found.has_value() && *found != relay.transport) return std::nullopt;
    found = relay.transport;
  }
  return found;
}

absl::Status SessionCore::Start() {
  Operation operation(this);
  NATFWT_RETURN_IF_ERROR(CheckOpen());
  if (started_) return absl::FailedPreconditionError("already started");
  if (!have_local_address_) {
    return absl::FailedPreconditionError("no usable local address");
  }
  if (absl::Status status = PrepareServers(); !status.ok()) {
    ResetServers();
    return status;
  }
  started_ = true;
  gathering_timer_.Start(context_, config_.timeouts.gathering, [this] {
    Operation inner(this);
    FinishGathering();
  });
  ArmConnectTimer();
  UpdateState();
  if (pending_resolutions_ > 0) {
    // Names get half the gathering time; late ones are skipped.
    resolution_timer_.Start(context_, config_.timeouts.gathering / 2, [this] {
      Operation inner(this);
      resolutions_.clear();
      pending_resolutions_ = 1;
      OnResolutionDone();
    });
    return absl::OkStatus();
  }
  absl::Status status = BeginGathering();
  if (!status.ok()) {
    gather_failed_ = true;
    UpdateState();
  }
  return status;
}

}  // namespace natfwt::ice
