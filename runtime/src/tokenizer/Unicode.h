//===- Unicode.h - UTF-8 and character properties ---------------*- C++ -*-===//
//
// UTF-8 decoding, encoding and repair, and the character properties that the
// Hugging Face pipeline asks Rust's `char` about, so that splits agree with it.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_TOKENIZER_UNICODE_H
#define LLMC_RUNTIME_TOKENIZER_UNICODE_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace llmc::tokenizer {

/// The code point U+FFFD, which replaces invalid UTF-8.
constexpr uint32_t kReplacementCharacter = 0xFFFD;

/// Whether `text` is well-formed UTF-8 (no overlongs, surrogates or code
/// points above U+10FFFF).
bool isValidUtf8(std::string_view text);

/// `text` with every maximal ill-formed subsequence replaced by U+FFFD, as
/// Rust's String::from_utf8_lossy does it (and so Hugging Face's decoders).
std::string toValidUtf8(std::string_view text);

/// The length in bytes of the character starting at `text[pos]` of
/// well-formed UTF-8.
size_t utf8CharLength(std::string_view text, size_t pos);

/// Decodes the character at `text[pos]` of well-formed UTF-8 and moves `pos`
/// past it.
uint32_t decodeUtf8(std::string_view text, size_t &pos);

/// Appends `codePoint` to `out` as UTF-8.
void appendUtf8(std::string &out, uint32_t codePoint);

/// Whether `text` ends with U+FFFD.
bool endsWithReplacementCharacter(std::string_view text);

/// Rust's char::is_whitespace (the Unicode White_Space property).
bool isWhitespace(uint32_t codePoint);

/// Rust's char::is_alphanumeric (Alphabetic or Numeric).
bool isAlphanumeric(uint32_t codePoint);

/// Rust's char::is_numeric (general categories Nd, Nl and No).
bool isNumeric(uint32_t codePoint);

/// ASCII punctuation or a general category P*, as Hugging Face's Punctuation
/// pre-tokenizer tests it.
bool isPunctuation(uint32_t codePoint);

/// A combining mark (general categories Mn, Mc and Me).
bool isCombiningMark(uint32_t codePoint);

/// Appends Rust's char::to_lowercase of `codePoint` (one or two code points)
/// to `out` as UTF-8.
void appendLowercase(std::string &out, uint32_t codePoint);

} // namespace llmc::tokenizer

#endif // LLMC_RUNTIME_TOKENIZER_UNICODE_H
