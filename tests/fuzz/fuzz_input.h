// Splits a fuzzer's input into typed fields, front to back. Reads past the
// end give zeros, so every input, however short, decodes to something.
#ifndef X64SIM_TESTS_FUZZ_FUZZ_INPUT_H_
#define X64SIM_TESTS_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace x64sim::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  template <typename T>
  T Take() {
    T v{};
    const size_t n = sizeof(T) < remaining() ? sizeof(T) : remaining();
    if (n > 0) std::memcpy(&v, data_ + pos_, n);
    pos_ += n;
    return v;
  }
  // A value in [0, bound) (bound > 0).
  uint32_t Below(uint32_t bound) { return Take<uint32_t>() % bound; }
  bool Bit() { return Take<uint8_t>() & 1; }

  std::vector<uint8_t> Bytes(size_t n) {
    n = n < remaining() ? n : remaining();
    std::vector<uint8_t> out(data_ + pos_, data_ + pos_ + n);
    pos_ += n;
    return out;
  }
  // Up to `max` bytes, the count taken from the input first.
  std::vector<uint8_t> SizedBytes(size_t max) { return Bytes(Take<uint16_t>() % (max + 1)); }
  std::string SizedString(size_t max) {
    std::vector<uint8_t> b = SizedBytes(max);
    return std::string(b.begin(), b.end());
  }
  std::vector<uint8_t> Rest() { return Bytes(remaining()); }

  size_t remaining() const { return size_ - pos_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace x64sim::fuzz

#endif  // X64SIM_TESTS_FUZZ_FUZZ_INPUT_H_
