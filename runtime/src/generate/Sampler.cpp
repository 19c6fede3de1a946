//===- Sampler.cpp - picks the next token from logits ---------------------===//

#include "generate/Sampler.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace llmc::generate {

Sampler::Sampler(const SamplingOptions &options)
    : options(options), engine(options.seed) {}

double Sampler::uniform() {
  return double(engine() >> 11) * (1.0 / 9007199254740992.0);
}

int32_t Sampler::sample(float *logits, int64_t vocab,
                        const std::vector<int32_t> &history) {
  if (options.repetitionPenalty != 1.0f) {
    std::unordered_set<int32_t> seen(history.begin(), history.end());
    for (int32_t id : seen)
      if (id >= 0 && id < vocab)
        logits[id] = logits[id] > 0 ? logits[id] / options.repetitionPenalty
                                    : logits[id] * options.repetitionPenalty;
  }
  if (options.temperature <= 0.0f)
    return int32_t(std::max_element(logits, logits + vocab) - logits);

  candidates.clear();
  for (int64_t i = 0; i < vocab; ++i)
    candidates.emplace_back(logits[i] / options.temperature, int32_t(i));
  auto byLogit = [](const auto &a, const auto &b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  size_t keep = candidates.size();
  if (options.topK > 0 && size_t(options.topK) < keep) {
    keep = size_t(options.topK);
    std::partial_sort(candidates.begin(), candidates.begin() + long(keep),
                      candidates.end(), byLogit);
    candidates.resize(keep);
  } else {
    std::sort(candidates.begin(), candidates.end(), byLogit);
  }
  // Softmax over the kept candidates.
  float best = candidates.front().first;
  double total = 0;
  for (auto &c : candidates) {
    c.first = std::exp(c.first - best);
    total += c.first;
  }
  for (auto &c : candidates)
    c.first = float(c.first / total);
  if (options.topP < 1.0f) {
    double sum = 0;
    size_t n = 0;
    // The smallest prefix whose mass reaches top_p (at least one token).
    while (n < candidates.size() && (n == 0 || sum < options.topP))
      sum += candidates[n++].first;
    candidates.resize(n);
  }
  if (options.minP > 0.0f) {
    float floor = options.minP * candidates.front().first;
    size_t n = 1;
    while (n < candidates.size() && candidates[n].first >= floor)
      ++n;
    candidates.resize(n);
  }
  double mass = 0;
  for (const auto &c : candidates)
    mass += c.first;
  double target = uniform() * mass, running = 0;
  for (const auto &c : candidates) {
    running += c.first;
    if (target < running)
      return c.second;
  }
  return candidates.back().second;
}

} // namespace llmc::generate
