// A fixed-size table of integers that starts all zero, in fresh anonymous
// memory: the kernel hands out zero pages as they are first touched, so a
// large table a run never uses — an 8 MiB L3's tags with --timing=off —
// costs nothing to make, where a std::vector would write every byte.
#ifndef X64SIM_UARCH_ZEROED_TABLE_H_
#define X64SIM_UARCH_ZEROED_TABLE_H_

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <string_view>
#include <type_traits>

#include "checkpoint/state_archive.h"

namespace x64sim {

template <typename T>
  requires std::is_integral_v<T>
class ZeroedTable {
 public:
  explicit ZeroedTable(size_t size) : size_(size) {
    if (size_ == 0) return;
    void* p = mmap(nullptr, Bytes(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<T*>(p);
  }
  ZeroedTable(const ZeroedTable&) = delete;
  ZeroedTable& operator=(const ZeroedTable&) = delete;
  ~ZeroedTable() {
    if (data_ != nullptr) munmap(data_, Bytes());
  }

  size_t size() const { return size_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }

  void Serialize(StateArchive& ar, std::string_view what) { ar.FixedArray(data_, size_, what); }

 private:
  size_t Bytes() const { return size_ * sizeof(T); }

  size_t size_;
  T* data_ = nullptr;
};

}  // namespace x64sim

#endif  // X64SIM_UARCH_ZEROED_TABLE_H_
