//===- FuseNormLinear.cpp - llmc-fuse-norm-linear -------------------------===//

#include "dialects/llm/LlmOps.h"
#include "passes/Passes.h"
#include "passes/fusion/PatternPass.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace llmc {
#define GEN_PASS_DEF_FUSENORMLINEAR
#include "passes/Passes.h.inc"
} // namespace llmc

using namespace mlir;
using namespace llmc;
using namespace llmc::llm;

namespace {

/// Whether a float matrix is `op`'s alone: its only use, and that of every
/// layout op (transpose, reshape, convert) it comes through. The lowering
/// multiplies such a matrix's columns by the norm's weights; a shared one
/// (an LM head tied to the embedding) would need a second copy.
bool ownMatrix(Value weight, Operation *op) {
  if (isa<QuantizedWeightType>(weight.getType()))
    return true; // the kernels multiply by the norm's weights themselves
  Operation *user = op;
  while (true) {
    if (!weight.hasOneUse() || *weight.getUsers().begin() != user)
      return false;
    Operation *def = weight.getDefiningOp();
    if (!def || !isa<TransposeOp, ReshapeOp, ConvertOp>(def))
      return true;
    user = def;
    weight = def->getOperand(0);
  }
}

/// Whether `use` is the input of a linear-family op without a norm yet
/// whose matrices are its own.
bool takesNorm(OpOperand &use) {
  Operation *user = use.getOwner();
  auto free = [&](auto op) {
    return use.get() == op.getInput() && !op.getNormWeight();
  };
  if (auto op = dyn_cast<LinearOp>(user))
    return free(op) && ownMatrix(op.getWeight(), op);
  if (auto op = dyn_cast<LinearGroupOp>(user))
    return free(op) && llvm::all_of(op.getWeights(),
                                    [&](Value w) { return ownMatrix(w, op); });
  if (auto op = dyn_cast<GatedLinearOp>(user))
    return free(op) && ownMatrix(op.getGateWeight(), op) &&
           ownMatrix(op.getUpWeight(), op);
  if (auto op = dyn_cast<LmHeadOp>(user))
    return free(op) && ownMatrix(op.getWeight(), op);
  return false;
}

/// Makes `op` read `input` through the norm's weight and epsilon.
template <typename Op>
void takeNorm(PatternRewriter &rewriter, Op op, RmsNormOp norm) {
  rewriter.modifyOpInPlace(op, [&] {
    op.getInputMutable().assign(norm.getInput());
    op.getNormWeightMutable().assign(norm.getWeight());
    op.setNormEpsilonAttr(norm.getEpsilonAttr());
    op.setNormUnitOffset(norm.getUnitOffset());
  });
}

/// linear-family(rms_norm(x, g)) -> linear-family(x) norm(g), when every
/// user of the norm is the input of such an op.
struct FuseRmsNormIntoLinears : OpRewritePattern<RmsNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(RmsNormOp norm,
                                PatternRewriter &rewriter) const override {
    if (norm->use_empty() || !llvm::all_of(norm->getUses(), takesNorm))
      return rewriter.notifyMatchFailure(norm, "a user is not the input of a "
                                               "linear layer");
    // The users come after the norm, so its operands are defined before
    // them.
    SmallVector<Operation *> users(norm->getUsers());
    for (Operation *user : users) {
      if (auto op = dyn_cast<LinearOp>(user))
        takeNorm(rewriter, op, norm);
      else if (auto op = dyn_cast<LinearGroupOp>(user))
        takeNorm(rewriter, op, norm);
      else if (auto op = dyn_cast<GatedLinearOp>(user))
        takeNorm(rewriter, op, norm);
      else
        takeNorm(rewriter, cast<LmHeadOp>(user), norm);
    }
    rewriter.eraseOp(norm);
    return success();
  }
};

struct FuseNormLinearPass
    : PatternPass<llmc::impl::FuseNormLinearBase<FuseNormLinearPass>,
                  populateFuseNormLinearPatterns> {
  using PatternPass::PatternPass;
};

} // namespace

void llmc::populateFuseNormLinearPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseRmsNormIntoLinears>(patterns.getContext());
}
