//===- AddedTokens.cpp - Special and added tokens in the input ------------===//

#include "tokenizer/AddedTokens.h"

#include "tokenizer/Unicode.h"

#include <algorithm>

namespace llmc::tokenizer {

namespace {

/// The code point that ends well-formed UTF-8 `text`, which is not empty.
uint32_t lastCodePoint(std::string_view text) {
  size_t start = text.size() - 1;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
    --start;
  return decodeUtf8(text, start);
}

bool endsWithWord(std::string_view text) {
  return !text.empty() && isAlphanumeric(lastCodePoint(text));
}

bool startsWithWord(std::string_view text) {
  size_t pos = 0;
  return !text.empty() && isAlphanumeric(decodeUtf8(text, pos));
}

/// Where the whitespace that ends `text` begins.
size_t trailingWhitespaceStart(std::string_view text) {
  size_t start = text.size();
  while (start > 0) {
    size_t charStart = start - 1;
    while (charStart > 0 &&
           (static_cast<unsigned char>(text[charStart]) & 0xC0) == 0x80)
      --charStart;
    size_t pos = charStart;
    if (!isWhitespace(decodeUtf8(text, pos)))
      break;
    start = charStart;
  }
  return start;
}

/// The length of the whitespace that begins `text`.
size_t leadingWhitespaceLength(std::string_view text) {
  size_t end = 0;
  while (end < text.size()) {
    size_t pos = end;
    if (!isWhitespace(decodeUtf8(text, pos)))
      break;
    end = pos;
  }
  return end;
}

} // namespace

void AddedTokenMatcher::Table::add(std::string pattern, size_t tokenIndex) {
  if (pattern.empty())
    return;
  byFirstByte[static_cast<unsigned char>(pattern[0])].push_back(
      patterns.size());
  patterns.push_back(std::move(pattern));
  tokenIndices.push_back(tokenIndex);
}

AddedTokenMatcher::AddedTokenMatcher(std::vector<AddedToken> tokens,
                                     const Normalizer *normalizer)
    : allTokens(std::move(tokens)), normalizer(normalizer) {
  for (size_t i = 0; i < allTokens.size(); ++i) {
    const AddedToken &token = allTokens[i];
    if (!token.normalized)
      rawTable.add(token.content, i);
    else if (normalizer)
      normalizedTable.add(normalizer->normalize(token.content), i);
    else
      normalizedTable.add(token.content, i);
  }
}

std::vector<AddedTokenMatcher::Match>
AddedTokenMatcher::findMatches(std::string_view text,
                               const Table &table) const {
  std::vector<Match> pieces;
  size_t pieceStart = 0;
  size_t searchFrom = 0;
  while (!table.patterns.empty()) {
    // The leftmost match, and the longest of those that start there.
    size_t matchStart = text.size();
    size_t bestPattern = 0;
    size_t bestLength = 0;
    for (size_t pos = searchFrom; pos < text.size() && bestLength == 0; ++pos) {
      for (size_t index :
           table.byFirstByte[static_cast<unsigned char>(text[pos])]) {
        const std::string &pattern = table.patterns[index];
        if (pattern.size() > bestLength &&
            text.compare(pos, pattern.size(), pattern) == 0) {
          bestPattern = index;
          bestLength = pattern.size();
          matchStart = pos;
        }
      }
    }
    if (bestLength == 0)
      break;

    size_t start = matchStart;
    size_t stop = matchStart + bestLength;
    searchFrom = stop;
    const AddedToken &token = allTokens[table.tokenIndices[bestPattern]];
    if (token.singleWord) {
      bool spaceBefore = start == 0 || !endsWithWord(text.substr(0, start));
      bool spaceAfter =
          stop == text.size() || !startsWithWord(text.substr(stop));
      if (!spaceBefore || !spaceAfter)
        continue;
    }
    if (token.lstrip)
      start =
          std::max(trailingWhitespaceStart(text.substr(0, start)), pieceStart);
    if (token.rstrip)
      stop += leadingWhitespaceLength(text.substr(stop));
    if (pieceStart < start)
      pieces.push_back({-1, pieceStart, start});
    pieces.push_back({token.id, start, stop});
    pieceStart = stop;
  }
  if (pieceStart < text.size())
    pieces.push_back({-1, pieceStart, text.size()});
  return pieces;
}

std::vector<InputSegment>
AddedTokenMatcher::split(std::string_view text) const {
  std::vector<InputSegment> segments;
  for (const Match &raw : findMatches(text, rawTable)) {
    if (raw.tokenId >= 0) {
      segments.push_back({std::string(), raw.tokenId, raw.start == 0});
      continue;
    }
    std::string_view piece = text.substr(raw.start, raw.end - raw.start);
    std::string normalizedText =
        normalizer ? normalizer->normalize(piece) : std::string(piece);
    for (const Match &match : findMatches(normalizedText, normalizedTable)) {
      bool atInputStart = raw.start == 0 && match.start == 0;
      if (match.tokenId >= 0)
        segments.push_back({std::string(), match.tokenId, atInputStart});
      else if (match.start < match.end)
        segments.push_back(
            {normalizedText.substr(match.start, match.end - match.start), -1,
             atInputStart});
    }
  }
  return segments;
}

} // namespace llmc::tokenizer
