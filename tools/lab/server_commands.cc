// Copyright 2026 The natfwt Authors.
//
// Command lines of the lab's servers and impairment.

#include "tools/lab/server_commands.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "tools/lab/lab_plan.h"

namespace natfwt::lab {

std::vector<std::string> CoturnArgv(absl::string_view turnserver_path,
                                    const CoturnFiles& files) {
  return {
      std::string(turnserver_path),
      "-n",  // No configuration file: everything is on this command line.
      "--no-cli",
      absl::StrCat("--listening-ip=", kStunPrimaryAddress),
      absl::StrCat("--listening-ip=", kStunSecondaryAddress),
      absl::StrCat("--relay-ip=", kStunPrimaryAddress),
      absl::StrCat("--listening-port=", kStunPort),
      absl::StrCat("--alt-listening-port=", kStunAltPort),
      absl::StrCat("--tls-listening-port=", kTlsPort),
      absl::StrCat("--alt-tls-listening-port=", kTlsPort + 1),
      "--fingerprint",
      "--lt-cred-mech",
      absl::StrCat("--user=", kTurnUser, ":", kTurnPassword),
      absl::StrCat("--realm=", kTurnRealm),
      absl::StrCat("--cert=", files.certificate),
      absl::StrCat("--pkey=", files.private_key),
      absl::StrCat("--db=", files.database),
      absl::StrCat("--pidfile=", files.pid_file),
      "--log-file=stdout",
      "--simple-log",
      "--no-software-attribute",
  };
}

std::vector<std::string> RendezvousArgv(absl::string_view natfwt_path) {
  return {std::string(natfwt_path), "rendezvous", "--listen",
          absl::StrCat(kRendezvousAddress, ":", kTlsPort)};
}

std::vector<std::string> ShimArgv(absl::string_view natfwt_path, int delay_ms,
                                  double loss_pct) {
  return {std::string(natfwt_path),
          "lab",
          "shim",
          "--queue",
          absl::StrCat(kShimQueue),
          "--delay-ms",
          absl::StrCat(delay_ms),
          "--loss-pct",
          FormatPercent(loss_pct)};
}

std::vector<std::string> ShimIptablesArgs() {
  return {"-w",      "-t",          "mangle",
          "-A",      "FORWARD",     "-j",
          "NFQUEUE", "--queue-num", absl::StrCat(kShimQueue)};
}

std::string NetemBatch(const std::vector<std::string>& interfaces, int delay_ms,
                       double loss_pct) {
  std::string batch;
  for (const std::string& ifname : interfaces) {
    absl::StrAppend(&batch, "qdisc add dev ", ifname, " root netem limit ",
                    kShimQueueMaxLength);
    if (delay_ms > 0) absl::StrAppend(&batch, " delay ", delay_ms, "ms");
    if (loss_pct > 0) {
      absl::StrAppend(&batch, " loss ", FormatPercent(loss_pct), "%");
    }
    absl::StrAppend(&batch, "\n");
  }
  return batch;
}

std::string FormatPercent(double pct) {
  std::string text = absl::StrFormat("%.4f", pct);
  absl::string_view view = text;
  while (absl::ConsumeSuffix(&view, "0")) {
  }
  absl::ConsumeSuffix(&view, ".");
  return std::string(view);
}

}  // namespace natfwt::lab
