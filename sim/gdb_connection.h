// The TCP side of the gdb stub: one listening socket on loopback and at
// most one connected debugger.
#ifndef X64SIM_SIM_GDB_CONNECTION_H_
#define X64SIM_SIM_GDB_CONNECTION_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace x64sim {

class GdbConnection {
 public:
  GdbConnection() = default;
  GdbConnection(const GdbConnection&) = delete;
  GdbConnection& operator=(const GdbConnection&) = delete;
  ~GdbConnection();

  // Listens on 127.0.0.1:`port`; port 0 lets the system choose (see port()).
  absl::Status Listen(int port);
  int port() const { return port_; }

  // Takes a waiting debugger; with `block` waits for one. True once connected.
  bool Accept(bool block);
  bool connected() const { return client_ >= 0; }

  // Appends what the debugger sent; with `block` waits for at least a byte.
  // False when it hung up (the connection is then closed).
  bool Receive(bool block, std::string* out);
  void Send(std::string_view bytes);
  void Disconnect();

 private:
  int listener_ = -1;
  int client_ = -1;
  int port_ = 0;
};

}  // namespace x64sim

#endif  // X64SIM_SIM_GDB_CONNECTION_H_
