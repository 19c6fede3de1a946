//===- AddedTokens.h - Special and added tokens in the input ----*- C++ -*-===//
//
// Hugging Face's added vocabulary: tokens such as <|eot_id|> that are found in
// the input text before anything else runs, and so are never split by the
// pre-tokenizer or the model.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_TOKENIZER_ADDEDTOKENS_H
#define LLMC_RUNTIME_TOKENIZER_ADDEDTOKENS_H

#include "tokenizer/Normalizer.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace llmc::tokenizer {

/// An entry of tokenizer.json's "added_tokens".
struct AddedToken {
  int32_t id = -1;
  std::string content;
  /// Matches only where it is not inside a word.
  bool singleWord = false;
  /// Takes the whitespace on its left along.
  bool lstrip = false;
  /// Takes the whitespace on its right along.
  bool rstrip = false;
  /// Matched in the normalized text, not in the input as written.
  bool normalized = true;
  /// Dropped by decode when skipping special tokens.
  bool special = false;
};

/// A piece of the input: an added token, or text for the pipeline.
struct InputSegment {
  /// The normalized text; empty for an added token.
  std::string text;
  /// The added token's id, or -1.
  int32_t tokenId = -1;
  /// Whether the text begins at the start of the input.
  bool atInputStart = false;
};

/// Finds added tokens in text. Immutable; thread-safe.
class AddedTokenMatcher {
public:
  /// `normalizer` (may be null) normalizes the tokens marked normalized, as
  /// they are matched in normalized text; it must outlive the matcher.
  AddedTokenMatcher(std::vector<AddedToken> tokens,
                    const Normalizer *normalizer);

  /// Splits `text` (well-formed UTF-8) on the tokens written as they are,
  /// normalizes the text between them, splits that on the normalized tokens,
  /// and returns the non-empty segments in order.
  std::vector<InputSegment> split(std::string_view text) const;

  const std::vector<AddedToken> &tokens() const { return allTokens; }

private:
  /// Tokens to search for, indexed by their first byte.
  struct Table {
    std::array<std::vector<size_t>, 256> byFirstByte;
    std::vector<std::string> patterns;
    std::vector<size_t> tokenIndices;
    void add(std::string pattern, size_t tokenIndex);
  };
  struct Match {
    int32_t tokenId;
    size_t start;
    size_t end;
  };

  std::vector<Match> findMatches(std::string_view text,
                                 const Table &table) const;

  std::vector<AddedToken> allTokens;
  const Normalizer *normalizer;
  Table rawTable;
  Table normalizedTable;
};

} // namespace llmc::tokenizer

#endif // LLMC_RUNTIME_TOKENIZER_ADDEDTOKENS_H
