//===- Generate.cpp - the C API for generation ----------------------------===//

#include "api/Handles.h"
#include "generate/Generator.h"

#include <cstring>
#include <new>

extern "C" void llmc_generate_options_init(llmc_generate_options_t *options) {
  if (!options)
    return;
  std::memset(options, 0, sizeof *options);
  options->max_new_tokens = 128;
  options->top_p = 1.0f;
  options->repetition_penalty = 1.0f;
}

extern "C" llmc_status_t
llmc_generate(llmc_session_t session, const int32_t *prompt,
              size_t prompt_count, const llmc_generate_options_t *options,
              llmc_token_callback_t callback, void *user_data,
              llmc_stop_reason_t *out_reason) {
  if (!session || (!prompt && prompt_count))
    return llmc_status_make(LLMC_STATUS_INVALID_ARGUMENT,
                            "llmc_generate: session and prompt are required");
  llmc_generate_options_t defaults;
  llmc_generate_options_init(&defaults);
  if (!options)
    options = &defaults;
  if (options->temperature < 0 || options->top_k < 0 ||
      !(options->top_p > 0 && options->top_p <= 1) || options->min_p < 0 ||
      options->min_p > 1 || !(options->repetition_penalty > 0) ||
      options->max_new_tokens < 0)
    return llmc_status_make(
        LLMC_STATUS_INVALID_ARGUMENT,
        "llmc_generate: options out of range (temperature >= 0, top_k >= 0, "
        "0 < top_p <= 1, 0 <= min_p <= 1, repetition_penalty > 0, "
        "max_new_tokens >= 0)");
  llmc::generate::GenerateOptions g;
  g.sampling.temperature = options->temperature;
  g.sampling.topK = options->top_k;
  g.sampling.topP = options->top_p;
  g.sampling.minP = options->min_p;
  g.sampling.repetitionPenalty = options->repetition_penalty;
  g.sampling.seed = options->seed;
  g.maxNewTokens = options->max_new_tokens;
  g.ignoreEos = options->ignore_eos != 0;
  g.eosIds = session->model->eosIds;
  for (size_t i = 0; i < options->num_stop_strings; ++i)
    if (options->stop_strings && options->stop_strings[i])
      g.stopStrings.emplace_back(options->stop_strings[i]);

  int64_t vocab = session->model->plan.vocabSize;
  auto forward = [&](const int32_t *ids, size_t count, float *logits) {
    return llmc_session_forward(session, ids, count, 0, logits, size_t(vocab));
  };
  // The cuda device takes a greedy step's argmax on the GPU.
  llmc::generate::ArgmaxFn argmax;
  if (session->cuda && session->cuda->takesArgmax())
    argmax = [&](const int32_t *ids, size_t count, bool more, int32_t &next) {
      return session->cuda->forward(ids, int64_t(count), false, nullptr, &next,
                                    more);
    };
  std::unique_ptr<llmc::generate::TextStream> text =
      llmc::generate::makeTextStream(*session->model);
  auto onToken = [&](int32_t id, const std::string &piece) {
    if (!callback)
      return true;
    return callback(user_data, id, text ? piece.c_str() : nullptr,
                    piece.size()) == 0;
  };
  llmc::generate::GenerateResult result;
  try {
    if (llmc_status_t s = llmc::generate::generate(
            forward, argmax, vocab, session->capacity() - session->length(),
            std::vector<int32_t>(prompt, prompt + prompt_count), g, text.get(),
            onToken, result))
      return s;
  } catch (const std::bad_alloc &) {
    return llmc_status_make(LLMC_STATUS_OUT_OF_MEMORY,
                            "llmc_generate: out of memory");
  }
  if (out_reason)
    *out_reason = llmc_stop_reason_t(int(result.reason));
  return nullptr;
}
