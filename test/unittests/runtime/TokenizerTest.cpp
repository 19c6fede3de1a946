//===- TokenizerTest.cpp - tokenizer.json against Hugging Face ------------===//
//
// Each folder of test/fixtures/tokenizers holds a tokenizer.json and the
// encodings and decodings Hugging Face `tokenizers` gives for it
// (models/tokenizers/make_tokenizer_fixtures.py made them); the tokenizer
// must reproduce every one exactly.
//
//===----------------------------------------------------------------------===//

#include "tokenizer/Tokenizer.h"
#include "tokenizer/StreamingDecoder.h"
#include "tokenizer/Unicode.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace {

using llmc::tokenizer::StreamingDecoder;
using llmc::tokenizer::Tokenizer;
using Json = nlohmann::json;
namespace fs = std::filesystem;

const fs::path kFixtures = LLMC_TOKENIZER_FIXTURES;

std::string readFile(const fs::path &path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

/// The fixture folders, sorted.
std::vector<std::string> fixtureNames() {
  std::vector<std::string> names;
  for (const auto &entry : fs::directory_iterator(kFixtures))
    if (fs::exists(entry.path() / "tokenizer.json") &&
        fs::exists(entry.path() / "reference.json"))
      names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::unique_ptr<Tokenizer> loadFixture(const std::string &name) {
  std::string error;
  auto tokenizer = Tokenizer::fromFile(
      (kFixtures / name / "tokenizer.json").string(), error);
  EXPECT_TRUE(tokenizer) << error;
  return tokenizer;
}

/// Text in a failure message: JSON-escaped, so that control characters and
/// whitespace runs show.
std::string escaped(const std::string &text) {
  std::string dumped = Json(text).dump();
  return dumped.size() > 200 ? dumped.substr(0, 200) + "...\"" : dumped;
}

class TokenizerReferenceTest : public testing::TestWithParam<std::string> {
protected:
  void SetUp() override {
    tokenizer = loadFixture(GetParam());
    ASSERT_TRUE(tokenizer);
    reference =
        Json::parse(readFile(kFixtures / GetParam() / "reference.json"));
  }

  /// Every id sequence of the reference: encodings and decode-only cases.
  std::vector<std::vector<int32_t>> allIdSequences() const {
    std::vector<std::vector<int32_t>> sequences;
    for (const Json &entry : reference["encode_cases"])
      sequences.push_back(entry["ids"].get<std::vector<int32_t>>());
    for (const Json &entry : reference["decode_cases"])
      sequences.push_back(entry["ids"].get<std::vector<int32_t>>());
    return sequences;
  }

  std::unique_ptr<Tokenizer> tokenizer;
  Json reference;
};

TEST_P(TokenizerReferenceTest, EncodeMatchesReference) {
  const Json &cases = reference["encode_cases"];
  ASSERT_GT(cases.size(), 0u);
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string text = cases[i]["text"].get<std::string>();
    SCOPED_TRACE("case " + std::to_string(i) + ": " + escaped(text));
    EXPECT_EQ(tokenizer->encode(text, /*addSpecialTokens=*/true),
              cases[i]["ids"].get<std::vector<int32_t>>());
    EXPECT_EQ(tokenizer->encode(text, /*addSpecialTokens=*/false),
              cases[i]["ids_without_special"].get<std::vector<int32_t>>());
  }
}

TEST_P(TokenizerReferenceTest, DecodeMatchesReference) {
  for (const char *kind : {"encode_cases", "decode_cases"}) {
    const Json &cases = reference[kind];
    for (size_t i = 0; i < cases.size(); ++i) {
      SCOPED_TRACE(std::string(kind) + " " + std::to_string(i));
      auto ids = cases[i]["ids"].get<std::vector<int32_t>>();
      EXPECT_EQ(tokenizer->decode(ids, /*skipSpecialTokens=*/false),
                cases[i]["decode"].get<std::string>());
      EXPECT_EQ(tokenizer->decode(ids, /*skipSpecialTokens=*/true),
                cases[i]["decode_skip_special"].get<std::string>());
    }
  }
}

TEST_P(TokenizerReferenceTest, StreamingDecodeMatchesDecode) {
  std::vector<std::vector<int32_t>> sequences = allIdSequences();
  for (size_t i = 0; i < sequences.size(); ++i) {
    for (bool skipSpecialTokens : {false, true}) {
      SCOPED_TRACE("sequence " + std::to_string(i) +
                   (skipSpecialTokens ? ", skipping special tokens" : ""));
      StreamingDecoder stream(*tokenizer, skipSpecialTokens);
      std::string streamed;
      for (int32_t id : sequences[i]) {
        std::string piece = stream.step(id);
        EXPECT_TRUE(llmc::tokenizer::isValidUtf8(piece)) << escaped(piece);
        streamed += piece;
      }
      std::string rest = stream.flush();
      EXPECT_TRUE(llmc::tokenizer::isValidUtf8(rest)) << escaped(rest);
      streamed += rest;
      EXPECT_EQ(streamed, tokenizer->decode(sequences[i], skipSpecialTokens));
    }
  }
}

TEST_P(TokenizerReferenceTest, VocabularyMatchesReference) {
  EXPECT_EQ(tokenizer->vocabSize(), reference["vocab_size"].get<size_t>());
  for (const auto &[content, id] : reference["added_tokens"].items()) {
    EXPECT_EQ(tokenizer->tokenToId(content), id.get<int32_t>()) << content;
    EXPECT_EQ(tokenizer->idToToken(id.get<int32_t>()), content);
  }
  EXPECT_EQ(tokenizer->specialTokenIds(),
            reference["special_tokens"].get<std::vector<int32_t>>());
  for (int32_t id : tokenizer->specialTokenIds())
    EXPECT_TRUE(tokenizer->isSpecialToken(id)) << id;
  EXPECT_EQ(tokenizer->tokenToId("no such token, surely"), -1);
  EXPECT_EQ(tokenizer->idToToken(-1), std::nullopt);
}

TEST_P(TokenizerReferenceTest, ArbitraryBytesRoundTripSafely) {
  // Random bytes, many of them ill-formed UTF-8, and random ids: encode
  // gives ids in range, decode well-formed text, streaming the same text.
  std::mt19937 random(1234);
  std::string alphabet =
      " \t\n\ra1<|>_'\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80\xFF";
  alphabet += '\0';
  for (int round = 0; round < 50; ++round) {
    std::string text;
    size_t length = random() % 48;
    for (size_t i = 0; i < length; ++i)
      text += random() % 2 ? alphabet[random() % alphabet.size()]
                           : static_cast<char>(random() % 256);
    SCOPED_TRACE(escaped(llmc::tokenizer::toValidUtf8(text)));
    std::vector<int32_t> ids = tokenizer->encode(text, true);
    for (int32_t id : ids)
      EXPECT_LT(static_cast<size_t>(id), tokenizer->vocabSize());
    for (int i = 0; i < 8; ++i)
      ids.push_back(
          static_cast<int32_t>(random() % (tokenizer->vocabSize() + 8)) - 4);
    std::string decoded = tokenizer->decode(ids, false);
    EXPECT_TRUE(llmc::tokenizer::isValidUtf8(decoded));
    StreamingDecoder stream(*tokenizer, false);
    std::string streamed;
    for (int32_t id : ids)
      streamed += stream.step(id);
    streamed += stream.flush();
    EXPECT_EQ(streamed, decoded);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TokenizerReferenceTest,
                         testing::ValuesIn(fixtureNames()),
                         [](const testing::TestParamInfo<std::string> &info) {
                           return info.param;
                         });

// --- Behaviour beyond the references ---------------------------------------

TEST(TokenizerTest, IllFormedUtf8IsRepairedAsLossyDecodingDoes) {
  auto tokenizer = loadFixture("gpt2");
  ASSERT_TRUE(tokenizer);
  // A lone continuation byte, a truncated 3-byte sequence, an overlong '/'.
  EXPECT_EQ(tokenizer->encode("a\x80 b\xE4\xB8 c\xC0\xAF", false),
            tokenizer->encode("a\xEF\xBF\xBD b\xEF\xBF\xBD c\xEF\xBF\xBD"
                              "\xEF\xBF\xBD",
                              false));
}

/// About 100 kB of mixed text, in one line and so one word for Llama-2's
/// pre-tokenizer-less pipeline.
std::string longText() {
  std::string unit = "The quick brown fox, 1234567 times; 中文 😀 Привет! "
                     "def f(x): return x*2  \t";
  std::string text;
  while (text.size() < 100000)
    text += unit;
  return text;
}

TEST(TokenizerTest, LongTextRoundTrips) {
  std::string text = longText();
  for (const char *name : {"llama3", "llama2", "qwen2"}) {
    SCOPED_TRACE(name);
    auto tokenizer = loadFixture(name);
    ASSERT_TRUE(tokenizer);
    std::vector<int32_t> ids = tokenizer->encode(text, false);
    EXPECT_LT(ids.size(), text.size());
    EXPECT_EQ(tokenizer->decode(ids, true), text);
  }
}

TEST(TokenizerTest, ConcurrentEncodesAgree) {
  auto tokenizer = loadFixture("llama3");
  ASSERT_TRUE(tokenizer);
  std::string text = longText().substr(0, 20000);
  std::vector<int32_t> expected = tokenizer->encode(text, true);
  std::vector<std::vector<int32_t>> results(4);
  std::vector<std::thread> threads;
  for (auto &result : results)
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i)
        result = tokenizer->encode(text, true);
    });
  for (std::thread &thread : threads)
    thread.join();
  for (const auto &result : results)
    EXPECT_EQ(result, expected);
}

