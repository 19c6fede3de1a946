//===- Pattern.cpp - What splits and replacements search for --------------===//

#include "tokenizer/Pattern.h"

#include <algorithm>

namespace llmc::tokenizer {

Pattern Pattern::literal(std::string literal) {
  Pattern pattern;
  pattern.text = std::move(literal);
  return pattern;
}

Pattern Pattern::regex(std::shared_ptr<const Regex> regex) {
  Pattern pattern;
  pattern.compiled = std::move(regex);
  return pattern;
}

std::vector<std::pair<size_t, size_t>>
Pattern::findMatches(std::string_view haystack) const {
  if (compiled)
    return compiled->findAll(haystack);
  std::vector<std::pair<size_t, size_t>> matches;
  if (text.empty())
    return matches;
  for (size_t pos = haystack.find(text); pos != std::string_view::npos;
       pos = haystack.find(text, pos + text.size()))
    matches.emplace_back(pos, pos + text.size());
  return matches;
}

std::vector<PatternPiece> Pattern::findPieces(std::string_view haystack) const {
  if (haystack.empty())
    return {{0, 0, false}};
  std::vector<PatternPiece> pieces;
  size_t previous = 0;
  for (auto [start, end] : findMatches(haystack)) {
    if (previous != start)
      pieces.push_back({previous, start, false});
    pieces.push_back({start, end, true});
    previous = end;
  }
  if (previous != haystack.size())
    pieces.push_back({previous, haystack.size(), false});
  return pieces;
}

std::string Pattern::replaceAll(std::string_view haystack,
                                std::string_view content) const {
  std::string out;
  out.reserve(haystack.size());
  size_t previous = 0;
  for (auto [start, end] : findMatches(haystack)) {
    out.append(haystack.substr(previous, start - previous));
    out.append(content);
    previous = end;
  }
  out.append(haystack.substr(previous));
  return out;
}

std::vector<std::pair<size_t, size_t>>
splitPieces(const std::vector<PatternPiece> &pieces, SplitBehavior behavior,
            bool invert) {
  // Each range and whether it is dropped, then the kept non-empty ones.
  struct Range {
    size_t start;
    size_t end;
    bool remove;
  };
  std::vector<Range> ranges;
  ranges.reserve(pieces.size());
  bool previousMatch = false;
  switch (behavior) {
  case SplitBehavior::Isolated:
    for (const PatternPiece &piece : pieces)
      ranges.push_back({piece.start, piece.end, false});
    break;
  case SplitBehavior::Removed:
    for (const PatternPiece &piece : pieces)
      ranges.push_back({piece.start, piece.end, piece.isMatch != invert});
    break;
  case SplitBehavior::Contiguous:
    for (const PatternPiece &piece : pieces) {
      bool isMatch = piece.isMatch != invert;
      if (isMatch == previousMatch && !ranges.empty())
        ranges.back().end = piece.end;
      else
        ranges.push_back({piece.start, piece.end, false});
      previousMatch = isMatch;
    }
    break;
  case SplitBehavior::MergedWithPrevious:
    for (const PatternPiece &piece : pieces) {
      bool isMatch = piece.isMatch != invert;
      if (isMatch && !previousMatch && !ranges.empty())
        ranges.back().end = piece.end;
      else
        ranges.push_back({piece.start, piece.end, false});
      previousMatch = isMatch;
    }
    break;
  case SplitBehavior::MergedWithNext:
    for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
      bool isMatch = it->isMatch != invert;
      if (isMatch && !previousMatch && !ranges.empty())
        ranges.back().start = it->start;
      else
        ranges.push_back({it->start, it->end, false});
      previousMatch = isMatch;
    }
    std::reverse(ranges.begin(), ranges.end());
    break;
  }
  std::vector<std::pair<size_t, size_t>> kept;
  kept.reserve(ranges.size());
  for (const Range &range : ranges)
    if (!range.remove && range.start < range.end)
      kept.emplace_back(range.start, range.end);
  return kept;
}

} // namespace llmc::tokenizer
