//===- Decoder.cpp - Tokens back to text ----------------------------------===//

#include "tokenizer/Decoder.h"

#include "tokenizer/ByteLevelAlphabet.h"
#include "tokenizer/Unicode.h"

namespace llmc::tokenizer {

Decoder::~Decoder() = default;

std::string Decoder::decode(std::vector<std::string> tokens) const {
  decodeChain(tokens);
  std::string text;
  for (const std::string &token : tokens)
    text += token;
  return text;
}

int byteFallbackValue(const std::string &token) {
  if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>')
    return -1;
  auto hexDigit = [](char c) {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  int high = hexDigit(token[3]);
  int low = hexDigit(token[4]);
  // Rust's u8::from_str_radix, which Hugging Face uses, takes a leading '+'.
  if (token[3] == '+' && low >= 0)
    return low;
  if (high < 0 || low < 0)
    return -1;
  return high * 16 + low;
}

namespace {

class ByteLevelDecoder : public Decoder {
public:
  void decodeChain(std::vector<std::string> &tokens) const override {
    std::string bytes;
    for (const std::string &token : tokens) {
      // A token with a character outside the alphabet (an added token with
      // a space, say) stands for its own UTF-8 bytes.
      std::string tokenBytes;
      bool inAlphabet = true;
      for (size_t pos = 0; pos < token.size() && inAlphabet;) {
        int byte = byteLevelByte(decodeUtf8(token, pos));
        inAlphabet = byte >= 0;
        tokenBytes.push_back(static_cast<char>(byte));
      }
      bytes += inAlphabet ? tokenBytes : token;
    }
    tokens.assign(1, toValidUtf8(bytes));
  }
};

class MetaspaceDecoder : public Decoder {
public:
  MetaspaceDecoder(uint32_t replacement, PrependScheme scheme)
      : replacement(replacement), scheme(scheme) {}
  void decodeChain(std::vector<std::string> &tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      const std::string &token = tokens[i];
      std::string out;
      out.reserve(token.size());
      for (size_t pos = 0; pos < token.size();) {
        size_t start = pos;
        if (decodeUtf8(token, pos) != replacement)
          out.append(token, start, pos - start);
        else if (i != 0 || scheme == PrependScheme::Never)
          out.push_back(' ');
      }
      tokens[i] = std::move(out);
    }
  }

private:
  uint32_t replacement;
  PrependScheme scheme;
};

class ByteFallbackDecoder : public Decoder {
public:
  void decodeChain(std::vector<std::string> &tokens) const override {
    std::vector<std::string> out;
    out.reserve(tokens.size());
    std::string bytes;
    auto flushBytes = [&] {
      if (bytes.empty())
        return;
      if (isValidUtf8(bytes))
        out.push_back(bytes);
      else
        // Hugging Face gives one U+FFFD per byte of an invalid run.
        for (size_t i = 0; i < bytes.size(); ++i)
          out.emplace_back("\xEF\xBF\xBD");
      bytes.clear();
    };
    for (std::string &token : tokens) {
      int byte = byteFallbackValue(token);
      if (byte >= 0) {
        bytes.push_back(static_cast<char>(byte));
        continue;
      }
      flushBytes();
      out.push_back(std::move(token));
    }
    flushBytes();
    tokens = std::move(out);
  }
  bool joinsByteTokens() const override { return true; }
};

class FuseDecoder : public Decoder {
public:
  void decodeChain(std::vector<std::string> &tokens) const override {
    std::string text;
    for (const std::string &token : tokens)
      text += token;
    tokens.assign(1, std::move(text));
  }
};

class StripDecoder : public Decoder {
public:
  StripDecoder(uint32_t content, size_t start, size_t stop)
      : content(content), start(start), stop(stop) {}
  void decodeChain(std::vector<std::string> &tokens) const override {
    for (std::string &token : tokens) {
      std::vector<size_t> offsets; // Where each character starts.
      std::vector<uint32_t> codePoints;
      for (size_t pos = 0; pos < token.size();) {
        offsets.push_back(pos);
        codePoints.push_back(decodeUtf8(token, pos));
      }
      size_t count = codePoints.size();
      size_t startCut = 0;
      while (startCut < start && startCut < count &&
             codePoints[startCut] == content)
        ++startCut;
      size_t stopCut = count;
      for (size_t i = 0; i < stop && stopCut > startCut; ++i) {
        if (codePoints[stopCut - 1] != content)
          break;
        --stopCut;
      }
      size_t from = startCut < count ? offsets[startCut] : token.size();
      size_t to = stopCut < count ? offsets[stopCut] : token.size();
      token = token.substr(from, to - from);
    }
  }

private:
  uint32_t content;
  size_t start;
  size_t stop;
};

class ReplaceDecoder : public Decoder {
public:
  ReplaceDecoder(Pattern pattern, std::string content)
      : pattern(std::move(pattern)), content(std::move(content)) {}
  void decodeChain(std::vector<std::string> &tokens) const override {
    for (std::string &token : tokens)
      token = pattern.replaceAll(token, content);
  }

private:
  Pattern pattern;
  std::string content;
};

class BpeSuffixDecoder : public Decoder {
public:
  explicit BpeSuffixDecoder(std::string suffix)
      : suffix(Pattern::literal(std::move(suffix))) {}
  void decodeChain(std::vector<std::string> &tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i)
      tokens[i] =
          suffix.replaceAll(tokens[i], i + 1 == tokens.size() ? "" : " ");
  }

private:
  Pattern suffix;
};

class SequenceDecoder : public Decoder {
public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> decoders)
      : decoders(std::move(decoders)) {}
  void decodeChain(std::vector<std::string> &tokens) const override {
    for (const auto &decoder : decoders)
      decoder->decodeChain(tokens);
  }
  bool joinsByteTokens() const override {
    for (const auto &decoder : decoders)
      if (decoder->joinsByteTokens())
        return true;
    return false;
  }

private:
  std::vector<std::unique_ptr<Decoder>> decoders;
};

} // namespace

std::unique_ptr<Decoder> createByteLevelDecoder() {
  return std::make_unique<ByteLevelDecoder>();
}

std::unique_ptr<Decoder> createMetaspaceDecoder(uint32_t replacement,
                                                PrependScheme scheme) {
  return std::make_unique<MetaspaceDecoder>(replacement, scheme);
}

std::unique_ptr<Decoder> createByteFallbackDecoder() {
  return std::make_unique<ByteFallbackDecoder>();
}

std::unique_ptr<Decoder> createFuseDecoder() {
  return std::make_unique<FuseDecoder>();
}

std::unique_ptr<Decoder> createStripDecoder(uint32_t content, size_t start,
                                            size_t stop) {
  return std::make_unique<StripDecoder>(content, start, stop);
}

std::unique_ptr<Decoder> createReplaceDecoder(Pattern pattern,
                                              std::string content) {
  return std::make_unique<ReplaceDecoder>(std::move(pattern),
                                          std::move(content));
}

std::unique_ptr<Decoder> createBpeSuffixDecoder(std::string suffix) {
  return std::make_unique<BpeSuffixDecoder>(std::move(suffix));
}

std::unique_ptr<Decoder>
createSequenceDecoder(std::vector<std::unique_ptr<Decoder>> decoders) {
  return std::make_unique<SequenceDecoder>(std::move(decoders));
}

} // namespace llmc::tokenizer
