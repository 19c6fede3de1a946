//===- Passes.h - llmc passes -----------------------------------*- C++ -*-===//

#ifndef LLMC_PASSES_PASSES_H
#define LLMC_PASSES_PASSES_H

#include "dialects/llm/LlmDialect.h"
#include "passes/quantization/LinearStatistics.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace llmc {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// Patterns of llmc-fuse-add-rms-norm.
void populateFuseAddRmsNormPatterns(mlir::RewritePatternSet &patterns);
void populateFuseGatedMlpPatterns(mlir::RewritePatternSet &patterns);
void populateFuseRopeAttentionPatterns(mlir::RewritePatternSet &patterns);
void populateFuseResidualLinearPatterns(mlir::RewritePatternSet &patterns);
void populateFuseNormLinearPatterns(mlir::RewritePatternSet &patterns);

/// llmc-quantize-weights with the calibration statistics GPTQ needs.
std::unique_ptr<mlir::Pass> createQuantizeWeights(
    const QuantizeWeightsOptions &options,
    std::shared_ptr<const quantization::LinearStatisticsMap> statistics);

/// registerLLMCPasses() registers every llmc pass (for llmc-opt).
#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace llmc

#endif // LLMC_PASSES_PASSES_H
