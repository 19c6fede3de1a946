//===- PostProcessor.h - Special tokens around an encoding ------*- C++ -*-===//
//
// The post-processors of tokenizer.json, for a single sequence: they add the
// special tokens a model expects (Llama's BOS) when asked to.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_TOKENIZER_POSTPROCESSOR_H
#define LLMC_RUNTIME_TOKENIZER_POSTPROCESSOR_H

#include <cstdint>
#include <memory>
#include <vector>

namespace llmc::tokenizer {

/// Adds special tokens to the ids of one sequence. Immutable; thread-safe.
class PostProcessor {
public:
  virtual ~PostProcessor();
  /// Rewrites `ids`; adds nothing unless `addSpecialTokens`.
  virtual void process(std::vector<int32_t> &ids,
                       bool addSpecialTokens) const = 0;
};

/// One element of a template: the sequence, or a special token's ids.
struct TemplatePiece {
  bool isSequence = false;
  std::vector<int32_t> ids;
};

/// The "single" template of "TemplateProcessing".
std::unique_ptr<PostProcessor>
createTemplatePostProcessor(std::vector<TemplatePiece> single);
/// `prefix` ids, the sequence, `suffix` ids ("RobertaProcessing",
/// "BertProcessing").
std::unique_ptr<PostProcessor>
createWrapPostProcessor(std::vector<int32_t> prefix,
                        std::vector<int32_t> suffix);
/// Leaves ids as they are ("ByteLevel", which only trims offsets).
std::unique_ptr<PostProcessor> createIdentityPostProcessor();
/// Runs `processors` in order ("Sequence").
std::unique_ptr<PostProcessor> createSequencePostProcessor(
    std::vector<std::unique_ptr<PostProcessor>> processors);

} // namespace llmc::tokenizer

#endif // LLMC_RUNTIME_TOKENIZER_POSTPROCESSOR_H
