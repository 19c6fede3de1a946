//===- Pattern.h - What splits and replacements search for ------*- C++ -*-===//
//
// Hugging Face's Pattern: a literal string, a regex, or a character test. A
// pattern cuts a text into alternating matched and unmatched pieces, which a
// SplitBehavior then turns into the pieces that are kept.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_TOKENIZER_PATTERN_H
#define LLMC_RUNTIME_TOKENIZER_PATTERN_H

#include "tokenizer/Regex.h"
#include "tokenizer/Unicode.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace llmc::tokenizer {

/// A piece [start, end) of a text and whether the pattern matched it.
struct PatternPiece {
  size_t start;
  size_t end;
  bool isMatch;
};

/// A literal string or a regex. Immutable and cheap to copy.
class Pattern {
public:
  /// A pattern that matches `literal` exactly (nothing when it is empty).
  static Pattern literal(std::string literal);
  /// A pattern that matches what `regex` matches.
  static Pattern regex(std::shared_ptr<const Regex> regex);

  /// The pieces that cover `text`: matches and the text between them. An
  /// empty text gives one empty unmatched piece.
  std::vector<PatternPiece> findPieces(std::string_view text) const;

  /// `text` with every match replaced by `content`.
  std::string replaceAll(std::string_view text, std::string_view content) const;

private:
  std::vector<std::pair<size_t, size_t>>
  findMatches(std::string_view text) const;

  std::string text;
  std::shared_ptr<const Regex> compiled;
};

/// The pieces of well-formed UTF-8 `text` when every character for which
/// `test` holds is a match of its own.
template <typename CharacterTest>
std::vector<PatternPiece> findCharacterPieces(std::string_view text,
                                              CharacterTest test) {
  if (text.empty())
    return {{0, 0, false}};
  std::vector<PatternPiece> pieces;
  size_t unmatchedFrom = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t start = pos;
    uint32_t codePoint = decodeUtf8(text, pos);
    if (!test(codePoint))
      continue;
    if (unmatchedFrom < start)
      pieces.push_back({unmatchedFrom, start, false});
    pieces.push_back({start, pos, true});
    unmatchedFrom = pos;
  }
  if (unmatchedFrom < text.size())
    pieces.push_back({unmatchedFrom, text.size(), false});
  return pieces;
}

/// How the matches of a split are kept, as Hugging Face names it.
enum class SplitBehavior {
  Removed,
  Isolated,
  MergedWithPrevious,
  MergedWithNext,
  Contiguous,
};

/// The [start, end) ranges that `pieces` become under `behavior`, without
/// empty ones. With `invert`, matched and unmatched pieces trade places.
std::vector<std::pair<size_t, size_t>>
splitPieces(const std::vector<PatternPiece> &pieces, SplitBehavior behavior,
            bool invert = false);

} // namespace llmc::tokenizer

#endif // LLMC_RUNTIME_TOKENIZER_PATTERN_H
