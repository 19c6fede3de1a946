//===- Normalizer.h - Text normalization before splitting -------*- C++ -*-===//
//
// The normalizers of tokenizer.json. Each rewrites a piece of input text (the
// text between added tokens) before it is pre-tokenized.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_TOKENIZER_NORMALIZER_H
#define LLMC_RUNTIME_TOKENIZER_NORMALIZER_H

#include "tokenizer/Pattern.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace llmc::tokenizer {

/// Rewrites well-formed UTF-8 into well-formed UTF-8. Immutable; thread-safe.
class Normalizer {
public:
  virtual ~Normalizer();
  virtual std::string normalize(std::string_view text) const = 0;
};

/// Unicode normalization forms.
enum class NormalizationForm { NFC, NFD, NFKC, NFKD };

/// Puts `prefix` before a non-empty text ("Prepend").
std::unique_ptr<Normalizer> createPrependNormalizer(std::string prefix);
/// Replaces every match of `pattern` by `content` ("Replace").
std::unique_ptr<Normalizer> createReplaceNormalizer(Pattern pattern,
                                                    std::string content);
/// Unicode normalization by utf8proc ("NFC", "NFD", "NFKC", "NFKD").
std::unique_ptr<Normalizer> createUnicodeNormalizer(NormalizationForm form);
/// Lowercases each character as Rust's char::to_lowercase ("Lowercase").
std::unique_ptr<Normalizer> createLowercaseNormalizer();
/// Removes whitespace at either end ("Strip").
std::unique_ptr<Normalizer> createStripNormalizer(bool left, bool right);
/// Removes combining marks ("StripAccents").
std::unique_ptr<Normalizer> createStripAccentsNormalizer();
/// Spells every byte as its byte-level character ("ByteLevel").
std::unique_ptr<Normalizer> createByteLevelNormalizer();
/// Runs `normalizers` in order ("Sequence").
std::unique_ptr<Normalizer>
createSequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> normalizers);

} // namespace llmc::tokenizer

#endif // LLMC_RUNTIME_TOKENIZER_NORMALIZER_H
