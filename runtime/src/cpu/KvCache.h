//===- KvCache.h - the cpu device's key/value cache -------------*- C++ -*-===//
//
// Keys and values of every layer for one sequence, [capacity, kv_heads,
// head_dim] float32 per layer, filled in position order. `length` is how
// many positions hold committed tokens; a forward call writes positions
// length .. length + T - 1 and commits them when it succeeds, so a failed or
// rejected (speculative) call leaves the cache as it was.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_CPU_KVCACHE_H
#define LLMC_RUNTIME_CPU_KVCACHE_H

#include <cstdint>
#include <vector>

namespace llmc::cpu {

class KvCache {
public:
  KvCache(int64_t layers, int64_t kvHeads, int64_t headDim, int64_t capacity);

  int64_t capacity() const { return capacity_; }
  int64_t length() const { return length_; }
  int64_t rowFloats() const { return kvHeads_ * headDim_; }
  /// Keeps the first `length` positions (speculative rollback, reset).
  void truncate(int64_t length);
  void commit(int64_t added) { length_ += added; }

  float *key(int64_t layer, int64_t position) {
    return keys_.data() + (layer * capacity_ + position) * rowFloats();
  }
  float *value(int64_t layer, int64_t position) {
    return values_.data() + (layer * capacity_ + position) * rowFloats();
  }

private:
  int64_t kvHeads_, headDim_, capacity_, length_ = 0;
  std::vector<float> keys_, values_;
};

} // namespace llmc::cpu

#endif // LLMC_RUNTIME_CPU_KVCACHE_H
