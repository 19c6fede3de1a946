//===- Tokenize.cpp - the C API for the tokenizer -------------------------===//

#include "api/Handles.h"
#include "generate/Generator.h"
#include "tokenizer/StreamingDecoder.h"

#include <cstring>
#include <new>

namespace {

llmc_status_t noTokenizer(llmc_model_t model) {
  return llmc_status_make(LLMC_STATUS_NOT_FOUND, "%s",
                          model->tokenizerError.c_str());
}

/// The streaming decoder as the generator's text stream.
class TokenizerTextStream : public llmc::generate::TextStream {
public:
  explicit TokenizerTextStream(const llmc::tokenizer::Tokenizer &tokenizer)
      : decoder(tokenizer, /*skipSpecialTokens=*/true) {}
  std::string push(int32_t id) override { return decoder.step(id); }
  std::string finish() override { return decoder.flush(); }

private:
  llmc::tokenizer::StreamingDecoder decoder;
};

} // namespace

extern "C" llmc_status_t llmc_tokenize(llmc_model_t model, const char *text,
                                       size_t text_length,
                                       int32_t add_special_tokens,
                                       int32_t *out_ids, size_t capacity,
                                       size_t *out_count) {
  if (!model || (!text && text_length) || !out_count)
    return llmc_status_make(LLMC_STATUS_INVALID_ARGUMENT,
                            "llmc_tokenize: model, text and out_count are "
                            "required");
  *out_count = 0;
  if (!model->tokenizer)
    return noTokenizer(model);
  try {
    std::vector<int32_t> ids = model->tokenizer->encode(
        std::string_view(text ? text : "", text_length),
        add_special_tokens != 0);
    *out_count = ids.size();
    if (ids.size() > capacity || (!out_ids && !ids.empty()))
      return llmc_status_make(LLMC_STATUS_OUT_OF_RANGE,
                              "llmc_tokenize: %zu ids do not fit in %zu",
                              ids.size(), capacity);
    if (!ids.empty())
      std::memcpy(out_ids, ids.data(), ids.size() * sizeof(int32_t));
  } catch (const std::bad_alloc &) {
    return llmc_status_make(LLMC_STATUS_OUT_OF_MEMORY,
                            "llmc_tokenize: out of memory");
  }
  return nullptr;
}

extern "C" llmc_status_t llmc_detokenize(llmc_model_t model, const int32_t *ids,
                                         size_t count,
                                         int32_t skip_special_tokens,
                                         char *out_text, size_t capacity,
                                         size_t *out_length) {
  if (!model || (!ids && count) || !out_length)
    return llmc_status_make(LLMC_STATUS_INVALID_ARGUMENT,
                            "llmc_detokenize: model, ids and out_length are "
                            "required");
  *out_length = 0;
  if (!model->tokenizer)
    return noTokenizer(model);
  try {
    std::string text =
        model->tokenizer->decode(ids, count, skip_special_tokens != 0);
    *out_length = text.size();
    if (text.size() + 1 > capacity || !out_text)
      return llmc_status_make(LLMC_STATUS_OUT_OF_RANGE,
                              "llmc_detokenize: %zu bytes and a NUL do not "
                              "fit in %zu",
                              text.size(), capacity);
    std::memcpy(out_text, text.c_str(), text.size() + 1);
  } catch (const std::bad_alloc &) {
    return llmc_status_make(LLMC_STATUS_OUT_OF_MEMORY,
                            "llmc_detokenize: out of memory");
  }
  return nullptr;
}

std::unique_ptr<llmc::generate::TextStream>
llmc::generate::makeTextStream(const llmc_model_s &model) {
  if (!model.tokenizer)
    return nullptr;
  return std::make_unique<TokenizerTextStream>(*model.tokenizer);
}
