//===- FuseGatedMlp.cpp - llmc-fuse-gated-mlp -----------------------------===//

#include "dialects/llm/LlmOps.h"
#include "passes/Passes.h"
#include "passes/fusion/PatternPass.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace llmc {
#define GEN_PASS_DEF_FUSEGATEDMLP
#include "passes/Passes.h.inc"
} // namespace llmc

using namespace mlir;
using namespace llmc;
using namespace llmc::llm;

namespace {

/// A float [N, K] weight, or a quantized one from llm.quantized_weight.
bool isMatrix(Value weight) {
  if (isa<RankedTensorType>(weight.getType()))
    return true;
  return isa<QuantizedWeightType>(weight.getType()) &&
         weight.getDefiningOp<QuantizedWeightOp>();
}

/// glu(act, linear(x, wg), linear(x, wu)) -> gated_linear(act, x, wg, wu).
struct FuseGluOfLinears : OpRewritePattern<GluOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GluOp glu,
                                PatternRewriter &rewriter) const override {
    auto gate = glu.getGate().getDefiningOp<LinearOp>();
    auto up = glu.getUp().getDefiningOp<LinearOp>();
    if (!gate || !up || gate == up)
      return rewriter.notifyMatchFailure(glu, "operands are not two linears");
    if (gate.getInput() != up.getInput())
      return rewriter.notifyMatchFailure(glu, "linears read different inputs");
    if (gate.getBias() || up.getBias())
      return rewriter.notifyMatchFailure(glu, "a linear has a bias");
    if (gate.getResidual() || up.getResidual() || gate.getNormWeight() ||
        up.getNormWeight())
      return rewriter.notifyMatchFailure(glu, "a linear has a fused residual "
                                              "or norm");
    if (!isMatrix(gate.getWeight()) || !isMatrix(up.getWeight()) ||
        gate.getWeight().getType() != up.getWeight().getType())
      return rewriter.notifyMatchFailure(glu, "weights are not matrices of "
                                              "one type");
    if (!gate->hasOneUse() || !up->hasOneUse())
      return rewriter.notifyMatchFailure(glu, "a linear has other users");
    // The glu comes after both linears, so their operands dominate it.
    rewriter.replaceOpWithNewOp<GatedLinearOp>(
        glu, glu.getType(), glu.getActivationAttr(), gate.getInput(),
        gate.getWeight(), up.getWeight(), /*norm_weight=*/Value(), FloatAttr(),
        UnitAttr());
    rewriter.eraseOp(gate);
    rewriter.eraseOp(up);
    return success();
  }
};

struct FuseGatedMlpPass
    : PatternPass<llmc::impl::FuseGatedMlpBase<FuseGatedMlpPass>,
                  populateFuseGatedMlpPatterns> {
  using PatternPass::PatternPass;
};

} // namespace

void llmc::populateFuseGatedMlpPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseGluOfLinears>(patterns.getContext());
}