TEST(TokenizerTest, StreamingHoldsBackIncompleteCharacters) {
  auto tokenizer = loadFixture("llama2");
  ASSERT_TRUE(tokenizer);
  int32_t e4 = tokenizer->tokenToId("<0xE4>");
  int32_t b8 = tokenizer->tokenToId("<0xB8>");
  int32_t ad = tokenizer->tokenToId("<0xAD>");
  int32_t hello = tokenizer->tokenToId("▁Hello");
  ASSERT_GE(e4, 0);
  ASSERT_GE(hello, 0);
  StreamingDecoder stream(*tokenizer, true);
  EXPECT_EQ(stream.step(hello), "Hello");
  EXPECT_EQ(stream.step(e4), "");
  EXPECT_EQ(stream.step(b8), "");
  EXPECT_EQ(stream.step(ad), "");
  EXPECT_EQ(stream.step(hello), "中 Hello");
  EXPECT_EQ(stream.step(e4), "");
  // An incomplete character at the end decodes to U+FFFD, as decode() does.
  EXPECT_EQ(stream.flush(), "\xEF\xBF\xBD");
}

// --- Errors -----------------------------------------------------------------

std::string loadError(std::string_view json) {
  std::string error;
  auto tokenizer = Tokenizer::fromJson(json, error);
  EXPECT_FALSE(tokenizer);
  return error;
}

