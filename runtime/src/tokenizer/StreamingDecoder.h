//===- StreamingDecoder.h - Decoding ids as they are generated --*- C++ -*-===//
//
// Decodes token ids one at a time, returning only text that later ids cannot
// change: never half a UTF-8 character. The pieces, followed by flush(),
// concatenate to decode() of all the ids.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_TOKENIZER_STREAMINGDECODER_H
#define LLMC_RUNTIME_TOKENIZER_STREAMINGDECODER_H

#include <cstdint>
#include <string>
#include <vector>

namespace llmc::tokenizer {

class Tokenizer;

/// Incremental decoding of one sequence. Not thread-safe; the tokenizer must
/// outlive it.
class StreamingDecoder {
public:
  StreamingDecoder(const Tokenizer &tokenizer, bool skipSpecialTokens);

  /// Takes the next id; returns the text that became final (often empty,
  /// always well-formed UTF-8).
  std::string step(int32_t id);

  /// Returns the text still held back (an incomplete character decodes to
  /// U+FFFD here, as decode() gives it) and starts a new sequence.
  std::string flush();

private:
  /// Whether the text of the ids held may still change with the next id.
  bool isOpen() const;

  const Tokenizer &tokenizer;
  bool skipSpecialTokens;
  /// The ids since the last but one emission: ids[0, prefixLength) give
  /// context (a decoder may treat the first token differently) and decode to
  /// `prefix`, which was emitted already.
  std::vector<int32_t> ids;
  size_t prefixLength = 0;
  std::string prefix;
};

} // namespace llmc::tokenizer

#endif // LLMC_RUNTIME_TOKENIZER_STREAMINGDECODER_H
