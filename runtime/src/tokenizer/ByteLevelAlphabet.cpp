//===- ByteLevelAlphabet.cpp - GPT-2's byte to character map --------------===//

#include "tokenizer/ByteLevelAlphabet.h"

#include "tokenizer/Unicode.h"

#include <array>

namespace llmc::tokenizer {

namespace {

/// The alphabet is U+0021..U+00FF less the unprintable, then U+0100..U+0143.
constexpr uint32_t kAlphabetEnd = 0x144;

struct Alphabet {
  std::array<std::string, 256> characters;
  std::array<int, kAlphabetEnd> bytes;

  Alphabet() {
    bytes.fill(-1);
    uint32_t next = 256;
    for (unsigned byte = 0; byte < 256; ++byte) {
      bool printable = (byte >= 0x21 && byte <= 0x7E) ||
                       (byte >= 0xA1 && byte <= 0xAC) || byte >= 0xAE;
      uint32_t codePoint = printable ? byte : next++;
      appendUtf8(characters[byte], codePoint);
      bytes[codePoint] = static_cast<int>(byte);
    }
  }
};

const Alphabet &alphabet() {
  static const Alphabet instance;
  return instance;
}

} // namespace

std::string_view byteLevelCharacter(uint8_t byte) {
  return alphabet().characters[byte];
}

int byteLevelByte(uint32_t codePoint) {
  return codePoint < kAlphabetEnd ? alphabet().bytes[codePoint] : -1;
}

std::string toByteLevel(std::string_view text) {
  const Alphabet &map = alphabet();
  std::string out;
  out.reserve(text.size() * 2);
  for (char c : text)
    out += map.characters[static_cast<uint8_t>(c)];
  return out;
}

} // namespace llmc::tokenizer
