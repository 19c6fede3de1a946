//===- FuseAddRmsNorm.cpp - llmc-fuse-add-rms-norm ------------------------===//

#include "dialects/llm/LlmOps.h"
#include "passes/Passes.h"
#include "passes/fusion/Availability.h"
#include "passes/fusion/PatternPass.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace llmc {
#define GEN_PASS_DEF_FUSEADDRMSNORM
#include "passes/Passes.h.inc"
} // namespace llmc

using namespace mlir;
using namespace llmc;
using namespace llmc::llm;

namespace {

/// rms_norm(add(a, b)) -> add_rms_norm(a, b); the add's other uses take the
/// fused op's sum.
struct FuseAddIntoRmsNorm : OpRewritePattern<RmsNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(RmsNormOp norm,
                                PatternRewriter &rewriter) const override {
    auto add = norm.getInput().getDefiningOp<AddOp>();
    if (!add)
      return rewriter.notifyMatchFailure(norm, "input is not an llm.add");
    // The fused op takes the add's place, since the add dominates all the
    // users of the sum; the norm's weight must be available there too.
    Value weight = norm.getWeight();
    if (!isAvailableAt(weight, add))
      return rewriter.notifyMatchFailure(norm, "weight defined after the add");

    rewriter.setInsertionPoint(add);
    auto fused = AddRmsNormOp::create(
        rewriter, norm.getLoc(), add.getType(), add.getType(), add.getLhs(),
        add.getRhs(), weight, norm.getEpsilonAttr(), norm.getUnitOffsetAttr());
    rewriter.replaceOp(norm, fused.getOutput());
    rewriter.replaceOp(add, fused.getSum());
    return success();
  }
};

struct FuseAddRmsNormPass
    : PatternPass<llmc::impl::FuseAddRmsNormBase<FuseAddRmsNormPass>,
                  populateFuseAddRmsNormPatterns> {
  using PatternPass::PatternPass;
};

} // namespace

void llmc::populateFuseAddRmsNormPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseAddIntoRmsNorm>(patterns.getContext());
}