/// A minimal tokenizer.json around the given members.
std::string minimalJson(const std::string &members) {
  return R"({"added_tokens": [], )" + members + "}";
}

const char *const kMinimalModel =
    R"("model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2},
                 "merges": ["a b"]})";

TEST(TokenizerErrorTest, MinimalTokenizerLoads) {
  std::string error;
  auto tokenizer = Tokenizer::fromJson(minimalJson(kMinimalModel), error);
  ASSERT_TRUE(tokenizer) << error;
  EXPECT_EQ(tokenizer->encode("abab", true), (std::vector<int32_t>{2, 2}));
}

TEST(TokenizerErrorTest, MalformedJson) {
  std::string error = loadError(R"({"model": {"type": "BPE",, }})");
  EXPECT_EQ(error.rfind("tokenizer.json: malformed JSON: parse error at "
                        "line 1, column 26",
                        0),
            0u)
      << error;
}

TEST(TokenizerErrorTest, IllFormedUtf8InJson) {
  // A lone lead byte inside a JSON string.
  std::string error =
      loadError(minimalJson("\"model\": {\"type\": \"BPE\", \"vocab\": "
                            "{\"\xC3\": 0}, \"merges\": []}"));
  EXPECT_NE(error.find("tokenizer.json: malformed JSON:"), std::string::npos)
      << error;
  EXPECT_NE(error.find("ill-formed UTF-8"), std::string::npos) << error;
  // The message itself is well-formed, though it quotes the input.
  EXPECT_TRUE(llmc::tokenizer::isValidUtf8(error));
}

TEST(TokenizerErrorTest, TruncatedFile) {
  std::string json = readFile(kFixtures / "llama3" / "tokenizer.json");
  std::string error =
      loadError(std::string_view(json).substr(0, json.size() / 2));
  EXPECT_NE(error.find("tokenizer.json: malformed JSON:"), std::string::npos)
      << error;
  EXPECT_NE(error.find("unexpected end of input"), std::string::npos) << error;
}

TEST(TokenizerErrorTest, NotAnObject) {
  EXPECT_EQ(loadError("[1, 2]"),
            "tokenizer.json: expected a JSON object at the top level");
}

