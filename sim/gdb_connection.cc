#include "sim/gdb_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_format.h"

namespace x64sim {
namespace {

// True when `fd` has something to read; with `block` waits for it.
bool Readable(int fd, bool block) {
  pollfd p = {fd, POLLIN, 0};
  for (;;) {
    const int n = ::poll(&p, 1, block ? -1 : 0);
    if (n >= 0) return n > 0;
    if (errno != EINTR) return false;
  }
}

}  // namespace

GdbConnection::~GdbConnection() {
  Disconnect();
  if (listener_ >= 0) ::close(listener_);
}

absl::Status GdbConnection::Listen(int port) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) return absl::UnavailableError(absl::StrFormat("gdb: socket: %s", std::strerror(errno)));
  const int one = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(listener_, 1) != 0) {
    return absl::UnavailableError(
        absl::StrFormat("gdb: cannot listen on 127.0.0.1:%d: %s", port, std::strerror(errno)));
  }
  socklen_t len = sizeof(addr);
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  return absl::OkStatus();
}

bool GdbConnection::Accept(bool block) {
  if (client_ >= 0) return true;
  if (listener_ < 0 || !Readable(listener_, block)) return false;
  client_ = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
  if (client_ < 0) return false;
  // Small packets both ways: send each at once.
  const int one = 1;
  ::setsockopt(client_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return true;
}

bool GdbConnection::Receive(bool block, std::string* out) {
  if (client_ < 0) return false;
  if (!Readable(client_, block)) return true;
  char buffer[4096];
  const ssize_t n = ::recv(client_, buffer, sizeof(buffer), 0);
  if (n <= 0) {
    Disconnect();
    return false;
  }
  out->append(buffer, static_cast<size_t>(n));
  return true;
}

void GdbConnection::Send(std::string_view bytes) {
  while (client_ >= 0 && !bytes.empty()) {
    const ssize_t n = ::send(client_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Disconnect();
      return;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

void GdbConnection::Disconnect() {
  if (client_ >= 0) ::close(client_);
  client_ = -1;
}

}  // namespace x64sim
