//===- PostProcessor.cpp - Special tokens around an encoding --------------===//

#include "tokenizer/PostProcessor.h"

namespace llmc::tokenizer {

PostProcessor::~PostProcessor() = default;

namespace {

class TemplatePostProcessor : public PostProcessor {
public:
  explicit TemplatePostProcessor(std::vector<TemplatePiece> single)
      : single(std::move(single)) {}
  void process(std::vector<int32_t> &ids,
               bool addSpecialTokens) const override {
    if (!addSpecialTokens)
      return;
    std::vector<int32_t> out;
    out.reserve(ids.size() + single.size());
    for (const TemplatePiece &piece : single) {
      const std::vector<int32_t> &source = piece.isSequence ? ids : piece.ids;
      out.insert(out.end(), source.begin(), source.end());
    }
    ids = std::move(out);
  }

private:
  std::vector<TemplatePiece> single;
};

class WrapPostProcessor : public PostProcessor {
public:
  WrapPostProcessor(std::vector<int32_t> prefix, std::vector<int32_t> suffix)
      : prefix(std::move(prefix)), suffix(std::move(suffix)) {}
  void process(std::vector<int32_t> &ids,
               bool addSpecialTokens) const override {
    if (!addSpecialTokens)
      return;
    ids.insert(ids.begin(), prefix.begin(), prefix.end());
    ids.insert(ids.end(), suffix.begin(), suffix.end());
  }

private:
  std::vector<int32_t> prefix;
  std::vector<int32_t> suffix;
};

class IdentityPostProcessor : public PostProcessor {
public:
  void process(std::vector<int32_t> &, bool) const override {}
};

class SequencePostProcessor : public PostProcessor {
public:
  explicit SequencePostProcessor(
      std::vector<std::unique_ptr<PostProcessor>> processors)
      : processors(std::move(processors)) {}
  void process(std::vector<int32_t> &ids,
               bool addSpecialTokens) const override {
    for (const auto &processor : processors)
      processor->process(ids, addSpecialTokens);
  }

private:
  std::vector<std::unique_ptr<PostProcessor>> processors;
};

} // namespace

std::unique_ptr<PostProcessor>
createTemplatePostProcessor(std::vector<TemplatePiece> single) {
  return std::make_unique<TemplatePostProcessor>(std::move(single));
}

std::unique_ptr<PostProcessor>
createWrapPostProcessor(std::vector<int32_t> prefix,
                        std::vector<int32_t> suffix) {
  return std::make_unique<WrapPostProcessor>(std::move(prefix),
                                             std::move(suffix));
}

std::unique_ptr<PostProcessor> createIdentityPostProcessor() {
  return std::make_unique<IdentityPostProcessor>();
}

std::unique_ptr<PostProcessor> createSequencePostProcessor(
    std::vector<std::unique_ptr<PostProcessor>> processors) {
  return std::make_unique<SequencePostProcessor>(std::move(processors));
}

} // namespace llmc::tokenizer
