//===- Tokenizer.h - Hugging Face tokenizer.json tokenizer ------*- C++ -*-===//
//
// Encodes text to token ids and decodes ids to text exactly as Hugging Face's
// `tokenizers` does for the BPE tokenizers of GPT-2, Llama-2/3, Qwen2,
// Mistral and their kind. docs/tokenizer.md lists what is supported.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_TOKENIZER_TOKENIZER_H
#define LLMC_RUNTIME_TOKENIZER_TOKENIZER_H

#include "tokenizer/AddedTokens.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace llmc::tokenizer {

class BytePairEncoder;
class Decoder;
class Normalizer;
class PostProcessor;
class PreTokenizer;
struct TokenizerParts;

/// A tokenizer read from tokenizer.json. Immutable once made: encode and
/// decode may run on any number of threads at once.
class Tokenizer {
public:
  /// Reads a tokenizer from the text of a tokenizer.json. On failure returns
  /// null and sets `error` to what is wrong and where, e.g.
  /// "tokenizer.json: pre_tokenizer.pretokenizers[1]: pre_tokenizer type
  /// 'Foo' is not supported". `sourceName` opens every message.
  static std::unique_ptr<Tokenizer>
  fromJson(std::string_view json, std::string &error,
           std::string_view sourceName = "tokenizer.json");

  /// Reads a tokenizer from a tokenizer.json file; messages name `path`.
  static std::unique_ptr<Tokenizer> fromFile(const std::string &path,
                                             std::string &error);

  ~Tokenizer();
  Tokenizer(const Tokenizer &) = delete;
  Tokenizer &operator=(const Tokenizer &) = delete;

  /// The ids of `text`. Ill-formed UTF-8 is first repaired as Rust's
  /// from_utf8_lossy does. With `addSpecialTokens`, the post-processor adds
  /// its tokens (a BOS for Llama). Added tokens written in the text are
  /// always recognized.
  std::vector<int32_t> encode(std::string_view text,
                              bool addSpecialTokens) const;

  /// The text of `ids`; ids with no token are skipped, and so are special
  /// tokens with `skipSpecialTokens`.
  std::string decode(const int32_t *ids, size_t count,
                     bool skipSpecialTokens) const;
  std::string decode(const std::vector<int32_t> &ids,
                     bool skipSpecialTokens) const {
    return decode(ids.data(), ids.size(), skipSpecialTokens);
  }

  /// The id of `token` (an added token or a model token), or -1.
  int32_t tokenToId(std::string_view token) const;
  /// The token of `id`, if there is one.
  std::optional<std::string> idToToken(int32_t id) const;
  /// One more than the largest id of the model and the added tokens: the
  /// number of rows an embedding table needs.
  size_t vocabSize() const;

  /// The entries of "added_tokens" (special or not), in file order.
  const std::vector<AddedToken> &addedTokens() const;
  /// The ids of the special added tokens, ascending.
  std::vector<int32_t> specialTokenIds() const;
  /// Whether `id` is a special added token.
  bool isSpecialToken(int32_t id) const;

private:
  friend class StreamingDecoder;
  explicit Tokenizer(TokenizerParts parts);

  /// The token of `id` as decode sees it, or null when decode skips it.
  const std::string *decodedToken(int32_t id, bool skipSpecialTokens) const;
  /// Whether the decoder joins runs of byte tokens.
  bool decoderJoinsByteTokens() const;

  std::unique_ptr<Normalizer> normalizer;
  std::unique_ptr<PreTokenizer> preTokenizer;
  std::unique_ptr<BytePairEncoder> model;
  std::unique_ptr<PostProcessor> postProcessor;
  std::unique_ptr<Decoder> decoder;
  std::unique_ptr<AddedTokenMatcher> addedTokenMatcher;
  /// Added tokens by id, for decoding; the last entry for an id wins.
  std::unordered_map<int32_t, const AddedToken *> addedById;
  /// One more than the largest added token id.
  size_t addedIdLimit = 0;
  std::unordered_map<std::string, int32_t> addedByContent;
  std::unordered_set<std::string> specialContents;
};

} // namespace llmc::tokenizer

#endif // LLMC_RUNTIME_TOKENIZER_TOKENIZER_H
