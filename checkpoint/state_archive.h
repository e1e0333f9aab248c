// The one primitive behind checkpoints: a class lists its state once, in a
// Serialize(StateArchive&) method, and the same list saves and loads it.
//
//   void Serialize(StateArchive& ar) { ar(count_, enabled_, entries_); }
//
// Saving appends little-endian fixed-width values to a byte string; loading
// reads them back in the same order. Loading never trusts the bytes: a read
// past the end, a bool that is not 0 or 1, an enum or index out of range, or
// a container whose size the configuration fixes and the bytes disagree
// with, marks the archive failed with a message (zeros are read from then
// on), and the caller checks ok() before using what was loaded. Host
// pointers are never written: classes save what the pointer stands for.
#ifndef X64SIM_CHECKPOINT_STATE_ARCHIVE_H_
#define X64SIM_CHECKPOINT_STATE_ARCHIVE_H_

#include <array>
#include <bitset>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace x64sim {

class StateArchive;

template <typename T>
concept SelfSerializing = requires(T& t, StateArchive& ar) { t.Serialize(ar); };

class StateArchive {
 public:
  static StateArchive ForSaving() { return StateArchive(true, {}); }
  // `bytes` must outlive the archive.
  static StateArchive ForLoading(std::string_view bytes) { return StateArchive(false, bytes); }

  bool loading() const { return !saving_; }
  bool saving() const { return saving_; }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // Saving: everything written so far. Loading: whether every byte was used.
  const std::string& bytes() const { return out_; }
  bool consumed() const { return in_.empty(); }

  // Marks a loading archive failed (the first message is kept).
  void Fail(std::string_view why) {
    if (error_.empty()) error_ = std::string(why);
    in_ = {};
  }
  // Loading: fails with `why` unless `condition`.
  bool Check(bool condition, std::string_view why) {
    if (!condition && loading()) Fail(why);
    return condition || saving();
  }

  template <typename... Ts>
  void operator()(Ts&... values) {
    (One(values), ...);
  }

  // An enum or integer that must be at most `max` (an array index, a kind).
  template <typename T>
  void Bounded(T& value, T max, std::string_view what) {
    One(value);
    bool in_range = value <= max;
    if constexpr (std::is_signed_v<T>) in_range = in_range && value >= 0;
    if (loading() && !in_range) {
      Fail(std::string(what) + " out of range");
      value = T{};
    }
  }

  // A vector whose size the configuration fixes (a TLB's entries): loading
  // requires the saved size to be the current one.
  template <typename T>
  void FixedSize(std::vector<T>& v, std::string_view what) {
    FixedArray(v.data(), v.size(), what);
  }
  template <typename T>
  void FixedArray(T* items, size_t size, std::string_view what) {
    uint64_t n = size;
    One(n);
    if (!Check(n == size, std::string(what) + ": saved with a different size")) return;
    for (size_t i = 0; i < size; ++i) One(items[i]);
  }

  // A vector of any size, at most `max_size` elements when loading.
  template <typename T>
  void Sized(std::vector<T>& v, uint64_t max_size, std::string_view what) {
    uint64_t n = v.size();
    One(n);
    if (loading()) {
      if (!Check(n <= max_size && n <= in_.size(), std::string(what) + ": bad length")) return;
      v.assign(n, T{});
    }
    for (T& item : v) One(item);
  }

  // Raw bytes of a fixed length (RAM pages).
  void Bytes(void* data, size_t n) {
    if (saving_) {
      out_.append(static_cast<const char*>(data), n);
    } else if (n > in_.size()) {
      Fail("truncated");
      std::memset(data, 0, n);
    } else {
      std::memcpy(data, in_.data(), n);
      in_.remove_prefix(n);
    }
  }

 private:
  StateArchive(bool saving, std::string_view in) : saving_(saving), in_(in) {}

  template <typename T>
  void One(T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      uint8_t b = value ? 1 : 0;
      Bytes(&b, 1);
      if (loading() && b > 1) Fail("a flag is neither 0 nor 1");
      value = b == 1;
    } else if constexpr (std::is_enum_v<T>) {
      auto raw = static_cast<std::underlying_type_t<T>>(value);
      One(raw);
      value = static_cast<T>(raw);
    } else if constexpr (std::is_integral_v<T> || std::is_floating_point_v<T>) {
      // x86-64 is little-endian: the bytes are the value.
      Bytes(&value, sizeof(T));
    } else if constexpr (std::is_array_v<T>) {
      for (auto& item : value) One(item);
    } else if constexpr (SelfSerializing<T>) {
      value.Serialize(*this);
    } else {
      SerializeSpecial(value);
    }
  }
  template <typename T, size_t N>
  void SerializeSpecial(std::array<T, N>& a) {
    for (T& item : a) One(item);
  }
  template <size_t N>
  void SerializeSpecial(std::bitset<N>& bits) {
    for (size_t i = 0; i < N; ++i) {
      bool b = bits[i];
      One(b);
      bits[i] = b;
    }
  }
  void SerializeSpecial(std::string& s) {
    uint64_t n = s.size();
    One(n);
    if (loading()) {
      if (!Check(n <= in_.size(), "bad string length")) return;
      s.assign(in_.data(), n);
      in_.remove_prefix(n);
    } else {
      out_ += s;
    }
  }

  bool saving_;
  std::string out_;
  std::string_view in_;
  std::string error_;
};

}  // namespace x64sim

#endif  // X64SIM_CHECKPOINT_STATE_ARCHIVE_H_
