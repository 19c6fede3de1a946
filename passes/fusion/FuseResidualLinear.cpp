//===- FuseResidualLinear.cpp - llmc-fuse-residual-linear -----------------===//

#include "dialects/llm/LlmOps.h"
#include "passes/Passes.h"
#include "passes/fusion/PatternPass.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace llmc {
#define GEN_PASS_DEF_FUSERESIDUALLINEAR
#include "passes/Passes.h.inc"
} // namespace llmc

using namespace mlir;
using namespace llmc;
using namespace llmc::llm;

namespace {

/// add(linear(x), r) -> linear(x) residual(r), when the add is the linear's
/// only user and all three have one type.
struct FuseAddIntoLinear : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    for (bool lhs : {true, false}) {
      Value product = lhs ? add.getLhs() : add.getRhs();
      Value residual = lhs ? add.getRhs() : add.getLhs();
      auto linear = product.getDefiningOp<LinearOp>();
      if (!linear || !linear->hasOneUse() || linear.getResidual() ||
          linear.getType() != add.getType() ||
          residual.getType() != add.getType())
        continue;
      // The fused linear takes the add's place: the linear's operands are
      // defined before it, and so is the residual.
      rewriter.setInsertionPoint(add);
      auto fused = LinearOp::create(
          rewriter, linear.getLoc(), linear.getType(), linear.getInput(),
          linear.getWeight(), linear.getBias(), residual,
          linear.getNormWeight(), linear.getNormEpsilonAttr(),
          linear.getNormUnitOffsetAttr());
      rewriter.replaceOp(add, fused.getResult());
      rewriter.eraseOp(linear);
      return success();
    }
    return rewriter.notifyMatchFailure(add, "no operand is a linear layer "
                                            "used only here");
  }
};

struct FuseResidualLinearPass
    : PatternPass<llmc::impl::FuseResidualLinearBase<FuseResidualLinearPass>,
                  populateFuseResidualLinearPatterns> {
  using PatternPass::PatternPass;
};

} // namespace

void llmc::populateFuseResidualLinearPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseAddIntoLinear>(patterns.getContext());
}
