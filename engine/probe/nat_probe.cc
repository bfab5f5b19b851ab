// Copyright 2026 The natfwt Authors.

#include "engine/probe/nat_probe.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/probe/path_probe.h"
#include "engine/probe/probe_net.h"
#include "engine/probe/stun_codec.h"
#include "engine/probe/stun_exchange.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"

namespace natfwt::probe {
namespace {

constexpr int kMaxPortSamples = 64;
constexpr int kMaxHops = 64;

// One answered Binding exchange.
struct Observed {
  BindingResponse response;
  net::UdpEndpoint source;
  std::optional<absl::Duration> rtt;
};

absl::Status ValidateOptions(const NatProbeOptions& options) {
  if (options.server.port == 0) {
    return absl::InvalidArgumentError("the STUN server port must not be 0");
  }
  if (options.test_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("the test timeout must be positive");
  }
  if (options.port_samples < 2 || options.port_samples > kMaxPortSamples) {
    return absl::InvalidArgumentError("port samples must be 2-64");
  }
  if (options.max_hops < 0 || options.max_hops > kMaxHops) {
    return absl::InvalidArgumentError("max hops must be 0-64");
  }
  return absl::OkStatus();
}

class NatProber {
 public:
  NatProber(const NatProbeOptions& options, const net::UdpEndpoint& server,
            const net::IpAddress& local)
      : options_(options), local_ip_(local) {
    policy_.timeout = options.test_timeout;
    report_.server = server;
  }

  absl::StatusOr<NatProbeReport> Run();

 private:
  absl::StatusOr<std::optional<Observed>> Bind(
      net::UdpSocket& socket, const net::UdpEndpoint& destination,
      ChangeRequest change = {});
  // Test I; false when the server never answered (UDP blocked).
  absl::StatusOr<bool> TestReachability(net::UdpSocket& socket);
  absl::Status TestMapping(net::UdpSocket& socket);
  absl::Status TestFiltering();
  absl::StatusOr<std::optional<bool>> FilteringTest(
      net::UdpSocket& socket, ChangeRequest change,
      const net::UdpEndpoint& expected_source);
  absl::Status TestHairpinning(net::UdpSocket& mapped_socket);
  absl::Status TestPorts();
  void TestPath();
  void Summarize();
  void RecordMapped(const net::UdpEndpoint& mapped);
  bool HasRfc5780() const;
  void Note(std::string note) {
    NATFWT_LOG(kInfo) << "probe: " << note;
    report_.notes.push_back(std::move(note));
  }
  std::string TimeoutText() const {
    return absl::StrCat(absl::ToInt64Milliseconds(options_.test_timeout),
                        " ms");
  }

