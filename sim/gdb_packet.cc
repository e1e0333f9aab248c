#include "sim/gdb_packet.h"

namespace x64sim {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr char kDigits[] = "0123456789abcdef";

}  // namespace

std::string FramePacket(std::string_view payload) {
  std::string out = "$";
  uint8_t sum = 0;
  auto put = [&](char c) {
    out.push_back(c);
    sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
  };
  for (char c : payload) {
    if (c == '$' || c == '#' || c == '}' || c == '*') {
      put('}');
      put(static_cast<char>(c ^ 0x20));
    } else {
      put(c);
    }
  }
  out.push_back('#');
  out.push_back(kDigits[sum >> 4]);
  out.push_back(kDigits[sum & 15]);
  return out;
}

std::string ToHex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const uint8_t b = static_cast<uint8_t>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexDigit(hex[i]);
    const int lo = HexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

std::string LittleEndianHex(uint64_t value, int size) {
  std::string out;
  for (int i = 0; i < size; ++i) {
    const uint8_t b = i < 8 ? static_cast<uint8_t>(value >> (8 * i)) : 0;
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::optional<uint64_t> ParseHexNumber(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    const int d = HexDigit(c);
    if (d < 0) return std::nullopt;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  return v;
}

std::optional<GdbInput> GdbPacketReader::Next() {
  while (!buffer_.empty()) {
    const char c = buffer_[0];
    if (c == '+' || c == '-' || c == '\x03') {
      buffer_.erase(0, 1);
      return GdbInput{c == '+'   ? GdbInput::Kind::kAck
                      : c == '-' ? GdbInput::Kind::kNack
                                 : GdbInput::Kind::kInterrupt,
                      ""};
    }
    if (c != '$') {
      buffer_.erase(0, 1);
      continue;
    }
    const size_t hash = buffer_.find('#');
    if (hash == std::string::npos || buffer_.size() < hash + 3) return std::nullopt;
    const std::string body = buffer_.substr(1, hash - 1);
    const std::optional<uint64_t> checksum = ParseHexNumber(std::string_view(buffer_).substr(hash + 1, 2));
    buffer_.erase(0, hash + 3);
    uint8_t sum = 0;
    for (char b : body) sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(b));
    if (!checksum || *checksum != sum) return GdbInput{GdbInput::Kind::kBadPacket, ""};
    std::string payload;
    for (size_t i = 0; i < body.size(); ++i) {
      if (body[i] == '}' && i + 1 < body.size()) {
        payload.push_back(static_cast<char>(body[++i] ^ 0x20));
      } else {
        payload.push_back(body[i]);
      }
    }
    return GdbInput{GdbInput::Kind::kPacket, std::move(payload)};
  }
  return std::nullopt;
}

}  // namespace x64sim
