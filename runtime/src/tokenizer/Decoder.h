//===- Decoder.h - Tokens back to text --------------------------*- C++ -*-===//
//
// The decoders of tokenizer.json. Each rewrites the list of token strings;
// the text is their concatenation at the end of the chain.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_TOKENIZER_DECODER_H
#define LLMC_RUNTIME_TOKENIZER_DECODER_H

#include "tokenizer/Pattern.h"
#include "tokenizer/PreTokenizer.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace llmc::tokenizer {

/// Rewrites token strings on their way back to text. Immutable; thread-safe.
class Decoder {
public:
  virtual ~Decoder();
  /// Rewrites `tokens` in place, one step of the chain.
  virtual void decodeChain(std::vector<std::string> &tokens) const = 0;
  /// Whether runs of byte tokens (<0xXX>) decode together, so that a later
  /// byte token can change the text of earlier ones.
  virtual bool joinsByteTokens() const { return false; }

  /// The text of `tokens`.
  std::string decode(std::vector<std::string> tokens) const;
};

/// Byte-level characters back to bytes, then UTF-8 ("ByteLevel").
std::unique_ptr<Decoder> createByteLevelDecoder();
/// `replacement` back to spaces ("Metaspace").
std::unique_ptr<Decoder> createMetaspaceDecoder(uint32_t replacement,
                                                PrependScheme scheme);
/// Runs of <0xXX> tokens to the text of their bytes ("ByteFallback").
std::unique_ptr<Decoder> createByteFallbackDecoder();
/// All tokens into one ("Fuse").
std::unique_ptr<Decoder> createFuseDecoder();
/// Up to `start` leading and `stop` trailing `content` characters off each
/// token ("Strip").
std::unique_ptr<Decoder> createStripDecoder(uint32_t content, size_t start,
                                            size_t stop);
/// Every match of `pattern` to `content` in each token ("Replace").
std::unique_ptr<Decoder> createReplaceDecoder(Pattern pattern,
                                              std::string content);
/// `suffix` to a space, or to nothing in the last token ("BPEDecoder").
std::unique_ptr<Decoder> createBpeSuffixDecoder(std::string suffix);
/// Runs `decoders` in order ("Sequence").
std::unique_ptr<Decoder>
createSequenceDecoder(std::vector<std::unique_ptr<Decoder>> decoders);

/// The byte that a byte-fallback token such as "<0x0A>" stands for, or -1.
int byteFallbackValue(const std::string &token);

} // namespace llmc::tokenizer

#endif // LLMC_RUNTIME_TOKENIZER_DECODER_H