TEST(TokenizerErrorTest, MissingModel) {
  EXPECT_EQ(loadError(R"({"added_tokens": []})"),
            "tokenizer.json: model: missing");
}

TEST(TokenizerErrorTest, UnsupportedModelType) {
  EXPECT_EQ(loadError(minimalJson(
                R"("model": {"type": "Unigram", "vocab": [["a", 0.0]]})")),
            "tokenizer.json: model: model type 'Unigram' is not supported "
            "(supported: BPE)");
}

TEST(TokenizerErrorTest, ModelWithoutType) {
  EXPECT_EQ(loadError(minimalJson(R"("model": {"vocab": {"a": 0}})")),
            "tokenizer.json: model.type: missing, and no \"merges\" to make "
            "it BPE");
}

TEST(TokenizerErrorTest, UnsupportedPreTokenizerNamesItsPlace) {
  std::string error = loadError(
      minimalJson(std::string(kMinimalModel) +
                  R"(, "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "ByteLevel"}, {"type": "Foo"}]})"));
  EXPECT_EQ(error.rfind("tokenizer.json: pre_tokenizer.pretokenizers[1]: "
                        "pre_tokenizer type 'Foo' is not supported",
                        0),
            0u)
      << error;
}

TEST(TokenizerErrorTest, UnsupportedNormalizer) {
  std::string error = loadError(minimalJson(
      std::string(kMinimalModel) +
      R"(, "normalizer": {"type": "Precompiled", "precompiled_charsmap": ""})"));
  EXPECT_EQ(error.rfind("tokenizer.json: normalizer: normalizer type "
                        "'Precompiled' is not supported",
                        0),
            0u)
      << error;
}

TEST(TokenizerErrorTest, UnsupportedDecoder) {
  std::string error = loadError(
      minimalJson(std::string(kMinimalModel) +
                  R"(, "decoder": {"type": "WordPiece", "prefix": "##"})"));
  EXPECT_EQ(error.rfind("tokenizer.json: decoder: decoder type 'WordPiece' "
                        "is not supported",
                        0),
            0u)
      << error;
}

TEST(TokenizerErrorTest, UnsupportedPostProcessor) {
  std::string error = loadError(minimalJson(
      std::string(kMinimalModel) + R"(, "post_processor": {"type": "Foo"})"));
  EXPECT_EQ(error.rfind("tokenizer.json: post_processor: post_processor type "
                        "'Foo' is not supported",
                        0),
            0u)
      << error;
}

TEST(TokenizerErrorTest, RegexThatDoesNotCompile) {
  std::string error = loadError(minimalJson(
      std::string(kMinimalModel) +
      R"(, "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(a"},
            "behavior": "Isolated", "invert": false})"));
  EXPECT_EQ(error.rfind("tokenizer.json: pre_tokenizer.pattern.Regex: cannot "
                        "compile regex: missing closing parenthesis",
                        0),
            0u)
      << error;
}

TEST(TokenizerErrorTest, MergeOfUnknownToken) {
  EXPECT_EQ(loadError(minimalJson(
                R"("model": {"type": "BPE", "vocab": {"a": 0, "b": 1},
                             "merges": ["a b"]})")),
            "tokenizer.json: model.merges[0]: token 'ab' is not in the vocab");
}

TEST(TokenizerErrorTest, WrongMemberType) {
  EXPECT_EQ(loadError(minimalJson(
                R"("model": {"type": "BPE", "vocab": {"a": "zero"},
                             "merges": []})")),
            "tokenizer.json: model.vocab[\"a\"]: expected a token id (an "
            "integer from 0 to 2^31-1)");
  EXPECT_EQ(loadError(R"({"added_tokens": [{"id": 0}], )" +
                      std::string(kMinimalModel) + "}"),
            "tokenizer.json: added_tokens[0].content: missing");
}

TEST(TokenizerErrorTest, DropoutIsRefused) {
  EXPECT_EQ(loadError(minimalJson(
                R"("model": {"type": "BPE", "dropout": 0.1, "vocab": {},
                             "merges": []})")),
            "tokenizer.json: model.dropout: BPE dropout is not supported "
            "(encoding would be random)");
}

TEST(TokenizerErrorTest, MissingFile) {
  std::string error;
  EXPECT_FALSE(Tokenizer::fromFile("/nonexistent/tokenizer.json", error));
  EXPECT_EQ(
      error,
      "/nonexistent/tokenizer.json: cannot open: No such file or directory");
}

} // namespace
