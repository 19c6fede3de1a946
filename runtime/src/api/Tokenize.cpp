//===- Tokenize.cpp - the C API for the tokenizer -------------------------===//

#include "api/Handles.h"
#include "generate/Generator.h"

extern "C" llmc_status_t llmc_tokenize(llmc_model_t model, const char *, size_t,
                                       int32_t, int32_t *, size_t,
                                       size_t *out_count) {
  if (out_count)
    *out_count = 0;
  return llmc_status_make(LLMC_STATUS_NOT_FOUND,
                          "%s: the artifact has no tokenizer",
                          model ? model->artifact->path().c_str() : "");
}

extern "C" llmc_status_t llmc_detokenize(llmc_model_t model, const int32_t *,
                                         size_t, int32_t, char *, size_t,
                                         size_t *out_length) {
  if (out_length)
    *out_length = 0;
  return llmc_status_make(LLMC_STATUS_NOT_FOUND,
                          "%s: the artifact has no tokenizer",
                          model ? model->artifact->path().c_str() : "");
}

std::unique_ptr<llmc::generate::TextStream>
llmc::generate::makeTextStream(const llmc_model_s &) {
  return nullptr;
}
