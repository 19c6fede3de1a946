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

void Sampler::sortFirst(size_t n, bool exactly) {
  n = std::min(n, candidates.size());
  if (n <= sorted)
    return;
  // Sorts ahead (at least 256, or twice what is sorted), so that a walk
  // down the order sorts O(log) times.
  size_t upTo = exactly ? n
                        : std::min(candidates.size(),
                                   std::max({n, 2 * sorted, size_t(256)}));
  auto byLogit = [](const Candidate &a, const Candidate &b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
  };
  auto first = candidates.begin() + long(sorted),
       last = candidates.begin() + long(upTo);
  // A few hundred: a heap (most candidates lose one comparison against its
  // top); more: select, then sort.
  if (upTo - sorted <= 512) {
    std::partial_sort(first, last, candidates.end(), byLogit);
  } else {
    if (last != candidates.end())
      std::nth_element(first, last, candidates.end(), byLogit);
    std::sort(first, last, byLogit);
  }
  sorted = upTo;
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

  candidates.resize(size_t(vocab));
  sorted = 0;
  float best = -INFINITY;
  for (int64_t i = 0; i < vocab; ++i) {
    float z = logits[i] / options.temperature;
    best = std::max(best, z);
    candidates[size_t(i)] = {z, 0.0f, int32_t(i)};
  }
  // Top-k: the k most likely, in order; the others are dropped.
  if (options.topK > 0 && size_t(options.topK) < candidates.size()) {
    sortFirst(size_t(options.topK), /*exactly=*/true);
    candidates.resize(size_t(options.topK));
  }
  // Softmax over the kept candidates.
  double total = 0;
  for (Candidate &c : candidates) {
    c.probability = std::exp(c.logit - best);
    total += c.probability;
  }
  for (Candidate &c : candidates)
    c.probability = float(c.probability / total);
  // Kept: candidates[0 .. kept), in order when `ordered` (top-k, top-p and
  // min-p keep the most likely ones), else all of them in any order.
  size_t kept = candidates.size();
  bool ordered = sorted > 0;
  if (options.topP < 1.0f) {
    // The smallest prefix whose mass reaches top_p (at least one token).
    double sum = 0;
    size_t n = 0;
    while (n < kept && (n == 0 || sum < options.topP)) {
      sortFirst(n + 1);
      sum += candidates[n++].probability;
    }
    kept = n;
    ordered = true;
  }
  if (options.minP > 0.0f) {
    // Relative to the most likely: exp(0) / total.
    float floor = options.minP * float(1.0 / total);
    if (ordered) {
      size_t n = 1;
      while (n < kept && candidates[n].probability >= floor)
        ++n;
      kept = n;
    } else {
      // Those above the floor, then in order (a few, usually).
      kept = size_t(std::partition(candidates.begin(), candidates.end(),
                                   [&](const Candidate &c) {
                                     return c.probability >= floor;
                                   }) -
                    candidates.begin());
      candidates.resize(std::max<size_t>(kept, 1));
      kept = candidates.size();
      sortFirst(kept);
      ordered = true;
    }
  }
  double mass = 0;
  for (size_t n = 0; n < kept; ++n)
    mass += candidates[n].probability;
  // The draw walks the kept candidates from the most likely when they are
  // ordered, else in the vocabulary's order: the same distribution without
  // sorting the vocabulary.
  double target = uniform() * mass, running = 0;
  for (size_t n = 0; n < kept; ++n) {
    running += candidates[n].probability;
    if (target < running)
      return candidates[n].id;
  }
  return candidates[kept - 1].id;
}

} // namespace llmc::generate
