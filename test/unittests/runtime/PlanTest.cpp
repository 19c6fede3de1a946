//===- PlanTest.cpp - the plan reader's checks ----------------------------===//

#include "plan/Plan.h"

#include <gtest/gtest.h>

#include <string>

using namespace llmc::plan;

namespace {

/// A one-layer plan: embedding, rms_norm, LM head tied to the embedding.
std::string planJson(const std::string &embedding = R"("weights": [0])",
                     const std::string &weightBytes = "96") {
  return R"({"entry": "forward", "vocab_size": 4, "max_context": 8,
    "kv_cache": {"layers": 1, "kv_heads": 1, "head_dim": 2},
    "arena_per_token": 14,
    "buffers": [{"features": 6, "offset": 0}, {"features": 6, "offset": 6},
                {"features": 4, "offset": 0}],
    "weights": [{"name": "embed", "dtype": "f32", "shape": [4, 6],
                 "offset": 0, "bytes": )" +
         weightBytes + R"(},
                {"name": "norm", "dtype": "f32", "shape": [6],
                 "offset": 128, "bytes": 24}],
    "steps": [{"kernel": "embedding", )" +
         embedding + R"(, "out": [0]},
              {"kernel": "rms_norm", "in": [0], "weights": [1], "out": [1],
               "attrs": {"epsilon": 1e-5}},
              {"kernel": "linear", "in": [1], "weights": [0], "out": [2],
               "logits": true}],
    "logits": 2})";
}

std::string parseError(const std::string &json, uint64_t section = 256) {
  Plan plan;
  llmc_status_t s = parsePlan(json, section, "m.llmc", plan);
  if (!s)
    return "";
  std::string message = llmc_status_message(s);
  EXPECT_EQ(llmc_status_code(s), LLMC_STATUS_DATA_LOSS);
  llmc_status_free(s);
  return message;
}

TEST(PlanTest, ReadsAConsistentPlan) {
  Plan plan;
  ASSERT_EQ(parsePlan(planJson(), 256, "m.llmc", plan), nullptr);
  EXPECT_EQ(plan.steps.size(), 3u);
  EXPECT_EQ(plan.steps[1].kernel, Kernel::RmsNorm);
  EXPECT_DOUBLE_EQ(plan.steps[1].number("epsilon"), 1e-5);
  EXPECT_TRUE(plan.steps[2].producesLogits);
  EXPECT_EQ(plan.kvCache.headDim, 2);
}

TEST(PlanTest, RejectsMalformedJson) {
  EXPECT_NE(parseError("{\"entry\": ").find("m.llmc: plan: "),
            std::string::npos);
  EXPECT_NE(parseError("{}").find("m.llmc: plan: "), std::string::npos);
}

TEST(PlanTest, RejectsAWeightOutsideTheSection) {
  EXPECT_NE(parseError(planJson(), 120)
                .find("weight 1 ('norm') has a bad shape or lies outside"),
            std::string::npos);
}

TEST(PlanTest, RejectsAWeightWhoseSizeDoesNotMatchItsShape) {
  EXPECT_NE(parseError(planJson(R"("weights": [0])", "95"))
                .find("weight 0 ('embed') has a bad shape"),
            std::string::npos);
}

TEST(PlanTest, RejectsAnIndexOutOfRange) {
  EXPECT_NE(parseError(planJson(R"("weights": [7])"))
                .find("step 0 names a buffer or weight that does not exist"),
            std::string::npos);
}

TEST(PlanTest, RejectsOperandsThatDoNotFitTheKernel) {
  // The norm weight as an embedding table: 1-D, not [vocab, features].
  EXPECT_NE(parseError(planJson(R"("weights": [1])"))
                .find("step 0 (embedding): table should be a 2-D float weight"),
            std::string::npos);
}

TEST(PlanTest, RejectsAnUnknownGateActivation) {
  // A gated_linear step over the [6] normed buffer with the embedding table
  // ([4, 6]) as both matrices, into the [4] buffer.
  std::string json = planJson();
  std::string gated =
      R"({"kernel": "gated_linear", "in": [1], "weights": [0, 0],
               "out": [2], "attrs": {"activation": "ACT"}},
              {"kernel": "linear")";
  size_t at = json.find(R"({"kernel": "linear")");
  ASSERT_NE(at, std::string::npos);
  std::string good = json, bad = json;
  good.replace(at, std::string(R"({"kernel": "linear")").size(), gated);
  bad = good;
  good.replace(good.find("ACT"), 3, "gelu_tanh");
  bad.replace(bad.find("ACT"), 3, "swish");
  Plan plan;
  ASSERT_EQ(parsePlan(good, 256, "m.llmc", plan), nullptr);
  EXPECT_EQ(gateActivation(plan.steps[2]), 1);
  EXPECT_NE(parseError(bad).find("step 2 (gated_linear): unknown activation "
                                 "'swish'"),
            std::string::npos);
}

