//===- GeneratorTest.cpp - the decoding loop ------------------------------===//

#include "generate/Generator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace llmc::generate;

namespace {

/// A model that always predicts token (last + 1) mod vocab, whose tokens
/// decode to one letter each ('a' + id).
struct CountingModel {
  int64_t vocab = 26;
  int32_t last = 0;
  int calls = 0;
  size_t tokensSeen = 0;
  llmc_status_t forward(const int32_t *ids, size_t count, float *logits) {
    ++calls;
    tokensSeen += count;
    last = ids[count - 1];
    for (int64_t i = 0; i < vocab; ++i)
      logits[i] = i == (last + 1) % vocab ? 1.0f : 0.0f;
    return nullptr;
  }
};

class LetterStream : public TextStream {
public:
  std::string push(int32_t id) override { return std::string(1, 'a' + id); }
  std::string finish() override { return ""; }
};

struct Generation {
  GenerateResult result;
  std::string text;
  llmc_status_t status = nullptr;
  CountingModel model;
  /// Each argmax call's `more`.
  std::vector<bool> mores;
};

/// `argmaxSkip` > 0: the run also has an argmax step (as the cuda device
/// gives), which predicts (last + argmaxSkip) mod vocab, so that a test
/// sees which of the two ran.
Generation generateFrom(std::vector<int32_t> prompt, GenerateOptions options,
                        int64_t room = 100, int argmaxSkip = 0) {
  Generation run;
  LetterStream letters;
  ArgmaxFn argmax;
  if (argmaxSkip > 0)
    argmax = [&](const int32_t *ids, size_t n, bool more, int32_t &next) {
      run.mores.push_back(more);
      ++run.model.calls;
      run.model.tokensSeen += n;
      next = int32_t((ids[n - 1] + argmaxSkip) % run.model.vocab);
      return llmc_status_t(nullptr);
    };
  run.status =
      generate([&](const int32_t *ids, size_t n,
                   float *l) { return run.model.forward(ids, n, l); },
               argmax, run.model.vocab, room, prompt, options, &letters,
               [&](int32_t, const std::string &piece) {
                 run.text += piece;
                 return true;
               },
               run.result);
  return run;
}

TEST(GeneratorTest, PrefillsOnceThenDecodesOneTokenPerCall) {
  GenerateOptions o;
  o.maxNewTokens = 5;
  Generation run = generateFrom({0, 1, 2}, o);
  ASSERT_EQ(run.status, nullptr);
  EXPECT_EQ(run.result.tokens, (std::vector<int32_t>{3, 4, 5, 6, 7}));
  EXPECT_EQ(run.text, "defgh");
  EXPECT_EQ(run.result.reason, StopReason::MaxTokens);
  // The prompt in one call, then one call per token but the last.
  EXPECT_EQ(run.model.calls, 5);
  EXPECT_EQ(run.model.tokensSeen, 3u + 4u);
}

TEST(GeneratorTest, GreedyStepsTakeTheDevicesArgmaxWhenItHasOne) {
  GenerateOptions o;
  o.maxNewTokens = 3;
  // Greedy: the argmax step runs (it skips 2 ahead), no logits.
  Generation run = generateFrom({0}, o, 100, 2);
  EXPECT_EQ(run.result.tokens, (std::vector<int32_t>{2, 4, 6}));
  EXPECT_EQ(run.model.calls, 3);
  // Each call but the last is told that the loop goes on with its id.
  EXPECT_EQ(run.mores, (std::vector<bool>{true, true, false}));
  // With room for the prompt and one more token in the cache, the second
  // step fills it: the loop stops after its token, with the cache full.
  Generation full = generateFrom({0}, o, /*room=*/2, 2);
  EXPECT_EQ(full.result.tokens, (std::vector<int32_t>{2, 4}));
  EXPECT_EQ(full.result.reason, StopReason::ContextFull);
  EXPECT_EQ(full.mores, (std::vector<bool>{true, false}));
  // A repetition penalty or a temperature needs the logits.
  o.sampling.repetitionPenalty = 1.1f;
  EXPECT_EQ(generateFrom({0}, o, 100, 2).result.tokens,
            (std::vector<int32_t>{1, 2, 3}));
  o.sampling.repetitionPenalty = 1.0f;
  o.sampling.temperature = 0.5f;
  o.sampling.topK = 1;
  EXPECT_EQ(generateFrom({0}, o, 100, 2).result.tokens,
            (std::vector<int32_t>{1, 2, 3}));
}

TEST(GeneratorTest, StopsAtAnEndOfSequenceIdWithoutEmittingIt) {
  GenerateOptions o;
  o.eosIds = {5};
  Generation run = generateFrom({2}, o);
  EXPECT_EQ(run.result.tokens, (std::vector<int32_t>{3, 4}));
  EXPECT_EQ(run.result.reason, StopReason::Eos);
  o.ignoreEos = true;
  o.maxNewTokens = 4;
  EXPECT_EQ(generateFrom({2}, o).result.tokens,
            (std::vector<int32_t>{3, 4, 5, 6}));
}

TEST(GeneratorTest, StopStringsAreHeldBackAndNeverEmitted) {
  GenerateOptions o;
  o.stopStrings = {"fgh", "xyz"};
  Generation run = generateFrom({0}, o);
  EXPECT_EQ(run.text, "bcde");
  EXPECT_EQ(run.result.reason, StopReason::StopString);
  // A partial match that does not complete is released.
  o.stopStrings = {"cdx"};
  o.maxNewTokens = 4;
  EXPECT_EQ(generateFrom({0}, o).text, "bcde");
}

TEST(GeneratorTest, APromptLongerThanTheContextIsAnError) {
  Generation run = generateFrom({0, 1, 2, 3}, GenerateOptions(), /*room=*/3);
  ASSERT_NE(run.status, nullptr);
  EXPECT_EQ(llmc_status_code(run.status), LLMC_STATUS_OUT_OF_RANGE);
  EXPECT_NE(std::string(llmc_status_message(run.status))
                .find("the prompt has 4 tokens, but the context has room "
                      "for 3"),
            std::string::npos);
  llmc_status_free(run.status);
}

TEST(GeneratorTest, StopsWhenTheContextIsFull) {
  GenerateOptions o;
  Generation run = generateFrom({0, 1}, o, /*room=*/5);
  ASSERT_EQ(run.status, nullptr);
  // Three tokens fit after the prompt; the fourth is sampled from the last
  // logits but never fed back.
  EXPECT_EQ(run.result.tokens.size(), 4u);
  EXPECT_EQ(run.result.reason, StopReason::ContextFull);
  EXPECT_EQ(run.model.tokensSeen, 5u);
}

} // namespace
