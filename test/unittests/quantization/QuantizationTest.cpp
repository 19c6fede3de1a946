//===- QuantizationTest.cpp - round to nearest and GPTQ -------------------===//

#include "passes/quantization/Awq.h"
#include "passes/quantization/Gptq.h"
#include "passes/quantization/RoundToNearest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace llmc::quantization;

namespace {

/// Random [rows, cols] values, normal, with a few columns scaled up (the
/// outlier input channels real activations have).
std::vector<float> randomMatrix(int64_t rows, int64_t cols, unsigned seed,
                                bool outliers) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> m(size_t(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      m[size_t(r * cols + c)] =
          normal(rng) * (outliers && c % 16 == 3 ? 8.0f : 1.0f);
  return m;
}

/// ||X (W - Q)^T||^2: how far the layer's output on X moves.
double outputError(const std::vector<float> &x, int64_t rows,
                   const std::vector<float> &w, const QuantizedMatrix &q) {
  double total = 0.0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < q.n; ++o) {
      double d = 0.0;
      for (int64_t c = 0; c < q.k; ++c)
        d += double(x[size_t(r * q.k + c)]) *
             (double(w[size_t(o * q.k + c)]) - q.dequantized(o, c));
      total += d * d;
    }
  return total;
}

std::vector<double> gramOf(const std::vector<float> &x, int64_t rows,
                           int64_t k) {
  std::vector<double> h(size_t(k * k), 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < k; ++j)
        h[size_t(i * k + j)] +=
            double(x[size_t(r * k + i)]) * double(x[size_t(r * k + j)]);
  return h;
}

} // namespace

TEST(RoundToNearest, SymmetricInt4Group) {
  const float w[8] = {1.0f, -2.0f, 0.5f, 0.25f, 3.5f, -7.0f, 0.0f, 1.0f};
  QuantizedMatrix q = roundToNearest(w, 1, 8, 4, 4, /*symmetric=*/true);
  ASSERT_EQ(q.groups(), 2);
  EXPECT_FLOAT_EQ(q.scales[0], 2.0f / 7.0f);
  EXPECT_FLOAT_EQ(q.scales[1], 1.0f);
  EXPECT_EQ(q.values[1], -7);
  EXPECT_EQ(q.values[5], -7);
  EXPECT_TRUE(q.zeroPoints.empty());
  for (int c = 0; c < 8; ++c)
    EXPECT_NEAR(q.dequantized(0, c), w[c], 0.5f * q.scales[size_t(c / 4)]);
}

TEST(RoundToNearest, AsymmetricKeepsZeroExact) {
  const float w[4] = {0.0f, 0.3f, 1.5f, 0.7f};
  QuantizedMatrix q = roundToNearest(w, 1, 4, 4, 0, /*symmetric=*/false);
  ASSERT_EQ(q.zeroPoints.size(), 1u);
  EXPECT_EQ(q.zeroPoints[0], 0);
  EXPECT_FLOAT_EQ(q.dequantized(0, 0), 0.0f);
  for (int c = 0; c < 4; ++c)
    EXPECT_GE(q.values[size_t(c)], 0);
}

