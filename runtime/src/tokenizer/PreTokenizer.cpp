//===- PreTokenizer.cpp - Splitting text into words -----------------------===//

#include "tokenizer/PreTokenizer.h"

#include "tokenizer/ByteLevelAlphabet.h"
#include "tokenizer/Unicode.h"

#include <optional>

namespace llmc::tokenizer {

PreTokenizer::~PreTokenizer() = default;

namespace {

/// Replaces each word by the pieces `split` cuts it into, given as [start,
/// end) ranges of the word's text.
template <typename SplitFunction>
void splitEach(std::vector<Word> &words, SplitFunction split) {
  std::vector<Word> pieces;
  pieces.reserve(words.size());
  for (Word &word : words) {
    for (auto [start, end] : split(word.text)) {
      Word piece;
      piece.text = word.text.substr(start, end - start);
      piece.atInputStart = word.atInputStart && start == 0;
      pieces.push_back(std::move(piece));
    }
  }
  words = std::move(pieces);
}

/// Compiles a regex written here; these are known to compile.
std::shared_ptr<const Regex> builtinRegex(std::string_view pattern) {
  std::string error;
  return std::shared_ptr<const Regex>(Regex::compile(pattern, error));
}

class SplitPreTokenizer : public PreTokenizer {
public:
  SplitPreTokenizer(Pattern pattern, SplitBehavior behavior, bool invert)
      : pattern(std::move(pattern)), behavior(behavior), invert(invert) {}
  void preTokenize(std::vector<Word> &words) const override {
    splitEach(words, [&](const std::string &text) {
      return splitPieces(pattern.findPieces(text), behavior, invert);
    });
  }

private:
  Pattern pattern;
  SplitBehavior behavior;
  bool invert;
};

class ByteLevelPreTokenizer : public PreTokenizer {
public:
  ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex)
      : addPrefixSpace(addPrefixSpace) {
    if (useRegex)
      gpt2 = Pattern::regex(builtinRegex(
          "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|"
          "\\s+(?!\\S)|\\s+"));
  }
  void preTokenize(std::vector<Word> &words) const override {
    if (addPrefixSpace)
      for (Word &word : words)
        if (word.text.empty() || word.text.front() != ' ')
          word.text.insert(0, 1, ' ');
    if (gpt2)
      splitEach(words, [&](const std::string &text) {
        return splitPieces(gpt2->findPieces(text), SplitBehavior::Isolated);
      });
    for (Word &word : words)
      word.text = toByteLevel(word.text);
  }

private:
  bool addPrefixSpace;
  std::optional<Pattern> gpt2;
};

class MetaspacePreTokenizer : public PreTokenizer {
public:
  MetaspacePreTokenizer(uint32_t replacement, PrependScheme scheme, bool split)
      : replacement(replacement), scheme(scheme), split(split) {
    appendUtf8(replacementText, replacement);
  }
  void preTokenize(std::vector<Word> &words) const override {
    for (Word &word : words) {
      word.text = Pattern::literal(" ").replaceAll(word.text, replacementText);
      bool startsWithReplacement =
          word.text.compare(0, replacementText.size(), replacementText) == 0;
      bool prepend = scheme == PrependScheme::Always ||
                     (scheme == PrependScheme::First && word.atInputStart);
      if (prepend && !startsWithReplacement)
        word.text.insert(0, replacementText);
    }
    if (split)
      splitEach(words, [&](const std::string &text) {
        return splitPieces(findCharacterPieces(text,
                                               [&](uint32_t codePoint) {
                                                 return codePoint ==
                                                        replacement;
                                               }),
                           SplitBehavior::MergedWithNext);
      });
  }

private:
  uint32_t replacement;
  std::string replacementText;
  PrependScheme scheme;
  bool split;
};

class DigitsPreTokenizer : public PreTokenizer {
public:
  explicit DigitsPreTokenizer(bool individualDigits)
      : behavior(individualDigits ? SplitBehavior::Isolated
                                  : SplitBehavior::Contiguous) {}
  void preTokenize(std::vector<Word> &words) const override {
    splitEach(words, [&](const std::string &text) {
      return splitPieces(findCharacterPieces(text, isNumeric), behavior);
    });
  }

private:
  SplitBehavior behavior;
};

class WhitespacePreTokenizer : public PreTokenizer {
public:
  // Rust's regex crate, which Hugging Face uses here, reads \w as this class.
  WhitespacePreTokenizer()
      : words(Pattern::regex(builtinRegex(
            "[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]+|"
            "[^\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}\\s]+"))) {}
  void preTokenize(std::vector<Word> &text) const override {
    splitEach(text, [&](const std::string &piece) {
      return splitPieces(words.findPieces(piece), SplitBehavior::Removed,
                         /*invert=*/true);
    });
  }

private:
  Pattern words;
};

class WhitespaceSplitPreTokenizer : public PreTokenizer {
public:
  void preTokenize(std::vector<Word> &words) const override {
    splitEach(words, [&](const std::string &text) {
      return splitPieces(findCharacterPieces(text, isWhitespace),
                         SplitBehavior::Removed);
    });
  }
};

class PunctuationPreTokenizer : public PreTokenizer {
public:
  explicit PunctuationPreTokenizer(SplitBehavior behavior)
      : behavior(behavior) {}
  void preTokenize(std::vector<Word> &words) const override {
    splitEach(words, [&](const std::string &text) {
      return splitPieces(findCharacterPieces(text, isPunctuation), behavior);
    });
  }

private:
  SplitBehavior behavior;
};

class SequencePreTokenizer : public PreTokenizer {
public:
  explicit SequencePreTokenizer(
      std::vector<std::unique_ptr<PreTokenizer>> preTokenizers)
      : preTokenizers(std::move(preTokenizers)) {}
  void preTokenize(std::vector<Word> &words) const override {
    for (const auto &preTokenizer : preTokenizers)
      preTokenizer->preTokenize(words);
  }

private:
  std::vector<std::unique_ptr<PreTokenizer>> preTokenizers;
};

} // namespace

