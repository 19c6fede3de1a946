//===- FuseRopeAttention.cpp - llmc-fuse-rope-attention -------------------===//

#include "dialects/llm/LlmOps.h"
#include "passes/Passes.h"
#include "passes/fusion/PatternPass.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace llmc {
#define GEN_PASS_DEF_FUSEROPEATTENTION
#include "passes/Passes.h.inc"
} // namespace llmc

using namespace mlir;
using namespace llmc;
using namespace llmc::llm;

namespace {

/// attention(rope(q), rope(k), v) -> attention(q, k, v) rope(...), when both
/// ropes rotate the whole head by the same positions and tables in the
/// same style and the attention is their only user.
struct FuseRopeIntoAttention : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp attention,
                                PatternRewriter &rewriter) const override {
    if (attention.getRope())
      return rewriter.notifyMatchFailure(attention, "already rotates");
    auto q = attention.getQuery().getDefiningOp<RopeOp>();
    auto k = attention.getKey().getDefiningOp<RopeOp>();
    if (!q || !k)
      return rewriter.notifyMatchFailure(attention,
                                         "query or key is not an llm.rope");
    if (q.getPositions() != k.getPositions() || q.getCos() != k.getCos() ||
        q.getSin() != k.getSin() || q.getStyle() != k.getStyle())
      return rewriter.notifyMatchFailure(attention,
                                         "query and key rotate differently");
    if (!q->hasOneUse() || !k->hasOneUse() || q == k)
      return rewriter.notifyMatchFailure(attention,
                                         "a rotated value has other users");
    // Partial rotary (tables narrower than half the head) stays unfused.
    int64_t headDim = attention.getQuery().getType().getDimSize(2);
    if (cast<RankedTensorType>(q.getCos().getType()).getDimSize(1) * 2 !=
        headDim)
      return rewriter.notifyMatchFailure(attention, "partial rotary");

    rewriter.modifyOpInPlace(attention, [&] {
      attention.getQueryMutable().assign(q.getInput());
      attention.getKeyMutable().assign(k.getInput());
      attention.getPositionsMutable().assign(q.getPositions());
      attention.getCosMutable().assign(q.getCos());
      attention.getSinMutable().assign(q.getSin());
      attention.setRopeAttr(q.getStyleAttr());
    });
    rewriter.eraseOp(q);
    rewriter.eraseOp(k);
    return success();
  }
};

struct FuseRopeAttentionPass
    : PatternPass<llmc::impl::FuseRopeAttentionBase<FuseRopeAttentionPass>,
                  populateFuseRopeAttentionPatterns> {
  using PatternPass::PatternPass;
};

} // namespace

void llmc::populateFuseRopeAttentionPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseRopeIntoAttention>(patterns.getContext());
}