TEST(RoundToNearest, AllZeroGroup) {
  const float w[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  QuantizedMatrix q = roundToNearest(w, 1, 4, 8, 4, /*symmetric=*/true);
  for (int c = 0; c < 4; ++c)
    EXPECT_EQ(q.dequantized(0, c), 0.0f);
}

TEST(Gptq, MovesTheOutputLessThanRoundToNearest) {
  const int64_t n = 24, k = 64, rows = 256;
  for (bool symmetric : {true, false}) {
    std::vector<float> w = randomMatrix(n, k, 1, false);
    std::vector<float> x = randomMatrix(rows, k, 2, /*outliers=*/true);
    std::vector<double> h = gramOf(x, rows, k);
    QuantizedMatrix rtn = roundToNearest(w.data(), n, k, 4, 32, symmetric);
    llvm::Expected<QuantizedMatrix> g =
        gptq(w.data(), n, k, 4, 32, symmetric, h);
    ASSERT_TRUE(bool(g)) << llvm::toString(g.takeError());
    double before = outputError(x, rows, w, rtn);
    double after = outputError(x, rows, w, *g);
    EXPECT_LT(after, 0.7 * before)
        << "symmetric " << symmetric << ": " << after << " vs " << before;
    // Same format: values in range, scales per row and group of 32.
    EXPECT_EQ(g->scales.size(), size_t(n * 2));
    for (int32_t v : g->values)
      EXPECT_TRUE(symmetric ? v >= -8 && v <= 7 : v >= 0 && v <= 15);
  }
}

TEST(Gptq, DeadInputsAndBadGram) {
  const int64_t n = 4, k = 8;
  std::vector<float> w = randomMatrix(n, k, 3, false);
  // An input that is always zero: its weights become zero, no failure.
  std::vector<float> x = randomMatrix(32, k, 4, false);
  for (int64_t r = 0; r < 32; ++r)
    x[size_t(r * k + 5)] = 0.0f;
  llvm::Expected<QuantizedMatrix> g =
      gptq(w.data(), n, k, 8, 0, true, gramOf(x, 32, k));
  ASSERT_TRUE(bool(g)) << llvm::toString(g.takeError());
  for (int64_t r = 0; r < n; ++r)
    EXPECT_EQ(g->dequantized(r, 5), 0.0f);
  llvm::Expected<QuantizedMatrix> bad =
      gptq(w.data(), n, k, 8, 0, true, std::vector<double>(3, 0.0));
  ASSERT_FALSE(bool(bad));
  EXPECT_NE(llvm::toString(bad.takeError()).find("not [K, K]"),
            std::string::npos);
}

TEST(Gptq, BlockedUpdatesAcrossGroupSizes) {
  // K = 320 spans three blocks of columns (the later columns take each
  // block's errors in one matrix product); groups that divide the block,
  // span it (256: two blocks per group), do neither (160), or cover a row.
  const int64_t n = 24, k = 320, rows = 512;
  std::vector<float> w = randomMatrix(n, k, 11, false);
  std::vector<float> x = randomMatrix(rows, k, 12, /*outliers=*/true);
  std::vector<double> h = gramOf(x, rows, k);
  for (int64_t group : {32, 64, 160, 256, 0}) {
    QuantizedMatrix rtn = roundToNearest(w.data(), n, k, 4, group, true);
    llvm::Expected<QuantizedMatrix> g = gptq(w.data(), n, k, 4, group, true, h);
    ASSERT_TRUE(bool(g)) << llvm::toString(g.takeError());
    double before = outputError(x, rows, w, rtn);
    double after = outputError(x, rows, w, *g);
    EXPECT_LT(after, 0.8 * before)
        << "group " << group << ": " << after << " vs " << before;
    EXPECT_EQ(g->scales.size(), rtn.scales.size()) << "group " << group;
    // The blocked updates give the plain algorithm's result (every error
    // applied to all later columns at once), up to rounding order.
    llvm::Expected<QuantizedMatrix> plain =
        gptq(w.data(), n, k, 4, group, true, h, 0.01, /*block=*/k);
    ASSERT_TRUE(bool(plain)) << llvm::toString(plain.takeError());
    size_t same = 0;
    for (size_t i = 0; i < g->values.size(); ++i)
      same += g->values[i] == plain->values[i];
    EXPECT_GE(same, g->values.size() - 2) << "group " << group;
    for (size_t i = 0; i < g->scales.size(); ++i)
      EXPECT_NEAR(g->scales[i], plain->scales[i], 1e-5 * plain->scales[i])
          << "group " << group;
  }
  llvm::Expected<QuantizedMatrix> split =
      gptq(w.data(), n, k, 4, 64, true, h, 0.01, /*block=*/96);
  ASSERT_FALSE(bool(split));
  EXPECT_NE(llvm::toString(split.takeError()).find("splits groups"),
            std::string::npos);
}

TEST(Awq, ScalesOutlierChannelsAndMovesTheOutputLess) {
  const int64_t n = 16, k = 64, rows = 256;
  std::vector<float> w1 = randomMatrix(n, k, 5, false);
  std::vector<float> w2 = randomMatrix(n, k, 6, false);
  std::vector<float> x = randomMatrix(rows, k, 7, /*outliers=*/true);
  std::vector<double> h = gramOf(x, rows, k);
  AwqResult r = awq({{w1.data(), n}, {w2.data(), n}}, k, 4, 32, true, h, rows);
  ASSERT_EQ(r.quantized.size(), 2u);
  ASSERT_EQ(r.scales.size(), size_t(k));
  EXPECT_GT(r.alpha, 0.0);
  EXPECT_LT(r.error, r.errorRtn);
  // The outlier channels (c % 16 == 3) get the largest scales.
  EXPECT_GT(r.scales[3], r.scales[4]);
  EXPECT_GT(r.scales[19], r.scales[20]);
  // quantized[i] stands for W diag(s): dividing by s gives W back.
  for (int64_t c = 0; c < k; ++c)
    EXPECT_NEAR(r.quantized[0].dequantized(0, c) / r.scales[size_t(c)],
                w1[size_t(c)], 0.6);
}

TEST(RoundToNearest, ClippedNeverWorseThanPlain) {
  const int64_t n = 8, k = 64;
  std::vector<float> w = randomMatrix(n, k, 8, true);
  std::vector<double> importance(size_t(k), 1.0);
  for (bool symmetric : {true, false}) {
    QuantizedMatrix plain = roundToNearest(w.data(), n, k, 4, 32, symmetric);
    QuantizedMatrix clipped =
        roundToNearestClipped(w.data(), n, k, 4, 32, symmetric, importance);
    double a = 0.0, b = 0.0;
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < k; ++c) {
        double da = w[size_t(r * k + c)] - plain.dequantized(r, c);
        double db = w[size_t(r * k + c)] - clipped.dequantized(r, c);
        a += da * da;
        b += db * db;
      }
    EXPECT_LE(b, a) << "symmetric " << symmetric;
  }
}