std::unique_ptr<PreTokenizer>
createSplitPreTokenizer(Pattern pattern, SplitBehavior behavior, bool invert) {
  return std::make_unique<SplitPreTokenizer>(std::move(pattern), behavior,
                                             invert);
}

std::unique_ptr<PreTokenizer> createByteLevelPreTokenizer(bool addPrefixSpace,
                                                          bool useRegex) {
  return std::make_unique<ByteLevelPreTokenizer>(addPrefixSpace, useRegex);
}

std::unique_ptr<PreTokenizer> createMetaspacePreTokenizer(uint32_t replacement,
                                                          PrependScheme scheme,
                                                          bool split) {
  return std::make_unique<MetaspacePreTokenizer>(replacement, scheme, split);
}

std::unique_ptr<PreTokenizer> createDigitsPreTokenizer(bool individualDigits) {
  return std::make_unique<DigitsPreTokenizer>(individualDigits);
}

std::unique_ptr<PreTokenizer> createWhitespacePreTokenizer() {
  return std::make_unique<WhitespacePreTokenizer>();
}

std::unique_ptr<PreTokenizer> createWhitespaceSplitPreTokenizer() {
  return std::make_unique<WhitespaceSplitPreTokenizer>();
}

std::unique_ptr<PreTokenizer>
createPunctuationPreTokenizer(SplitBehavior behavior) {
  return std::make_unique<PunctuationPreTokenizer>(behavior);
}

std::unique_ptr<PreTokenizer> createSequencePreTokenizer(
    std::vector<std::unique_ptr<PreTokenizer>> preTokenizers) {
  return std::make_unique<SequencePreTokenizer>(std::move(preTokenizers));
}

} // namespace llmc::tokenizer
