//===- Tokenizer.cpp - Hugging Face tokenizer.json tokenizer --------------===//

#include "tokenizer/Tokenizer.h"

#include "tokenizer/TokenizerJson.h"
#include "tokenizer/Unicode.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace llmc::tokenizer {

std::unique_ptr<Tokenizer> Tokenizer::fromJson(std::string_view json,
                                               std::string &error,
                                               std::string_view sourceName) {
  TokenizerParts parts;
  if (!parseTokenizerJson(json, sourceName, parts, error))
    return nullptr;
  return std::unique_ptr<Tokenizer>(new Tokenizer(std::move(parts)));
}

std::unique_ptr<Tokenizer> Tokenizer::fromFile(const std::string &path,
                                               std::string &error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = path + ": cannot open: " + std::strerror(errno);
    return nullptr;
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  if (file.bad()) {
    error = path + ": cannot read";
    return nullptr;
  }
  return fromJson(contents.str(), error, path);
}

Tokenizer::Tokenizer(TokenizerParts parts)
    : normalizer(std::move(parts.normalizer)),
      preTokenizer(std::move(parts.preTokenizer)),
      model(std::move(parts.model)),
      postProcessor(std::move(parts.postProcessor)),
      decoder(std::move(parts.decoder)) {
  addedTokenMatcher = std::make_unique<AddedTokenMatcher>(
      std::move(parts.addedTokens), normalizer.get());
  for (const AddedToken &token : addedTokenMatcher->tokens()) {
    addedById[token.id] = &token;
    addedIdLimit = std::max(addedIdLimit, static_cast<size_t>(token.id) + 1);
    addedByContent[token.content] = token.id;
    if (token.special)
      specialContents.insert(token.content);
  }
}

Tokenizer::~Tokenizer() = default;

std::vector<int32_t> Tokenizer::encode(std::string_view text,
                                       bool addSpecialTokens) const {
  std::string repaired;
  if (!isValidUtf8(text)) {
    repaired = toValidUtf8(text);
    text = repaired;
  }
  std::vector<int32_t> ids;
  std::vector<Word> words;
  for (InputSegment &segment : addedTokenMatcher->split(text)) {
    if (segment.tokenId >= 0) {
      ids.push_back(segment.tokenId);
      continue;
    }
    words.clear();
    words.push_back({std::move(segment.text), segment.atInputStart});
    if (preTokenizer)
      preTokenizer->preTokenize(words);
    for (const Word &word : words)
      model->encodeWord(word.text, ids);
  }
  if (postProcessor)
    postProcessor->process(ids, addSpecialTokens);
  return ids;
}

const std::string *Tokenizer::decodedToken(int32_t id,
                                           bool skipSpecialTokens) const {
  auto added = addedById.find(id);
  const std::string *token =
      added != addedById.end() ? &added->second->content : model->idToToken(id);
  if (!token || (skipSpecialTokens && specialContents.count(*token)))
    return nullptr;
  return token;
}

std::string Tokenizer::decode(const int32_t *ids, size_t count,
                              bool skipSpecialTokens) const {
  std::vector<std::string> tokens;
  tokens.reserve(count);
  for (size_t i = 0; i < count; ++i)
    if (const std::string *token = decodedToken(ids[i], skipSpecialTokens))
      tokens.push_back(*token);
  if (decoder)
    return decoder->decode(std::move(tokens));
  // Without a decoder Hugging Face joins the tokens with spaces.
  std::string text;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i != 0)
      text += ' ';
    text += tokens[i];
  }
  return text;
}

bool Tokenizer::decoderJoinsByteTokens() const {
  return decoder && decoder->joinsByteTokens();
}

int32_t Tokenizer::tokenToId(std::string_view token) const {
  auto it = addedByContent.find(std::string(token));
  if (it != addedByContent.end())
    return it->second;
  return model->tokenToId(token);
}

std::optional<std::string> Tokenizer::idToToken(int32_t id) const {
  if (const std::string *token = decodedToken(id, false))
    return *token;
  return std::nullopt;
}

size_t Tokenizer::vocabSize() const {
  return std::max(model->idLimit(), addedIdLimit);
}

const std::vector<AddedToken> &Tokenizer::addedTokens() const {
  return addedTokenMatcher->tokens();
}

std::vector<int32_t> Tokenizer::specialTokenIds() const {
  std::vector<int32_t> ids;
  for (const AddedToken &token : addedTokens())
    if (token.special)
      ids.push_back(token.id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

bool Tokenizer::isSpecialToken(int32_t id) const {
  auto added = addedById.find(id);
  return added != addedById.end() && added->second->special;
}

} // namespace llmc::tokenizer
