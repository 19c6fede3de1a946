//===- Generator.cpp - the decoding loop ----------------------------------===//

#include "generate/Generator.h"

#include <algorithm>

namespace llmc::generate {
namespace {

/// Holds back text that might begin a stop string.
class StopStringFilter {
public:
  explicit StopStringFilter(const std::vector<std::string> &stops)
      : stops(stops) {}

  /// Adds text; returns what can be released. Sets `stopped` when a stop
  /// string appeared (the text before it is released, the rest dropped).
  std::string add(const std::string &piece, bool &stopped) {
    pending += piece;
    for (const std::string &stop : stops) {
      if (stop.empty())
        continue;
      size_t at = pending.find(stop);
      if (at != std::string::npos) {
        stopped = true;
        std::string out = pending.substr(0, at);
        pending.clear();
        return out;
      }
    }
    size_t hold = 0;
    for (const std::string &stop : stops)
      for (size_t n =
               std::min(stop.size() - (stop.empty() ? 0 : 1), pending.size());
           n > hold; --n)
        if (pending.compare(pending.size() - n, n, stop, 0, n) == 0) {
          hold = n;
          break;
        }
    std::string out = pending.substr(0, pending.size() - hold);
    pending.erase(0, pending.size() - hold);
    return out;
  }
  std::string finish() {
    std::string out;
    out.swap(pending);
    return out;
  }

private:
  const std::vector<std::string> &stops;
  std::string pending;
};

} // namespace

llmc_status_t generate(const ForwardFn &forward, const ArgmaxFn &argmax,
                       int64_t vocab, int64_t room,
                       const std::vector<int32_t> &prompt,
                       const GenerateOptions &options, TextStream *text,
                       const TokenFn &onToken, GenerateResult &result) {
  result = GenerateResult();
  if (prompt.empty())
    return llmc_status_make(LLMC_STATUS_INVALID_ARGUMENT,
                            "generate: the prompt has no tokens");
  if (int64_t(prompt.size()) > room)
    return llmc_status_make(
        LLMC_STATUS_OUT_OF_RANGE,
        "generate: the prompt has %zu tokens, but the context has room for "
        "%lld (compile with a larger --max-context, or shorten the prompt)",
        prompt.size(), (long long)room);
  Sampler sampler(options.sampling);
  StopStringFilter filter(options.stopStrings);
  // Greedy without a repetition penalty needs only the argmax.
  bool greedy = argmax && options.sampling.temperature <= 0.0f &&
                options.sampling.repetitionPenalty == 1.0f;
  std::vector<float> logits(greedy ? 0 : static_cast<size_t>(vocab));
  std::vector<int32_t> history = prompt;
  int32_t greedyNext = 0;
  auto step = [&](const int32_t *ids, size_t count) {
    // Whether the id this step gives will be the next step's input, unless
    // it ends the text: the loop stops at maxNewTokens tokens and when the
    // cache is full.
    bool more = int64_t(result.tokens.size()) + 1 < options.maxNewTokens &&
                room - int64_t(count) > 0;
    return greedy ? argmax(ids, count, more, greedyNext)
                  : forward(ids, count, logits.data());
  };
  if (llmc_status_t s = step(prompt.data(), prompt.size()))
    return s;
  room -= int64_t(prompt.size());
  for (;;) {
    if (int64_t(result.tokens.size()) >= options.maxNewTokens) {
      result.reason = StopReason::MaxTokens;
      break;
    }
    int32_t next =
        greedy ? greedyNext : sampler.sample(logits.data(), vocab, history);
    bool eos = !options.ignoreEos &&
               std::find(options.eosIds.begin(), options.eosIds.end(), next) !=
                   options.eosIds.end();
    if (eos) {
      result.reason = StopReason::Eos;
      break;
    }
    result.tokens.push_back(next);
    history.push_back(next);
    bool stopped = false;
    std::string piece = text ? filter.add(text->push(next), stopped) : "";
    if (!onToken(next, piece)) {
      result.reason = StopReason::Caller;
      return nullptr;
    }
    if (stopped) {
      result.reason = StopReason::StopString;
      return nullptr;
    }
    if (int64_t(result.tokens.size()) >= options.maxNewTokens) {
      result.reason = StopReason::MaxTokens;
      break;
    }
    if (room <= 0) {
      result.reason = StopReason::ContextFull;
      break;
    }
    if (llmc_status_t s = step(&next, 1))
      return s;
    --room;
  }
  if (text) {
    bool stopped = false;
    std::string rest = filter.add(text->finish(), stopped);
    if (!stopped)
      rest += filter.finish();
    if (!rest.empty())
      onToken(-1, rest);
  }
  return nullptr;
}

} // namespace llmc::generate
