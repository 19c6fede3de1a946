//===- Normalizer.cpp - Text normalization before splitting ---------------===//

#include "tokenizer/Normalizer.h"

#include "tokenizer/ByteLevelAlphabet.h"
#include "tokenizer/Unicode.h"

#include <cstdlib>
#include <utf8proc.h>

namespace llmc::tokenizer {

Normalizer::~Normalizer() = default;

namespace {

class PrependNormalizer : public Normalizer {
public:
  explicit PrependNormalizer(std::string prefix) : prefix(std::move(prefix)) {}
  std::string normalize(std::string_view text) const override {
    if (text.empty())
      return std::string();
    std::string out = prefix;
    out += text;
    return out;
  }

private:
  std::string prefix;
};

class ReplaceNormalizer : public Normalizer {
public:
  ReplaceNormalizer(Pattern pattern, std::string content)
      : pattern(std::move(pattern)), content(std::move(content)) {}
  std::string normalize(std::string_view text) const override {
    return pattern.replaceAll(text, content);
  }

private:
  Pattern pattern;
  std::string content;
};

class UnicodeNormalizer : public Normalizer {
public:
  explicit UnicodeNormalizer(NormalizationForm form) {
    options = UTF8PROC_STABLE;
    switch (form) {
    case NormalizationForm::NFC:
      options |= UTF8PROC_COMPOSE;
      break;
    case NormalizationForm::NFD:
      options |= UTF8PROC_DECOMPOSE;
      break;
    case NormalizationForm::NFKC:
      options |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
      break;
    case NormalizationForm::NFKD:
      options |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT;
      break;
    }
  }
  std::string normalize(std::string_view text) const override {
    if (text.empty())
      return std::string();
    utf8proc_uint8_t *mapped = nullptr;
    utf8proc_ssize_t length =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t *>(text.data()),
                     static_cast<utf8proc_ssize_t>(text.size()), &mapped,
                     static_cast<utf8proc_option_t>(options));
    // utf8proc fails only on ill-formed input or without memory; the input
    // is well-formed, so keep it as it is rather than lose it.
    if (length < 0)
      return std::string(text);
    std::string out(reinterpret_cast<const char *>(mapped),
                    static_cast<size_t>(length));
    std::free(mapped);
    return out;
  }

private:
  int options;
};

class LowercaseNormalizer : public Normalizer {
public:
  std::string normalize(std::string_view text) const override {
    std::string out;
    out.reserve(text.size());
    for (size_t pos = 0; pos < text.size();)
      appendLowercase(out, decodeUtf8(text, pos));
    return out;
  }
};

class StripNormalizer : public Normalizer {
public:
  StripNormalizer(bool left, bool right) : left(left), right(right) {}
  std::string normalize(std::string_view text) const override {
    size_t start = 0;
    size_t end = text.size();
    if (left) {
      while (start < end) {
        size_t next = start;
        if (!isWhitespace(decodeUtf8(text, next)))
          break;
        start = next;
      }
    }
    if (right) {
      while (end > start) {
        size_t charStart = end - 1;
        while (charStart > start &&
               (static_cast<unsigned char>(text[charStart]) & 0xC0) == 0x80)
          --charStart;
        size_t pos = charStart;
        if (!isWhitespace(decodeUtf8(text, pos)))
          break;
        end = charStart;
      }
    }
    return std::string(text.substr(start, end - start));
  }

private:
  bool left;
  bool right;
};

class StripAccentsNormalizer : public Normalizer {
public:
  std::string normalize(std::string_view text) const override {
    std::string out;
    out.reserve(text.size());
    for (size_t pos = 0; pos < text.size();) {
      size_t start = pos;
      if (!isCombiningMark(decodeUtf8(text, pos)))
        out.append(text.substr(start, pos - start));
    }
    return out;
  }
};

class ByteLevelNormalizer : public Normalizer {
public:
  std::string normalize(std::string_view text) const override {
    return toByteLevel(text);
  }
};

class SequenceNormalizer : public Normalizer {
public:
  explicit SequenceNormalizer(
      std::vector<std::unique_ptr<Normalizer>> normalizers)
      : normalizers(std::move(normalizers)) {}
  std::string normalize(std::string_view text) const override {
    std::string current(text);
    for (const auto &normalizer : normalizers)
      current = normalizer->normalize(current);
    return current;
  }

private:
  std::vector<std::unique_ptr<Normalizer>> normalizers;
};

} // namespace

std::unique_ptr<Normalizer> createPrependNormalizer(std::string prefix) {
  return std::make_unique<PrependNormalizer>(std::move(prefix));
}

std::unique_ptr<Normalizer> createReplaceNormalizer(Pattern pattern,
                                                    std::string content) {
  return std::make_unique<ReplaceNormalizer>(std::move(pattern),
                                             std::move(content));
}

std::unique_ptr<Normalizer> createUnicodeNormalizer(NormalizationForm form) {
  return std::make_unique<UnicodeNormalizer>(form);
}

std::unique_ptr<Normalizer> createLowercaseNormalizer() {
  return std::make_unique<LowercaseNormalizer>();
}

std::unique_ptr<Normalizer> createStripNormalizer(bool left, bool right) {
  return std::make_unique<StripNormalizer>(left, right);
}

std::unique_ptr<Normalizer> createStripAccentsNormalizer() {
  return std::make_unique<StripAccentsNormalizer>();
}

std::unique_ptr<Normalizer> createByteLevelNormalizer() {
  return std::make_unique<ByteLevelNormalizer>();
}

std::unique_ptr<Normalizer>
createSequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> normalizers) {
  return std::make_unique<SequenceNormalizer>(std::move(normalizers));
}

} // namespace llmc::tokenizer
