// The framing of the GDB Remote Serial Protocol: "$payload#cc" packets with
// a modulo-256 checksum, '}' escapes, '+'/'-' acknowledgements and the
// out-of-band 0x03 interrupt byte. No sockets here: bytes in, events out.
#ifndef X64SIM_SIM_GDB_PACKET_H_
#define X64SIM_SIM_GDB_PACKET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace x64sim {

// "$payload#cc", escaping the bytes the protocol reserves ($ # } *).
std::string FramePacket(std::string_view payload);

// Lower-case hex of bytes, and back (nullopt on an odd length or non-hex).
std::string ToHex(std::string_view bytes);
std::optional<std::string> FromHex(std::string_view hex);
// A little-endian value of `size` bytes as hex (the register format).
std::string LittleEndianHex(uint64_t value, int size);
// A hex number ("1f", no prefix); nullopt if empty, too long or not hex.
std::optional<uint64_t> ParseHexNumber(std::string_view text);

struct GdbInput {
  enum class Kind : uint8_t {
    kPacket,     // a well-formed packet: `payload`, unescaped
    kBadPacket,  // checksum mismatch: the peer should be sent '-'
    kInterrupt,  // 0x03 outside a packet (Ctrl-C)
    kAck,        // '+'
    kNack,       // '-': resend the last packet
  };
  Kind kind = Kind::kPacket;
  std::string payload;
};

// Splits a byte stream into GdbInputs. Bytes outside packets other than
// the ones above are ignored, as gdb's own stubs do.
class GdbPacketReader {
 public:
  void Feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete input, if the bytes fed so far hold one.
  std::optional<GdbInput> Next();

 private:
  std::string buffer_;
};

}  // namespace x64sim

#endif  // X64SIM_SIM_GDB_PACKET_H_
