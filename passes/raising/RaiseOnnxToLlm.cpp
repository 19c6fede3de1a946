//===- RaiseOnnxToLlm.cpp - the llmc-raise-onnx pass ----------------------===//

#include "passes/Passes.h"
#include "passes/raising/Raiser.h"

#include "dialects/llm/LlmAttrs.h"
#include "dialects/llm/LlmDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace llmc {
#define GEN_PASS_DEF_RAISEONNXTOLLM
#include "passes/Passes.h.inc"
} // namespace llmc

using namespace mlir;
using llmc::onnx_import::NodeOp;

namespace llmc::raising {

LogicalResult Raiser::run() {
  ModuleOp module = main->getParentOfType<ModuleOp>();
  MLIRContext *ctx = main.getContext();
  // The logits output; the others must be the cache's present.* outputs.
  auto ret = cast<func::ReturnOp>(main.getBody().front().getTerminator());
  Value logits;
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    auto name = main.getResultAttrOfType<StringAttr>(i, "onnx.name");
    StringRef n = name ? name.getValue() : "";
    if (n == "logits" || (!logits && i == 0 && !n.starts_with("present")))
      logits = v;
    else if (!n.starts_with("present"))
      return main.emitError() << "graph output '" << n
                              << "' is neither the logits nor a present.N "
                                 "cache output";
  }
  if (!logits)
    return main.emitError() << "graph has no logits output";

  b.setInsertionPoint(main);
  auto i64s = RankedTensorType::get({ShapedType::kDynamic}, b.getI64Type());
  auto forward = b.create<func::FuncOp>(main.getLoc(), "forward",
                                        b.getFunctionType({i64s, i64s}, {}));
  Block *entry = forward.addEntryBlock();
  ids = entry->getArgument(0);
  pos = entry->getArgument(1);
  forward.setArgAttr(0, "llm.name", b.getStringAttr("token_ids"));
  forward.setArgAttr(1, "llm.name", b.getStringAttr("positions"));
  b.setInsertionPointToStart(entry);

  AValue *out = eval(logits);
  if (!out || hadError)
    return failure();
  if (!out->isAct())
    return main.emitError() << "the logits do not depend on the tokens";
  Value result = tokenMajor(*out, ret);
  if (!result)
    return failure();
  // The last projection is the lm_head, its widening cast folded in.
  Type logitsType = result.getType();
  Value head = result;
  if (auto convert = head.getDefiningOp<llm::ConvertOp>())
    head = convert.getInput();
  if (auto linear = head.getDefiningOp<llm::LinearOp>()) {
    if (!linear.getBias())
      result = b.create<llm::LmHeadOp>(
          linear.getLoc(), logitsType, linear.getInput(), linear.getWeight(),
          /*norm_weight=*/Value(), FloatAttr(), FloatAttr(), UnitAttr());
  } else if (auto lmHead = head.getDefiningOp<llm::LmHeadOp>()) {
    result = b.create<llm::LmHeadOp>(
        lmHead.getLoc(), logitsType, lmHead.getInput(), lmHead.getWeight(),
        /*norm_weight=*/Value(), lmHead.getSoftcapAttr(), FloatAttr(),
        UnitAttr());
  }
  if (!result.getDefiningOp<llm::LmHeadOp>())
    return main.emitError() << "the logits are not a projection of the "
                               "hidden states";
  b.create<func::ReturnOp>(ret.getLoc(), result);
  forward.setFunctionType(b.getFunctionType({i64s, i64s}, {logitsType}));
  forward.setResultAttr(0, "llm.name", b.getStringAttr("logits"));
  if (layers == 0)
    return main.emitError() << "found no attention layer";
  module->setAttr(llm::LlmDialect::getKvCacheAttrName(),
                  llm::KvCacheAttr::get(ctx, layers, kvHeads, headDim, kvType));
  main.erase();
  // Nothing import-level stays: the ONNX provenance attributes go too.
  for (NamedAttribute attr : llvm::to_vector(module->getAttrs()))
    if (attr.getName().getValue().starts_with("onnx."))
      module->removeAttr(attr.getName());
  return success();
}

namespace {

/// llm.mul(act(gate), up) with a silu or gelu that has no other use.
struct FormGlu : OpRewritePattern<llm::MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(llm::MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (int side = 0; side < 2; ++side) {
      Value act = mul->getOperand(side), up = mul->getOperand(1 - side);
      if (!act.hasOneUse())
        continue;
      std::optional<llm::GateActivation> kind;
      Value gate;
      if (auto silu = act.getDefiningOp<llm::SiluOp>()) {
        kind = llm::GateActivation::silu;
        gate = silu.getInput();
      } else if (auto gelu = act.getDefiningOp<llm::GeluOp>()) {
        kind = gelu.getApproximation() == llm::GeluApproximation::tanh
                   ? llm::GateActivation::gelu_tanh
                   : llm::GateActivation::gelu_erf;
        gate = gelu.getInput();
      }
      if (!kind)
        continue;
      rewriter.replaceOpWithNewOp<llm::GluOp>(mul, mul.getType(), *kind, gate,
                                              up);
      return success();
    }
    return failure();
  }
};

struct RaiseOnnxToLlmPass : llmc::impl::RaiseOnnxToLlmBase<RaiseOnnxToLlmPass> {
  using RaiseOnnxToLlmBase::RaiseOnnxToLlmBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main) {
      module.emitError() << "expects the imported graph as func.func @main";
      return signalPassFailure();
    }
    if (maxPositions < 16) {
      module.emitError() << "expects max-positions of at least 16, got "
                         << maxPositions;
      return signalPassFailure();
    }
    Raiser raiser(main, RaiseOptions{maxPositions});
    if (failed(raiser.run()))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    patterns.add<FormGlu>(&getContext());
    for (auto *dialect : getContext().getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : getContext().getRegisteredOperations())
      if (op.getDialectNamespace() == "llm")
        op.getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(module, std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace llmc::raising
