//===- Sampler.h - picks the next token from logits -------------*- C++ -*-===//
//
// In the order Hugging Face's generate applies them: repetition penalty,
// then greedy when temperature is 0, else temperature, top-k, top-p and
// min-p, and a draw from the seeded generator. The draw uses its own
// uniform conversion of mt19937_64, so a seed gives the same tokens on every
// platform.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_GENERATE_SAMPLER_H
#define LLMC_RUNTIME_GENERATE_SAMPLER_H

#include <cstdint>
#include <random>
#include <vector>

namespace llmc::generate {

struct SamplingOptions {
  float temperature = 0.0f;
  int32_t topK = 0;
  float topP = 1.0f;
  float minP = 0.0f;
  float repetitionPenalty = 1.0f;
  uint64_t seed = 0;
};

class Sampler {
public:
  explicit Sampler(const SamplingOptions &options);

  /// Picks a token from `logits` (modified in place); `history` is the
  /// prompt and the tokens generated so far, for the repetition penalty.
  int32_t sample(float *logits, int64_t vocab,
                 const std::vector<int32_t> &history);

private:
  /// A uniform double in [0, 1).
  double uniform();
  /// Makes candidates[0 .. n) the n most likely in order (the largest
  /// logit first, the lower id first among equals), sorting no more of
  /// the rest than it must: a top-p nucleus or a draw usually needs the
  /// first few hundred of a large vocabulary, and sorting all of 128K
  /// candidates took about 9.5 ms a token on a 2-core machine (docs/
  /// benchmarks.md). `exactly`: no more than n.
  void sortFirst(size_t n, bool exactly = false);

  SamplingOptions options;
  std::mt19937_64 engine;
  struct Candidate {
    float logit; ///< divided by the temperature
    float probability;
    int32_t id;
  };
  std::vector<Candidate> candidates;
  /// How many of candidates are in order (sortFirst).
  size_t sorted = 0;
};

} // namespace llmc::generate

#endif // LLMC_RUNTIME_GENERATE_SAMPLER_H
