// Copyright 2026 The natfwt Authors.
//
// UniqueFd: owns one POSIX file descriptor and closes it when it goes away
// (quiche's OwnedSocketFd), so every error path of a multi-step setup
// releases what it opened.
//
// Thread-safety: a plain value; not safe for concurrent mutation.

#ifndef NATFWT_PLATFORM_TUN_UNIQUE_FD_H_
#define NATFWT_PLATFORM_TUN_UNIQUE_FD_H_

#include <unistd.h>

#include <utility>

namespace natfwt::tun {

class UniqueFd {
 public:
  UniqueFd() = default;
  // Takes ownership of `fd` (-1: owns nothing).
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership without closing; returns the descriptor.
  int Release() { return std::exchange(fd_, -1); }
  // Closes the owned descriptor (if any) and takes `fd`. close() errors are
  // ignored: the descriptor is released either way (Linux close(2)).
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace natfwt::tun

#endif  // NATFWT_PLATFORM_TUN_UNIQUE_FD_H_
