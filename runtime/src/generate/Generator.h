//===- Generator.h - the decoding loop --------------------------*- C++ -*-===//
//
// Prefill the prompt in one forward call, then decode one token per call
// until an end-of-sequence id, the token limit, a stop string or a full
// context. Text streams out as tokens arrive, as complete UTF-8 only, and
// text that could be the start of a stop string is held back until it is
// known not to be one, so a stop string never reaches the caller.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_GENERATE_GENERATOR_H
#define LLMC_RUNTIME_GENERATE_GENERATOR_H

#include "generate/Sampler.h"

#include "llmc/llmc.h"

#include <functional>
#include <string>
#include <vector>

namespace llmc::generate {

/// Turns token ids into text as they arrive, returning only complete UTF-8.
class TextStream {
public:
  virtual ~TextStream() = default;
  virtual std::string push(int32_t id) = 0;
  /// What is left at the end (an incomplete sequence, as U+FFFD).
  virtual std::string finish() = 0;
};

struct GenerateOptions {
  SamplingOptions sampling;
  int32_t maxNewTokens = 128;
  std::vector<int32_t> eosIds;
  bool ignoreEos = false;
  std::vector<std::string> stopStrings;
};

enum class StopReason { Eos, MaxTokens, StopString, ContextFull, Caller };

/// Runs `count` tokens after those cached; writes the last token's logits.
using ForwardFn = std::function<llmc_status_t(const int32_t *ids, size_t count,
                                              float *lastLogits)>;
/// As ForwardFn, but gives the last token's greedy next id (the first of
/// the largest logits) instead of its logits: a device that takes the
/// argmax itself saves copying the logits back. `more` says whether the
/// loop will likely go on with `next` (it is not yet at its token limit or
/// the cache's end): a device may then start that step before returning.
using ArgmaxFn = std::function<llmc_status_t(const int32_t *ids, size_t count,
                                             bool more, int32_t &next)>;
/// Receives each generated token and the text it completes (possibly
/// empty); returns false to stop.
using TokenFn = std::function<bool(int32_t id, const std::string &text)>;

struct GenerateResult {
  std::vector<int32_t> tokens;
  StopReason reason = StopReason::MaxTokens;
};

/// `room` is how many more tokens the cache holds (prompt included).
/// `argmax`, when given, runs the steps of greedy sampling without a
/// repetition penalty (which needs no logits on the host).
llmc_status_t generate(const ForwardFn &forward, const ArgmaxFn &argmax,
                       int64_t vocab, int64_t room,
                       const std::vector<int32_t> &prompt,
                       const GenerateOptions &options, TextStream *text,
                       const TokenFn &onToken, GenerateResult &result);

} // namespace llmc::generate

#endif // LLMC_RUNTIME_GENERATE_GENERATOR_H
