//===- PatternPass.h - a pass applying its patterns greedily ----*- C++ -*-===//
//
// The fusion passes made of rewrite patterns share their body: the patterns
// are frozen once per pass instance and applied greedily to the operation.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_PASSES_FUSION_PATTERNPASS_H
#define LLMC_PASSES_FUSION_PATTERNPASS_H

#include "mlir/IR/PatternMatch.h"
#include "mlir/Rewrite/FrozenRewritePatternSet.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace llmc {

/// `Base` is the pass's tablegen base (e.g. impl::FuseAddRmsNormBase<...>);
/// `populate` adds the pass's patterns.
template <typename Base, void (*populate)(mlir::RewritePatternSet &)>
struct PatternPass : Base {
  using Base::Base;

  mlir::LogicalResult initialize(mlir::MLIRContext *context) override {
    mlir::RewritePatternSet set(context);
    populate(set);
    patterns = mlir::FrozenRewritePatternSet(std::move(set));
    return mlir::success();
  }

  void runOnOperation() override {
    if (mlir::failed(
            mlir::applyPatternsGreedily(this->getOperation(), patterns)))
      this->signalPassFailure();
  }

  mlir::FrozenRewritePatternSet patterns;
};

} // namespace llmc

#endif // LLMC_PASSES_FUSION_PATTERNPASS_H
