//===- PreTokenizer.h - Splitting text into words ---------------*- C++ -*-===//
//
// The pre-tokenizers of tokenizer.json. They split normalized text into the
// words that the model encodes one by one, and may rewrite them (ByteLevel
// spells bytes as characters, Metaspace turns spaces into '▁').
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_TOKENIZER_PRETOKENIZER_H
#define LLMC_RUNTIME_TOKENIZER_PRETOKENIZER_H

#include "tokenizer/Pattern.h"

#include <memory>
#include <string>
#include <vector>

namespace llmc::tokenizer {

/// A piece of text on its way to the model.
struct Word {
  std::string text;
  /// Whether it begins at the start of the input (Metaspace's "first").
  bool atInputStart = false;
};

/// Splits and rewrites words. Immutable; thread-safe.
class PreTokenizer {
public:
  virtual ~PreTokenizer();
  /// Replaces `words` by their pieces, in order; no piece is empty.
  virtual void preTokenize(std::vector<Word> &words) const = 0;
};

/// When Metaspace puts a '▁' before a word that lacks one.
enum class PrependScheme { Always, Never, First };

/// Splits on `pattern` ("Split").
std::unique_ptr<PreTokenizer>
createSplitPreTokenizer(Pattern pattern, SplitBehavior behavior, bool invert);
/// GPT-2's byte-level split and byte spelling ("ByteLevel").
std::unique_ptr<PreTokenizer> createByteLevelPreTokenizer(bool addPrefixSpace,
                                                          bool useRegex);
/// Spaces to `replacement`, then a split before each ("Metaspace").
std::unique_ptr<PreTokenizer> createMetaspacePreTokenizer(uint32_t replacement,
                                                          PrependScheme scheme,
                                                          bool split);
/// Numbers apart from the rest, digit by digit or in runs ("Digits").
std::unique_ptr<PreTokenizer> createDigitsPreTokenizer(bool individualDigits);
/// Runs of word characters and runs of other non-space characters
/// ("Whitespace").
std::unique_ptr<PreTokenizer> createWhitespacePreTokenizer();
/// Splits on whitespace, which is dropped ("WhitespaceSplit").
std::unique_ptr<PreTokenizer> createWhitespaceSplitPreTokenizer();
/// Punctuation characters apart from the rest ("Punctuation").
std::unique_ptr<PreTokenizer>
createPunctuationPreTokenizer(SplitBehavior behavior);
/// Runs `preTokenizers` in order ("Sequence").
std::unique_ptr<PreTokenizer> createSequencePreTokenizer(
    std::vector<std::unique_ptr<PreTokenizer>> preTokenizers);

} // namespace llmc::tokenizer

#endif // LLMC_RUNTIME_TOKENIZER_PRETOKENIZER_H
