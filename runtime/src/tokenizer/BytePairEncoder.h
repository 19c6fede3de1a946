//===- BytePairEncoder.h - The BPE model ------------------------*- C++ -*-===//
//
// Byte-pair encoding as Hugging Face's BPE model does it: a word starts as
// its characters (or their byte tokens, with byte fallback, or the unknown
// token) and pairs merge lowest rank first until none applies.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_TOKENIZER_BYTEPAIRENCODER_H
#define LLMC_RUNTIME_TOKENIZER_BYTEPAIRENCODER_H

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace llmc::tokenizer {

/// The settings of a BPE model, as tokenizer.json's "model" gives them.
struct BytePairEncoderOptions {
  std::vector<std::pair<std::string, int32_t>> vocab;
  /// In rank order, the pairs of tokens that merge.
  std::vector<std::pair<std::string, std::string>> merges;
  std::optional<std::string> unkToken;
  std::string continuingSubwordPrefix;
  std::string endOfWordSuffix;
  bool fuseUnk = false;
  bool byteFallback = false;
  /// Whether a word that is a token is that token, whatever the merges say
  /// (Llama-3).
  bool ignoreMerges = false;
};

/// A BPE model. Immutable; thread-safe.
class BytePairEncoder {
public:
  /// Builds the model; on failure returns null and sets `error` (relative to
  /// the model's JSON, e.g. "merges[3]: token 'ab' is not in the vocab").
  static std::unique_ptr<BytePairEncoder> create(BytePairEncoderOptions options,
                                                 std::string &error);

  /// Appends the ids of `word` (well-formed UTF-8) to `ids`.
  void encodeWord(std::string_view word, std::vector<int32_t> &ids) const;

  /// The id of `token`, or -1.
  int32_t tokenToId(std::string_view token) const;
  /// The token of `id`, or null.
  const std::string *idToToken(int32_t id) const;
  /// One more than the largest id.
  size_t idLimit() const { return tokens.size(); }

private:
  BytePairEncoder() = default;

  struct Merge {
    uint32_t rank;
    int32_t newId;
  };
  static uint64_t pairKey(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
  }
  const Merge *findMerge(int32_t left, int32_t right) const;

  std::unordered_map<std::string, int32_t> vocab;
  /// Indexed by id; ids that no token has are empty strings and unused.
  std::vector<std::string> tokens;
  std::vector<bool> hasToken;
  std::unordered_map<uint64_t, Merge> merges;
  int32_t unkId = -1;
  /// The ids of <0x00>..<0xFF>, or -1, with byte fallback.
  std::vector<int32_t> byteIds;
  std::string continuingSubwordPrefix;
  std::string endOfWordSuffix;
  bool fuseUnk = false;
  bool ignoreMerges = false;
};

} // namespace llmc::tokenizer

#endif // LLMC_RUNTIME_TOKENIZER_BYTEPAIRENCODER_H