  const NatProbeOptions& options_;
  const net::IpAddress local_ip_;
  RetransmitPolicy policy_;
  StunClient client_;
  bool answered_ = false;  // Test I got an answer (success or error).
  NatProbeReport report_;
};

absl::StatusOr<std::optional<Observed>> NatProber::Bind(
    net::UdpSocket& socket, const net::UdpEndpoint& destination,
    ChangeRequest change) {
  NATFWT_ASSIGN_OR_RETURN(StunRequest request, client_.BindingRequest(change));
  std::optional<BindingResponse> parsed;
  absl::StatusOr<Answer> answer = ExchangeUdp(
      socket, socket, destination, request.bytes, policy_,
      [&](absl::Span<const uint8_t> datagram, const net::UdpEndpoint&) {
        absl::StatusOr<BindingResponse> response =
            client_.ParseBindingResponse(datagram);
        if (!response.ok() || response->id != request.id) return false;
        parsed = *std::move(response);
        return true;
      });
  if (absl::IsDeadlineExceeded(answer.status())) {
    client_.Forget(request.id);
    return std::nullopt;
  }
  if (!answer.ok()) return answer.status();
  return Observed{*std::move(parsed), answer->source, answer->rtt};
}

void NatProber::RecordMapped(const net::UdpEndpoint& mapped) {
  std::vector<net::UdpEndpoint>& all = report_.mapped_addresses;
  if (std::find(all.begin(), all.end(), mapped) == all.end()) {
    all.push_back(mapped);
  }
  std::vector<net::IpAddress>& ips = report_.public_ips;
  if (std::find(ips.begin(), ips.end(), mapped.address) == ips.end()) {
    ips.push_back(mapped.address);
  }
}

absl::StatusOr<bool> NatProber::TestReachability(net::UdpSocket& socket) {
  NATFWT_ASSIGN_OR_RETURN(std::optional<Observed> test1,
                          Bind(socket, report_.server));
  if (!test1) {
    Note(absl::StrCat("no STUN answer from ", report_.server.ToString(),
                      " over UDP within ", TimeoutText(),
                      ": UDP is blocked, or no STUN server listens there"));
    return false;
  }
  answered_ = true;
  if (test1->response.error_code) {
    Note(absl::StrCat("the server refused a plain Binding request: error ",
                      *test1->response.error_code, " ",
                      test1->response.error_reason));
    return true;
  }
  report_.mapped = test1->response.mapped;
  report_.other_address = test1->response.other_address;
  report_.rtt = test1->rtt;
  RecordMapped(*report_.mapped);
  return true;
}

bool NatProber::HasRfc5780() const {
  const std::optional<net::UdpEndpoint>& other = report_.other_address;
  return other && other->address.family() == report_.server.address.family() &&
         other->address != report_.server.address &&
         other->port != report_.server.port;
}

absl::Status NatProber::TestMapping(net::UdpSocket& socket) {
  const net::UdpEndpoint& other = *report_.other_address;
  MappingReport& mapping = report_.mapping;
  NATFWT_ASSIGN_OR_RETURN(std::optional<Observed> test2,
                          Bind(socket, {other.address, report_.server.port}));
  if (test2 && !test2->response.error_code) {
    mapping.alternate_address = test2->response.mapped;
    RecordMapped(*mapping.alternate_address);
  } else {
    Note(absl::StrCat("no answer from the server's alternate address ",
                      other.address.ToString(), " (mapping test II)"));
  }
  if (mapping.alternate_address &&
      *mapping.alternate_address != *report_.mapped) {
    NATFWT_ASSIGN_OR_RETURN(std::optional<Observed> test3, Bind(socket, other));
    if (test3 && !test3->response.error_code) {
      mapping.alternate_address_and_port = test3->response.mapped;
      RecordMapped(*mapping.alternate_address_and_port);
    } else {
      Note(absl::StrCat("no answer from the server's alternate address ",
                        other.ToString(), " (mapping test III)"));
    }
  }
  mapping.behavior = ClassifyMapping(*report_.mapped, mapping.alternate_address,
                                     mapping.alternate_address_and_port);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<bool>> NatProber::FilteringTest(
    net::UdpSocket& socket, ChangeRequest change,
    const net::UdpEndpoint& expected_source) {
  NATFWT_ASSIGN_OR_RETURN(std::optional<Observed> answer,
                          Bind(socket, report_.server, change));
  if (!answer) return std::optional<bool>(false);
  if (answer->response.error_code) {
    Note(absl::StrCat("the server refused CHANGE-REQUEST: error ",
                      *answer->response.error_code, " ",
                      answer->response.error_reason));
    return std::optional<bool>();
  }
  if (answer->source != expected_source) {
    Note(absl::StrCat("asked to answer from ", expected_source.ToString(),
                      ", the server answered from ", answer->source.ToString(),
                      ": it does not honour CHANGE-REQUEST"));
    return std::optional<bool>();
  }
  return std::optional<bool>(true);
}

absl::Status NatProber::TestFiltering() {
  NATFWT_ASSIGN_OR_RETURN(std::unique_ptr<net::UdpSocket> socket,
                          OpenStunSocket({local_ip_, 0}));
  NATFWT_ASSIGN_OR_RETURN(std::optional<Observed> test1,
                          Bind(*socket, report_.server));
  if (!test1 || test1->response.error_code) {
    Note("filtering test I got no answer: filtering behaviour unknown");
    return absl::OkStatus();
  }
  RecordMapped(*test1->response.mapped);
  FilteringReport& filtering = report_.filtering;
  const net::UdpEndpoint& other = *report_.other_address;
  NATFWT_ASSIGN_OR_RETURN(
      std::optional<bool> both,
      FilteringTest(*socket, {.change_ip = true, .change_port = true}, other));
  if (!both) return absl::OkStatus();  // The server cannot tell: unknown.
  filtering.change_ip_and_port_answered = *both;
  if (!*both) {
    NATFWT_ASSIGN_OR_RETURN(
        filtering.change_port_answered,
        FilteringTest(*socket, {.change_port = true},
                      {report_.server.address, other.port}));
    if (!filtering.change_port_answered) return absl::OkStatus();
  }
  filtering.behavior = ClassifyFiltering(filtering.change_ip_and_port_answered,
                                         filtering.change_port_answered);
  return absl::OkStatus();
}

absl::Status NatProber::TestHairpinning(net::UdpSocket& mapped_socket) {
  NATFWT_ASSIGN_OR_RETURN(std::unique_ptr<net::UdpSocket> sender,
                          OpenStunSocket({local_ip_, 0}));
  NATFWT_ASSIGN_OR_RETURN(StunRequest request, client_.BindingRequest());
  absl::StatusOr<Answer> echoed = ExchangeUdp(
      *sender, mapped_socket, *report_.mapped, request.bytes, policy_,
      [&](absl::Span<const uint8_t> datagram, const net::UdpEndpoint&) {
        return IsBindingRequest(datagram, request.id);
      });
  client_.Forget(request.id);
  if (!echoed.ok() && !absl::IsDeadlineExceeded(echoed.status())) {
    return echoed.status();
  }
  report_.hairpinning = echoed.ok();
  return absl::OkStatus();
}

absl::Status NatProber::TestPorts() {
  std::vector<std::unique_ptr<net::UdpSocket>> sockets;  // Open until done.
  for (int i = 0; i < options_.port_samples; ++i) {
    NATFWT_ASSIGN_OR_RETURN(std::unique_ptr<net::UdpSocket> socket,
                            OpenStunSocket({local_ip_, 0}));
    NATFWT_ASSIGN_OR_RETURN(std::optional<Observed> answer,
                            Bind(*socket, report_.server));
    if (answer && !answer->response.error_code) {
      report_.ports.samples.push_back(
          {socket->local_address().port, answer->response.mapped->port});
      RecordMapped(*answer->response.mapped);
    }
    sockets.push_back(std::move(socket));
  }
  const size_t answered = report_.ports.samples.size();
  if (answered < static_cast<size_t>(options_.port_samples)) {
    Note(absl::StrCat("port allocation: ", answered, " of ",
                      options_.port_samples, " bindings answered"));
  }
  report_.ports.allocation = ClassifyPortAllocation(report_.ports.samples);
  return absl::OkStatus();
}

void NatProber::TestPath() {
  PathReport& path = report_.path;
  if (options_.max_hops == 0) {
    path.note = "skipped (--max-hops 0)";
    return;
  }
  if (*report_.mapped == report_.local) {
    path.note = "skipped: no NAT";
    return;
  }
  absl::StatusOr<PathProbeResult> probed = ProbePath(
      local_ip_, report_.server, options_.max_hops, options_.test_timeout);
  if (!probed.ok()) {
    path.note = std::string(probed.status().message());
    Note(absl::StrCat("path: ", path.note, "; carrier-grade NAT unknown"));
    return;
  }
  path.probed = true;
  path.hops = std::move(probed->hops);
  path.server_ttl = probed->server_ttl;
}

void NatProber::Summarize() {
  NatEvidence evidence;
  evidence.answered = answered_;
  if (report_.mapped) {
    evidence.behind_nat = *report_.mapped != report_.local;
    evidence.carrier_grade = CarrierGradeNatSeen(
        report_.path.hops, report_.local.address, report_.mapped->address);
  }
  evidence.mapping = report_.mapping.behavior;
  evidence.filtering = report_.filtering.behavior;
  report_.carrier_grade_nat = evidence.carrier_grade;
  report_.nat_depth =
      report_.mapped ? EstimateNatDepth(report_.path.hops, evidence.behind_nat,
                                        report_.mapped->address)
                     : 0;
  // An error answer to test I: reachable, nothing else known.
  report_.type =
      answered_ && !report_.mapped ? NatType::kUnknown : SummarizeNat(evidence);
}

absl::StatusOr<NatProbeReport> NatProber::Run() {
  NATFWT_ASSIGN_OR_RETURN(std::unique_ptr<net::UdpSocket> socket,
                          OpenStunSocket({local_ip_, 0}));
  report_.local = socket->local_address();
  NATFWT_ASSIGN_OR_RETURN(bool answered, TestReachability(*socket));
  if (answered && report_.mapped) {
    if (HasRfc5780()) {
      NATFWT_RETURN_IF_ERROR(TestMapping(*socket));
      NATFWT_RETURN_IF_ERROR(TestFiltering());
    } else {
      Note(report_.other_address
               ? absl::StrCat("OTHER-ADDRESS ",
                              report_.other_address->ToString(),
                              " does not differ from the primary address in "
                              "both IP and port: no RFC 5780 tests")
               : "the server sent no OTHER-ADDRESS (no RFC 5780 support): "
                 "mapping and filtering behaviour unknown");
    }
    NATFWT_RETURN_IF_ERROR(TestHairpinning(*socket));
    NATFWT_RETURN_IF_ERROR(TestPorts());
    TestPath();
  }
  Summarize();
  return std::move(report_);
}

}  // namespace

absl::StatusOr<NatProbeReport> RunNatProbe(const NatProbeOptions& options) {
  NATFWT_RETURN_IF_ERROR(ValidateOptions(options));
  NATFWT_ASSIGN_OR_RETURN(net::IpAddress address,
                          ResolveHost(options.server.host));
  const net::UdpEndpoint server{address, options.server.port};
  NATFWT_ASSIGN_OR_RETURN(net::IpAddress local, LocalAddressToward(server));
  NatProber prober(options, server, local);
  return prober.Run();
}

}  // namespace natfwt::probe
