//===- ByteLevelAlphabet.h - GPT-2's byte to character map ------*- C++ -*-===//
//
// Byte-level BPE (GPT-2, Llama-3, Qwen) spells every byte as a printable
// character: the printable Latin-1 bytes as themselves, the other 68 bytes
// as U+0100 onwards, so that 'Ġ' is a space and 'Ċ' a newline.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_TOKENIZER_BYTELEVELALPHABET_H
#define LLMC_RUNTIME_TOKENIZER_BYTELEVELALPHABET_H

#include <cstdint>
#include <string>
#include <string_view>

namespace llmc::tokenizer {

/// The character that spells `byte`, as UTF-8.
std::string_view byteLevelCharacter(uint8_t byte);

/// The byte that `codePoint` spells, or -1 when it is not in the alphabet.
int byteLevelByte(uint32_t codePoint);

/// Every byte of `text` spelt as its character.
std::string toByteLevel(std::string_view text);

} // namespace llmc::tokenizer

#endif // LLMC_RUNTIME_TOKENIZER_BYTELEVELALPHABET_H