/// planJson with its LM head step replaced by `head`.
std::string withHead(const std::string &head) {
  std::string json = planJson();
  std::string old =
      R"({"kernel": "linear", "in": [1], "weights": [0], "out": [2],
               "logits": true})";
  size_t at = json.find(old);
  EXPECT_NE(at, std::string::npos);
  json.replace(at, old.size(), head);
  return json;
}

TEST(PlanTest, ReadsALinearStepWithAFusedNormAndResidual) {
  // The LM head reads the embedding's output (buffer 0) through the norm's
  // weight (weight 1); the plain step is the head without it.
  Plan plan;
  ASSERT_EQ(parsePlan(withHead(R"({"kernel": "linear", "in": [0],
               "weights": [0, 1], "out": [2], "logits": true,
               "attrs": {"norm": 1, "norm_epsilon": 1e-5}})"),
                      256, "m.llmc", plan),
            nullptr);
  EXPECT_TRUE(hasInputNorm(plan.steps[2]));
  EXPECT_FALSE(hasResidual(plan.steps[2]));
  Step plain = withoutFusions(plan.steps[2]);
  EXPECT_EQ(plain.weights, std::vector<int32_t>{0});
  EXPECT_FALSE(hasInputNorm(plain));
  EXPECT_TRUE(plain.producesLogits);

  // A norm folded into the matrix has no weight of its own.
  ASSERT_EQ(parsePlan(withHead(R"({"kernel": "linear", "in": [0],
               "weights": [0], "out": [2], "logits": true,
               "attrs": {"norm": 1, "norm_epsilon": 1e-5, "norm_folded": 1}})"),
                      256, "m.llmc", plan),
            nullptr);
  EXPECT_TRUE(hasFoldedNorm(plan.steps[2]));
  EXPECT_EQ(withoutFusions(plan.steps[2]).weights, std::vector<int32_t>{0});

  // A residual must have the output's features: buffer 0 has 6, the
  // output 4.
  EXPECT_NE(parseError(withHead(R"({"kernel": "linear", "in": [1, 0],
               "weights": [0], "out": [2], "logits": true,
               "attrs": {"residual": 1}})"))
                .find("step 2 (linear): input 1 has 6 features, expected 4"),
            std::string::npos);
  // The norm's weight must cover the input's features.
  EXPECT_NE(parseError(withHead(R"({"kernel": "linear", "in": [1],
               "weights": [0, 0], "out": [2], "logits": true,
               "attrs": {"norm": 1, "norm_epsilon": 1e-5}})"))
                .find("step 2 (linear): weight 'embed' should be 6 f32"),
            std::string::npos);
  EXPECT_NE(parseError(withHead(R"({"kernel": "linear", "in": [1],
               "weights": [0, 1], "out": [2], "logits": true,
               "attrs": {"norm": 1}})"))
                .find("step 2 (linear): needs a positive norm_epsilon"),
            std::string::npos);
  // Only linear steps take them.
  EXPECT_NE(parseError(withHead(R"({"kernel": "rms_norm", "in": [1],
               "weights": [1], "out": [2], "attrs": {"epsilon": 1e-5,
               "norm": 1, "norm_epsilon": 1e-5}})"))
                .find("step 2 (rms_norm): only linear steps take a fused norm"),
            std::string::npos);
}

/// One attention step over [1, 2] heads with a fused rope of `style` and
/// tables `weights` (0, 1: [8, 1]; 2: [8, 2]).
std::string ropeAttentionJson(const std::string &style,
                              const std::string &weights) {
  return R"({"entry": "forward", "vocab_size": 2, "max_context": 8,
    "kv_cache": {"layers": 1, "kv_heads": 1, "head_dim": 2},
    "arena_per_token": 8,
    "buffers": [{"features": 2, "offset": 0}, {"features": 2, "offset": 2},
                {"features": 2, "offset": 4}, {"features": 2, "offset": 6}],
    "weights": [{"name": "cos", "dtype": "f32", "shape": [8, 1],
                 "offset": 0, "bytes": 32},
                {"name": "sin", "dtype": "f32", "shape": [8, 1],
                 "offset": 32, "bytes": 32},
                {"name": "wide", "dtype": "f32", "shape": [8, 2],
                 "offset": 64, "bytes": 64}],
    "steps": [{"kernel": "attention", "in": [0, 1, 2], "out": [3],
               "weights": )" +
         weights + R"(, "attrs": {"layer": 0, "heads": 1, "kv_heads": 1,
               "head_dim": 2, "scale": 1.0, "rope": ")" +
         style + R"("}}],
    "logits": 3})";
}

