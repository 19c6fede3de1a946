//===- KvCache.cpp - the cpu device's key/value cache ---------------------===//

#include "cpu/KvCache.h"

#include <algorithm>

namespace llmc::cpu {

KvCache::KvCache(int64_t layers, int64_t kvHeads, int64_t headDim,
                 int64_t capacity)
    : kvHeads_(kvHeads), headDim_(headDim), capacity_(capacity),
      keys_(size_t(layers * capacity * kvHeads * headDim)),
      values_(size_t(layers * capacity * kvHeads * headDim)) {}

void KvCache::truncate(int64_t length) {
  length_ = std::clamp<int64_t>(length, 0, length_);
}

} // namespace llmc::cpu
