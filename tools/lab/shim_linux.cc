// Copyright 2026 The natfwt Authors.
//
// The NFQUEUE shim on Linux with libnetfilter_queue.

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>

extern "C" {
#include <libnetfilter_queue/libnetfilter_queue.h>
}

#include "absl/cleanup/cleanup.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "tools/lab/delay_line.h"
#include "tools/lab/server_commands.h"
#include "tools/lab/shim.h"

namespace natfwt::lab {
namespace {

using Clock = DelayLine::Clock;

constexpr int kSocketBufferBytes = 8 << 20;

struct Context {
  DelayLine* line;
  Clock::time_point now;
  uint64_t verdict_errors = 0;
};

int OnPacket(nfq_q_handle* queue, nfgenmsg*, nfq_data* data, void* opaque) {
  auto* context = static_cast<Context*>(opaque);
  nfqnl_msg_packet_hdr* header = nfq_get_msg_packet_hdr(data);
  if (header == nullptr) return 0;
  uint32_t id = ntohl(header->packet_id);
  if (context->line->Admit(id, context->now) == DelayLine::Decision::kDrop &&
      nfq_set_verdict(queue, id, NF_DROP, 0, nullptr) < 0) {
    ++context->verdict_errors;
  }
  return 0;
}

absl::Status Failed(absl::string_view call) {
  return absl::InternalError(
      absl::StrCat("lab shim: ", call, " failed: ", std::strerror(errno)));
}

// A signalfd for SIGTERM and SIGINT (blocked for normal delivery).
absl::StatusOr<int> StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return Failed("sigprocmask");
  int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return Failed("signalfd");
  return fd;
}

absl::Status ConfigureQueue(nfq_handle* handle, nfq_q_handle* queue) {
  if (nfq_set_mode(queue, NFQNL_COPY_META, 0) < 0)
    return Failed("nfq_set_mode");
  if (nfq_set_queue_maxlen(queue, kShimQueueMaxLength) < 0) {
    return Failed("nfq_set_queue_maxlen");
  }
  // Fail-open off (packets beyond the queue length are dropped, not passed
  // unimpaired); GSO on (no segmentation just to queue metadata).
  if (nfq_set_queue_flags(queue, NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO,
                          NFQA_CFG_F_GSO) < 0) {
    return Failed("nfq_set_queue_flags");
  }
  nfnl_rcvbufsiz(nfq_nfnlh(handle), kSocketBufferBytes);
  return absl::OkStatus();
}

// Reads every pending queue message and feeds it to the callback.
void ReadPackets(nfq_handle* handle, int fd, Context* context,
                 uint64_t* overruns) {
  alignas(8) char buffer[65536];
  for (;;) {
    ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n > 0) {
      context->now = Clock::now();
      nfq_handle_packet(handle, buffer, static_cast<int>(n));
      continue;
    }
    // ENOBUFS: the kernel could not deliver some notifications; those
    // packets stay queued and the next batch verdict accepts them.
    if (n < 0 && errno == ENOBUFS) {
      ++*overruns;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return;
  }
}

int PollTimeoutMs(const DelayLine& line) {
  std::optional<Clock::time_point> next = line.NextRelease();
  if (!next) return -1;
  auto left =
      std::chrono::ceil<std::chrono::milliseconds>(*next - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

void Release(nfq_q_handle* queue, std::optional<uint32_t> last,
             Context* context) {
  if (last && nfq_set_verdict_batch(queue, *last, NF_ACCEPT) < 0) {
    ++context->verdict_errors;
  }
}

}  // namespace

absl::Status RunShim(const ShimOptions& options) {
  uint64_t seed = options.seed != 0 ? options.seed : std::random_device()();
  DelayLine line(std::chrono::milliseconds(options.delay_ms), options.loss_pct,
                 seed);
  Context context{&line, Clock::now()};
  absl::StatusOr<int> stop = StopSignals();
  if (!stop.ok()) return stop.status();
  absl::Cleanup close_stop = [fd = *stop] { close(fd); };
  nfq_handle* handle = nfq_open();
  if (handle == nullptr) return Failed("nfq_open");
  absl::Cleanup close_handle = [handle] { nfq_close(handle); };
  nfq_q_handle* queue = nfq_create_queue(
      handle, static_cast<uint16_t>(options.queue), &OnPacket, &context);
  if (queue == nullptr) {
    return Failed(
        absl::StrCat("binding queue ", options.queue, " (nfq_create_queue)"));
  }
  absl::Cleanup destroy_queue = [queue] { nfq_destroy_queue(queue); };
  if (absl::Status s = ConfigureQueue(handle, queue); !s.ok()) return s;
  std::fprintf(stderr, "natfwt lab shim: queue %d, delay %d ms, loss %s%%\n",
               options.queue, options.delay_ms,
               FormatPercent(options.loss_pct).c_str());
  int fd = nfq_fd(handle);
  uint64_t overruns = 0;
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {*stop, POLLIN, 0}};
    if (poll(fds, 2, PollTimeoutMs(line)) < 0 && errno != EINTR) {
      return Failed("poll");
    }
    if (fds[1].revents != 0) break;
    if (fds[0].revents != 0) ReadPackets(handle, fd, &context, &overruns);
    Release(queue, line.ReleaseDue(Clock::now()), &context);
  }
  Release(queue, line.ReleaseAll(), &context);
  std::fprintf(stderr,
               "natfwt lab shim: stopping; %llu packets, %llu dropped, %llu "
               "socket overruns, %llu verdict errors\n",
               static_cast<unsigned long long>(line.admitted()),
               static_cast<unsigned long long>(line.dropped()),
               static_cast<unsigned long long>(overruns),
               static_cast<unsigned long long>(context.verdict_errors));
  return absl::OkStatus();
}

}  // namespace natfwt::lab
