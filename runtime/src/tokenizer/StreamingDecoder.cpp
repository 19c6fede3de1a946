//===- StreamingDecoder.cpp - Decoding ids as they are generated ----------===//

#include "tokenizer/StreamingDecoder.h"

#include "tokenizer/Decoder.h"
#include "tokenizer/Tokenizer.h"
#include "tokenizer/Unicode.h"

namespace llmc::tokenizer {

StreamingDecoder::StreamingDecoder(const Tokenizer &tokenizer,
                                   bool skipSpecialTokens)
    : tokenizer(tokenizer), skipSpecialTokens(skipSpecialTokens) {}

bool StreamingDecoder::isOpen() const {
  // ByteFallback decodes a run of byte tokens together, and one U+FFFD per
  // byte when the run is not valid UTF-8: while the last token is a byte
  // token, a following one may still rewrite the run.
  if (!tokenizer.decoderJoinsByteTokens())
    return false;
  for (auto it = ids.rbegin(); it != ids.rend(); ++it)
    if (const std::string *token =
            tokenizer.decodedToken(*it, skipSpecialTokens))
      return byteFallbackValue(*token) >= 0;
  return false;
}

std::string StreamingDecoder::step(int32_t id) {
  ids.push_back(id);
  if (isOpen())
    return std::string();
  std::string text = tokenizer.decode(ids, skipSpecialTokens);
  // A trailing U+FFFD is (most likely) a character still incomplete.
  if (text.size() <= prefix.size() || endsWithReplacementCharacter(text) ||
      text.compare(0, prefix.size(), prefix) != 0)
    return std::string();
  std::string piece = text.substr(prefix.size());
  ids.erase(ids.begin(),
            ids.begin() + static_cast<std::ptrdiff_t>(prefixLength));
  prefixLength = ids.size();
  prefix = tokenizer.decode(ids, skipSpecialTokens);
  return piece;
}

std::string StreamingDecoder::flush() {
  std::string text = tokenizer.decode(ids, skipSpecialTokens);
  // Normally the text extends what was emitted; if a decoder rewrote it,
  // give what follows the longest common prefix, cut at a character.
  size_t common = 0;
  while (common < text.size() && common < prefix.size() &&
         text[common] == prefix[common])
    ++common;
  while (common > 0 && common < text.size() &&
         (static_cast<unsigned char>(text[common]) & 0xC0) == 0x80)
    --common;
  std::string piece = text.substr(common);
  ids.clear();
  prefixLength = 0;
  prefix.clear();
  return piece;
}

} // namespace llmc::tokenizer
