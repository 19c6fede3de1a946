//===- TokenizerJson.h - Reading tokenizer.json -----------------*- C++ -*-===//
//
// Turns the JSON of a tokenizer.json into the parts of a tokenizer, refusing
// with a message what it does not support.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_TOKENIZER_TOKENIZERJSON_H
#define LLMC_RUNTIME_TOKENIZER_TOKENIZERJSON_H

#include "tokenizer/AddedTokens.h"
#include "tokenizer/BytePairEncoder.h"
#include "tokenizer/Decoder.h"
#include "tokenizer/Normalizer.h"
#include "tokenizer/PostProcessor.h"
#include "tokenizer/PreTokenizer.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace llmc::tokenizer {

/// What a tokenizer.json describes. A null part is absent from the pipeline.
struct TokenizerParts {
  std::unique_ptr<Normalizer> normalizer;
  std::unique_ptr<PreTokenizer> preTokenizer;
  std::unique_ptr<BytePairEncoder> model;
  std::unique_ptr<PostProcessor> postProcessor;
  std::unique_ptr<Decoder> decoder;
  std::vector<AddedToken> addedTokens;
};

/// Reads `json`. On failure returns false and sets `error` to
/// "<sourceName>: <JSON path>: <problem>".
bool parseTokenizerJson(std::string_view json, std::string_view sourceName,
                        TokenizerParts &parts, std::string &error);

} // namespace llmc::tokenizer

#endif // LLMC_RUNTIME_TOKENIZER_TOKENIZERJSON_H
