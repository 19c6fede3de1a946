//===- SamplerTest.cpp - the sampler's rules ------------------------------===//

#include "generate/Sampler.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

using llmc::generate::Sampler;
using llmc::generate::SamplingOptions;

namespace {

std::vector<float> logits() { return {1.0f, 3.0f, 2.0f, 0.5f, 2.9f}; }

int32_t sampleOnce(const SamplingOptions &options,
                   std::vector<int32_t> history = {}) {
  Sampler sampler(options);
  std::vector<float> l = logits();
  return sampler.sample(l.data(), int64_t(l.size()), history);
}

/// Expects `token` from every one of 20 seeds.
void expectAlwaysToken(SamplingOptions options, int32_t token) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    options.seed = seed;
    EXPECT_EQ(sampleOnce(options), token) << "seed " << seed;
  }
}

TEST(SamplerTest, GreedyTakesTheLargestLogit) {
  EXPECT_EQ(sampleOnce(SamplingOptions()), 1);
}

TEST(SamplerTest, RepetitionPenaltyDividesPositiveLogits) {
  SamplingOptions o;
  o.repetitionPenalty = 1.1f; // 3.0 / 1.1 < 2.9
  EXPECT_EQ(sampleOnce(o, {1}), 4);
}

TEST(SamplerTest, TopKOfOneIsGreedyAtAnyTemperature) {
  SamplingOptions o;
  o.temperature = 5.0f;
  o.topK = 1;
  expectAlwaysToken(o, 1);
}

TEST(SamplerTest, SmallTopPKeepsOnlyTheMostLikely) {
  SamplingOptions o;
  o.temperature = 1.0f;
  o.topP = 0.01f;
  expectAlwaysToken(o, 1);
}

TEST(SamplerTest, MinPDropsUnlikelyTokens) {
  // exp(0.5 - 3) / exp(0) < 0.1: token 3 never comes; exp(1 - 3) > 0.1.
  SamplingOptions o;
  o.temperature = 1.0f;
  o.minP = 0.1f;
  std::map<int32_t, int> counts;
  Sampler sampler(o);
  for (int i = 0; i < 2000; ++i) {
    std::vector<float> l = logits();
    ++counts[sampler.sample(l.data(), int64_t(l.size()), {})];
  }
  EXPECT_EQ(counts.count(3), 0u);
  EXPECT_GT(counts[0], 0);
  EXPECT_GT(counts[1], counts[2]);
}

TEST(SamplerTest, TheSameSeedGivesTheSameTokens) {
  SamplingOptions o;
  o.temperature = 1.5f;
  o.seed = 42;
  Sampler a(o), b(o);
  o.seed = 43;
  Sampler c(o);
  int same = 0, differ = 0;
  for (int i = 0; i < 200; ++i) {
    std::vector<float> la = logits(), lb = logits(), lc = logits();
    int32_t ta = a.sample(la.data(), 5, {}), tb = b.sample(lb.data(), 5, {}),
            tc = c.sample(lc.data(), 5, {});
    same += ta == tb;
    differ += ta != tc;
  }
  EXPECT_EQ(same, 200);
  EXPECT_GT(differ, 0);
}

} // namespace