TEST(PlanTest, ReadsAttentionWithFusedRope) {
  Plan plan;
  ASSERT_EQ(parsePlan(ropeAttentionJson("rotate_half", "[0, 1]"), 256, "m.llmc",
                      plan),
            nullptr);
  EXPECT_EQ(plan.steps[0].name("rope"), "rotate_half");
  EXPECT_NE(parseError(ropeAttentionJson("spiral", "[0, 1]"))
                .find("step 0 (attention): bad rope style or tables"),
            std::string::npos);
  EXPECT_NE(parseError(ropeAttentionJson("interleaved", "[2, 2]"))
                .find("step 0 (attention): bad rope style or tables"),
            std::string::npos);
  EXPECT_NE(parseError(ropeAttentionJson("interleaved", "[]"))
                .find("step 0 (attention) has 3 inputs, 0 weights"),
            std::string::npos);
}

TEST(PlanTest, ReadsQuantizedFusedSteps) {
  // A gated_linear_quantized step over the [6] normed buffer into the [4]
  // buffer, with one 4-bit [4, 6] matrix (one group of 6) as gate and up.
  std::string json = planJson();
  std::string weights = R"("offset": 128, "bytes": 24})";
  size_t w = json.find(weights);
  ASSERT_NE(w, std::string::npos);
  json.insert(w + weights.size(),
              R"(, {"name": "q", "dtype": "i4", "shape": [4, 6],
                    "offset": 160, "bytes": 12},
                {"name": "s", "dtype": "f32", "shape": [4, 1],
                 "offset": 176, "bytes": 16},
                {"name": "o", "dtype": "f32", "shape": [4, 1],
                 "offset": 192, "bytes": 16})");
  std::string gated =
      R"({"kernel": "gated_linear_quantized", "in": [1],
               "weights": [2, 3, 4, 2, 3, WEIGHT], "out": [2],
               "attrs": {"activation": "silu", "group": 6}},
              {"kernel": "linear")";
  size_t at = json.find(R"({"kernel": "linear")");
  ASSERT_NE(at, std::string::npos);
  json.replace(at, std::string(R"({"kernel": "linear")").size(), gated);
  std::string good = json, bad = json;
  good.replace(good.find("WEIGHT"), 6, "4");
  bad.replace(bad.find("WEIGHT"), 6, "2");
  Plan plan;
  ASSERT_EQ(parsePlan(good, 256, "m.llmc", plan), nullptr);
  QuantizedMatrix up = quantizedMatrix(plan.steps[2], 1);
  EXPECT_EQ(up.values, 2);
  EXPECT_EQ(up.scales, 3);
  EXPECT_EQ(up.offsets, 4);
  // Without offsets ("offsets": 0) a matrix is its values and scales.
  std::string symmetric = good;
  std::string weights4 = R"("weights": [2, 3, 4, 2, 3, 4])";
  ASSERT_NE(symmetric.find(weights4), std::string::npos);
  symmetric.replace(symmetric.find(weights4), weights4.size(),
                    R"("weights": [2, 3, 2, 3])");
  symmetric.replace(symmetric.find(R"("group": 6)"), 10,
                    R"("group": 6, "offsets": 0)");
  Plan plain;
  ASSERT_EQ(parsePlan(symmetric, 256, "m.llmc", plain), nullptr);
  QuantizedMatrix gate = quantizedMatrix(plain.steps[2], 0);
  EXPECT_EQ(gate.scales, 3);
  EXPECT_EQ(gate.offsets, -1);
  EXPECT_NE(parseError(good.substr(0, good.find(R"("group": 6)")) +
                       R"("group": 6, "offsets": 0)" +
                       good.substr(good.find(R"("group": 6)") + 10))
                .find("has 1 inputs, 6 weights and 1 outputs; expected 1, 4 "
                      "and 1"),
            std::string::npos);
  // The up matrix's offsets replaced by its values: the wrong dtype.
  EXPECT_NE(parseError(bad).find("step 2 (gated_linear_quantized): weight 'q' "
                                 "should be 4x1 f32"),
            std::string::npos)
      << parseError(bad);
}

} // namespace
