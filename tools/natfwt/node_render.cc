// Copyright 2026 The natfwt Authors.

#include "tools/natfwt/node_render.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/natfwt/json_writer.h"

namespace natfwt::cli {
namespace {

std::string Short(absl::string_view id) {
  return std::string(id.substr(0, 12));
}

std::string Milliseconds(absl::Duration d) {
  return absl::StrFormat("%.2f ms", absl::ToDoubleMilliseconds(d));
}

std::string Bytes(uint64_t bytes) {
  if (bytes < 10 * 1024) return absl::StrCat(bytes, " B");
  if (bytes < 10 * 1024 * 1024) return absl::StrCat(bytes / 1024, " KiB");
  return absl::StrCat(bytes / (1024 * 1024), " MiB");
}

void StringArray(JsonWriter& json, absl::string_view key,
                 const std::vector<std::string>& values) {
  json.Key(key);
  json.BeginArray();
  for (const std::string& value : values) json.String(value);
  json.EndArray();
}

void OptionalMs(JsonWriter& json, absl::string_view key,
                const std::optional<absl::Duration>& value) {
  json.Key(key);
  if (value.has_value()) {
    json.Double(absl::ToDoubleMilliseconds(*value));
  } else {
    json.Null();
  }
}

void PeerJson(JsonWriter& json, const node::PeerStatus& peer) {
  json.BeginObject();
  json.Key("node_id");
  json.String(peer.node_id);
  json.Key("state");
  json.String(peer.state);
  json.Key("initiator");
  json.Bool(peer.initiator);
  json.Key("path");
  json.String(peer.path);
  json.Key("local_candidate");
  json.String(peer.local_candidate);
  json.Key("remote_candidate");
  json.String(peer.remote_candidate);
  OptionalMs(json, "rtt_ms", peer.rtt);
  json.Key("packets_sent");
  json.Int(static_cast<int64_t>(peer.packets_sent));
  json.Key("packets_received");
  json.Int(static_cast<int64_t>(peer.packets_received));
  json.Key("bytes_sent");
  json.Int(static_cast<int64_t>(peer.bytes_sent));
  json.Key("bytes_received");
  json.Int(static_cast<int64_t>(peer.bytes_received));
  json.Key("last_handshake_unix_ms");
  if (peer.last_handshake.has_value()) {
    json.Int(absl::ToUnixMillis(*peer.last_handshake));
  } else {
    json.Null();
  }
  OptionalMs(json, "setup_ms", peer.setup_time);
  json.Key("key_exchange");
  json.String(peer.key_exchange);
  json.Key("standby");
  json.Bool(peer.standby);
  json.Key("peer_standby");
  json.Bool(peer.peer_standby);
  StringArray(json, "transport_ids", peer.transport_ids);
  json.Key("online");
  json.Bool(peer.online);
  json.EndObject();
}

void CountersJson(JsonWriter& json, const node::NodeCounters& c) {
  json.BeginObject();
  const std::pair<absl::string_view, uint64_t> fields[] = {
      {"sessions_started", c.sessions_started},
      {"sessions_accepted", c.sessions_accepted},
      {"sessions_secure", c.sessions_secure},
      {"sessions_failed", c.sessions_failed},
      {"offers_not_allowed", c.offers_not_allowed},
      {"signals_malformed", c.signals_malformed},
      {"signals_stale", c.signals_stale},
      {"glare_resolved", c.glare_resolved},
      {"standby_used", c.standby_used},
      {"standby_missed", c.standby_missed},
      {"standby_fallbacks", c.standby_fallbacks},
      {"standbys_gathered", c.standbys_gathered}};
  for (const auto& [key, value] : fields) {
    json.Key(key);
    json.Int(static_cast<int64_t>(value));
  }
  json.EndObject();
}

std::string InterfaceLine(const InterfaceReport& interface) {
  if (!interface.provider.has_value()) {
    return absl::StrCat("interface   none (", interface.absent_reason, ")\n");
  }
  const provider::IceProviderStatus& p = *interface.provider;
  std::string line = absl::StrCat(
      "interface   ", p.interface_name.empty() ? "" : p.interface_name + " ",
      "\"", p.friendly_name, "\" ", p.state);
  if (!p.termination.empty()) absl::StrAppend(&line, " (", p.termination, ")");
  absl::StrAppend(
      &line, ", transport IDs ",
      p.transport_ids.empty() ? "(none)" : absl::StrJoin(p.transport_ids, " "),
      "\n");
  const provider::ProviderCounters& c = p.counters;
  absl::StrAppend(
      &line, "            sent ", c.send.packets_sent, " in ", c.send.batches,
      " batches, received ", c.packets_indicated, ", dropped ",
      c.drops_not_owner + c.drops_malformed + c.drops_refused + c.drops_backlog,
      " (", c.drops_not_owner, " not from their owner)\n");
  return line;
}

void ProviderCountersJson(JsonWriter& json,
                          const provider::ProviderCounters& c) {
  json.BeginObject();
  const std::pair<absl::string_view, uint64_t> fields[] = {
      {"packets_sent", c.send.packets_sent},
      {"send_batches", c.send.batches},
      {"send_dropped", c.send.dropped},
      {"send_unreachable", c.send.unreachable},
      {"packets_received", c.packets_received},
      {"packets_indicated", c.packets_indicated},
      {"drops_not_owner", c.drops_not_owner},
      {"drops_malformed", c.drops_malformed},
      {"drops_refused", c.drops_refused},
      {"drops_backlog", c.drops_backlog},
      {"reach_ok", c.reach_ok},
      {"reach_no_owner", c.reach_no_owner},
      {"reach_failed", c.reach_failed},
      {"reach_timeouts", c.reach_timeouts}};
  for (const auto& [key, value] : fields) {
    json.Key(key);
    json.Int(static_cast<int64_t>(value));
  }
  json.EndObject();
}

void InterfaceJson(JsonWriter& json, const InterfaceReport& interface) {
  json.Key("interface");
  if (!interface.provider.has_value() && interface.absent_reason.empty()) {
    json.Null();
    return;
  }
  json.BeginObject();
  if (!interface.provider.has_value()) {
    json.Key("state");
    json.String("none");
    json.Key("reason");
    json.String(interface.absent_reason);
    json.EndObject();
    return;
  }
  const provider::IceProviderStatus& p = *interface.provider;
  json.Key("name");
  json.String(p.interface_name);
  json.Key("friendly_name");
  json.String(p.friendly_name);
  json.Key("luid");
  json.String(absl::StrCat(p.luid));
  json.Key("state");
  json.String(p.state);
  json.Key("termination");
  json.String(p.termination);
  StringArray(json, "transport_ids", p.transport_ids);
  json.Key("counters");
  ProviderCountersJson(json, p.counters);
  json.EndObject();
}

}  // namespace

std::string RenderStatusText(const node::NodeStatus& status, absl::Time now,
                             const InterfaceReport& interface) {
  std::string out = absl::StrCat(
      "node        ", status.node_id, "\n", "network     ", status.network,
      " (rendezvous ", status.rendezvous,
      status.rendezvous_connected ? ", connected" : ", not connected",
      status.rendezvous_rtt.has_value()
          ? absl::StrCat(", rtt ", Milliseconds(*status.rendezvous_rtt))
          : "",
      ")\n", "nat         ", status.nat_behaviour, "\n", "standby     ",
      status.standby_published ? "published" : "not published",
      status.standby_outbound_ready ? ", outbound ready" : "", "\n",
      "transport   ",
      status.transport_ids.empty() ? "(none)"
                                   : absl::StrJoin(status.transport_ids, " "),
      "\n", "allow       ",
      status.allow.empty() ? "(nobody)" : absl::StrJoin(status.allow, " "),
      "\n");
  if (interface.provider.has_value() || !interface.absent_reason.empty()) {
    absl::StrAppend(&out, InterfaceLine(interface));
  }
  if (status.peers.empty()) {
    absl::StrAppend(&out, "peers       (none)\n");
    return out;
  }
  absl::StrAppend(&out, "peers:\n");
  for (const node::PeerStatus& peer : status.peers) {
    absl::StrAppend(&out, "  ", Short(peer.node_id), "  ", peer.state,
                    peer.online ? "" : " (offline)");
    if (peer.path != "none") {
      absl::StrAppend(&out, "  ", peer.path, "  ", peer.local_candidate,
                      " <-> ", peer.remote_candidate);
    }
    if (peer.rtt.has_value()) {
      absl::StrAppend(&out, "  rtt ", Milliseconds(*peer.rtt));
    }
    if (peer.state == "secure" || peer.bytes_sent > 0) {
      absl::StrAppend(&out, "  tx ", Bytes(peer.bytes_sent), " rx ",
                      Bytes(peer.bytes_received));
    }
    if (peer.last_handshake.has_value()) {
      absl::StrAppend(&out, "  handshake ",
                      absl::FormatDuration(absl::Trunc(
                          now - *peer.last_handshake, absl::Seconds(1))),
                      " ago");
    }
    if (peer.setup_time.has_value()) {
      absl::StrAppend(&out, " (setup ", Milliseconds(*peer.setup_time),
                      peer.key_exchange.empty() ? "" : ", keys by ",
                      peer.key_exchange, peer.standby ? ", on a standby" : "",
                      ")");
    }
    absl::StrAppend(&out, "\n");
    if (!peer.transport_ids.empty()) {
      absl::StrAppend(&out, "                owns ",
                      absl::StrJoin(peer.transport_ids, " "), "\n");
    }
  }
  return out;
}

std::string RenderStatusJson(const node::NodeStatus& status,
                             const InterfaceReport& interface) {
  JsonWriter json;
  json.BeginObject();
  json.Key("node_id");
  json.String(status.node_id);
  json.Key("network");
  json.String(status.network);
  json.Key("rendezvous");
  json.String(status.rendezvous);
  json.Key("rendezvous_connected");
  json.Bool(status.rendezvous_connected);
  OptionalMs(json, "rendezvous_rtt_ms", status.rendezvous_rtt);
  json.Key("standby_published");
  json.Bool(status.standby_published);
  json.Key("standby_outbound_ready");
  json.Bool(status.standby_outbound_ready);
  StringArray(json, "transport_ids", status.transport_ids);
  json.Key("nat");
  json.String(status.nat_behaviour);
  StringArray(json, "allow", status.allow);
  InterfaceJson(json, interface);
  json.Key("peers");
  json.BeginArray();
  for (const node::PeerStatus& peer : status.peers) PeerJson(json, peer);
  json.EndArray();
  json.Key("counters");
  CountersJson(json, status.counters);
  json.EndObject();
  return json.str();
}

std::string RenderPingReply(absl::string_view peer,
                            const node::PingReply& reply) {
  if (!reply.status.ok()) {
    return absl::StrCat("no reply from ", Short(peer), ": seq=", reply.sequence,
                        " ", reply.status.message());
  }
  std::string line =
      absl::StrCat("reply from ", Short(peer), ": seq=", reply.sequence,
                   " time=", Milliseconds(reply.rtt), " via ", reply.path, " (",
                   reply.remote, ")");
  if (reply.setup_time.has_value()) {
    absl::StrAppend(&line, " [session set up in ",
                    Milliseconds(*reply.setup_time), "]");
  }
  return line;
}

int PingSummary::received() const {
  return static_cast<int>(std::count_if(
      replies_.begin(), replies_.end(),
      [](const node::PingReply& reply) { return reply.status.ok(); }));
}

std::string PingSummary::Text() const {
  int sent = static_cast<int>(replies_.size());
  int got = received();
  std::string out =
      absl::StrFormat("%d pings, %d replies, %.0f%% loss", sent, got,
                      sent == 0 ? 0.0 : 100.0 * (sent - got) / sent);
  if (got == 0) return out;
  absl::Duration min = absl::InfiniteDuration(), max, sum;
  for (const node::PingReply& reply : replies_) {
    if (!reply.status.ok()) continue;
    min = std::min(min, reply.rtt);
    max = std::max(max, reply.rtt);
    sum += reply.rtt;
  }
  absl::StrAppendFormat(&out, ", rtt min/avg/max %.2f/%.2f/%.2f ms",
                        absl::ToDoubleMilliseconds(min),
                        absl::ToDoubleMilliseconds(sum / got),
                        absl::ToDoubleMilliseconds(max));
  return out;
}

std::string PingSummary::Json() const {
  JsonWriter json;
  json.BeginObject();
  json.Key("peer");
  json.String(peer_);
  json.Key("sent");
  json.Int(static_cast<int64_t>(replies_.size()));
  json.Key("received");
  json.Int(received());
  std::optional<absl::Duration> setup;
  for (const node::PingReply& reply : replies_) {
    if (reply.setup_time.has_value()) setup = reply.setup_time;
  }
  OptionalMs(json, "setup_ms", setup);
  json.Key("replies");
  json.BeginArray();
  absl::Duration min = absl::InfiniteDuration(), max, sum;
  for (const node::PingReply& reply : replies_) {
    json.BeginObject();
    json.Key("seq");
    json.Int(reply.sequence);
    json.Key("ok");
    json.Bool(reply.status.ok());
    if (reply.status.ok()) {
      json.Key("rtt_ms");
      json.Double(absl::ToDoubleMilliseconds(reply.rtt));
      json.Key("path");
      json.String(reply.path);
      json.Key("remote");
      json.String(reply.remote);
      min = std::min(min, reply.rtt);
      max = std::max(max, reply.rtt);
      sum += reply.rtt;
    } else {
      json.Key("error");
      json.String(reply.status.message());
    }
    json.EndObject();
  }
  json.EndArray();
  json.Key("rtt_ms");
  if (received() > 0) {
    json.BeginObject();
    json.Key("min");
    json.Double(absl::ToDoubleMilliseconds(min));
    json.Key("avg");
    json.Double(absl::ToDoubleMilliseconds(sum / received()));
    json.Key("max");
    json.Double(absl::ToDoubleMilliseconds(max));
    json.EndObject();
  } else {
    json.Null();
  }
  json.EndObject();
  return json.str();
}

}  // namespace natfwt::cli
