//===- SamplerTest.cpp - the sampler's rules ------------------------------===//

#include "generate/Sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
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

/// The sampler's rules the plain way, sorting the whole vocabulary, and
/// the same draw (mt19937_64, 53 bits) walking the kept tokens from the
/// most likely.
int32_t sampleBySorting(const std::vector<float> &logits,
                        const SamplingOptions &o, std::mt19937_64 &engine) {
  std::vector<std::pair<float, int32_t>> c;
  for (size_t i = 0; i < logits.size(); ++i)
    c.emplace_back(logits[i] / o.temperature, int32_t(i));
  std::sort(c.begin(), c.end(), [](const auto &a, const auto &b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  if (o.topK > 0 && size_t(o.topK) < c.size())
    c.resize(size_t(o.topK));
  float best = c.front().first;
  double total = 0;
  for (auto &x : c)
    total += x.first = std::exp(x.first - best);
  for (auto &x : c)
    x.first = float(x.first / total);
  if (o.topP < 1.0f) {
    double sum = 0;
    size_t n = 0;
    while (n < c.size() && (n == 0 || sum < o.topP))
      sum += c[n++].first;
    c.resize(n);
  }
  if (o.minP > 0.0f) {
    size_t n = 1;
    while (n < c.size() && c[n].first >= o.minP * c.front().first)
      ++n;
    c.resize(n);
  }
  double mass = 0;
  for (auto &x : c)
    mass += x.first;
  double target = double(engine() >> 11) * (1.0 / 9007199254740992.0) * mass,
         running = 0;
  for (auto &x : c) {
    running += x.first;
    if (target < running)
      return x.second;
  }
  return c.back().second;
}

TEST(SamplerTest, FiltersPickWhatSortingTheVocabularyPicks) {
  // The sampler sorts only as far as it needs; top-k, top-p and min-p
  // must keep the same tokens in the same order as a whole sort, and the
  // draw pick the same one.
  std::mt19937 random(3);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  std::vector<float> vocabulary(3000);
  for (float &x : vocabulary)
    x = normal(random);
  vocabulary[17] = vocabulary[2017] = 8.0f; // a tie at the top
  SamplingOptions cases[4];
  cases[0].topP = 0.9f;
  cases[1].topK = 40;
  cases[2].minP = 0.05f;
  cases[3].topK = 600, cases[3].topP = 0.8f, cases[3].minP = 0.02f;
  for (SamplingOptions o : cases) {
    o.temperature = 0.7f;
    for (uint64_t seed = 0; seed < 30; ++seed) {
      o.seed = seed;
      Sampler sampler(o);
      std::mt19937_64 engine(seed);
      for (int draw = 0; draw < 3; ++draw) {
        std::vector<float> l = vocabulary;
        EXPECT_EQ(sampler.sample(l.data(), int64_t(l.size()), {}),
                  sampleBySorting(vocabulary, o, engine))
            << "top-k " << o.topK << ", top-p " << o.topP << ", min-p "
            << o.minP << ", seed " << seed << ", draw " << draw;
      }
    }
  }
}

TEST(SamplerTest, TemperatureAloneDrawsInProportion) {
  // Without filters the draw walks the vocabulary in its own order: each
  // token as often as its probability says.
  SamplingOptions o;
  o.temperature = 1.0f;
  Sampler sampler(o);
  std::vector<int> counts(5, 0);
  constexpr int draws = 40000;
  for (int i = 0; i < draws; ++i) {
    std::vector<float> l = logits();
    ++counts[size_t(sampler.sample(l.data(), 5, {}))];
  }
  std::vector<float> l = logits();
  double total = 0;
  for (float x : l)
    total += std::exp(x);
  for (size_t i = 0; i < 5; ++i) {
    double expected = std::exp(l[i]) / total;
    EXPECT_NEAR(counts[i] / double(draws), expected, 0.01) << "token " << i;
  }
}

} // namespace
