//===- QuantizeWeights.cpp - llmc-quantize-weights ------------------------===//

#include "compiler/lowering/WeightData.h"
#include "dialects/llm/LlmOps.h"
#include "passes/Passes.h"
#include "passes/quantization/Gptq.h"
#include "passes/quantization/RoundToNearest.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace llmc {
#define GEN_PASS_DEF_QUANTIZEWEIGHTS
#include "passes/Passes.h.inc"
} // namespace llmc

using namespace mlir;
using namespace llmc;
using namespace llmc::llm;

namespace {

/// The name of the constant a weight is computed from (through transposes,
/// reshapes and converts), or "".
std::string constantName(Value weight) {
  while (Operation *def = weight.getDefiningOp()) {
    if (auto c = dyn_cast<ConstantOp>(def))
      return c.getName().str();
    if (!isa<TransposeOp, ReshapeOp, ConvertOp>(def))
      break;
    weight = def->getOperand(0);
  }
  return "";
}

struct QuantizeWeightsPass
    : llmc::impl::QuantizeWeightsBase<QuantizeWeightsPass> {
  using Base::Base;
  QuantizeWeightsPass(
      const QuantizeWeightsOptions &options,
      std::shared_ptr<const quantization::LinearStatisticsMap> statistics)
      : Base(options), statistics(std::move(statistics)) {}

  std::shared_ptr<const quantization::LinearStatisticsMap> statistics;

  void runOnOperation() override {
    if (bits != 4 && bits != 8) {
      getOperation().emitError() << "llmc-quantize-weights: bits must be 4 "
                                    "or 8, not "
                                 << unsigned(bits);
      return signalPassFailure();
    }
    if (method != "rtn" && method != "gptq") {
      getOperation().emitError() << "llmc-quantize-weights: method must be "
                                    "rtn or gptq, not '"
                                 << method << "'";
      return signalPassFailure();
    }
    if (method == "gptq" && !statistics) {
      getOperation().emitError() << "llmc-quantize-weights: gptq needs "
                                    "calibration statistics (llmc compile "
                                    "--calib FILE)";
      return signalPassFailure();
    }
    if (group < 0) {
      getOperation().emitError() << "llmc-quantize-weights: negative group";
      return signalPassFailure();
    }
    SmallVector<LinearOp> linears;
    getOperation().walk([&](LinearOp l) { linears.push_back(l); });
    for (LinearOp linear : linears)
      if (failed(quantize(linear)))
        return signalPassFailure();
  }

  LogicalResult quantize(LinearOp linear) {
    Value weight = linear.getWeight();
    auto type = dyn_cast<RankedTensorType>(weight.getType());
    if (!type || !lowering::isWeightValue(weight))
      return success(); // already quantized, or not a constant weight
    std::string name = constantName(weight), node;
    if (auto loc = dyn_cast<NameLoc>(linear.getLoc()))
      node = loc.getName().str();
    for (const std::string &pattern : keep)
      if (!pattern.empty() && (name.find(pattern) != std::string::npos ||
                               node.find(pattern) != std::string::npos))
        return success();
    llvm::Expected<lowering::WeightData> data =
        lowering::evaluateWeight(weight);
    if (!data)
      return linear.emitError() << "cannot quantize its weight: "
                                << llvm::toString(data.takeError());
    if (data->isInteger)
      return linear.emitError() << "has an integer float-typed weight";
    int64_t n = type.getDimSize(0), k = type.getDimSize(1);
    quantization::QuantizedMatrix q;
    if (method == "gptq") {
      auto found = statistics->find(linear);
      if (found == statistics->end() || found->second.k != k)
        return linear.emitError() << "has no calibration statistics for GPTQ";
      llvm::Expected<quantization::QuantizedMatrix> result =
          quantization::gptq(data->floats.data(), n, k, bits, group, symmetric,
                             found->second.gram);
      if (!result)
        return linear.emitError() << llvm::toString(result.takeError());
      q = std::move(*result);
    } else {
      q = quantization::roundToNearest(data->floats.data(), n, k, bits, group,
                                       symmetric);
    }

    MLIRContext *context = &getContext();
    IntegerType storage =
        symmetric ? IntegerType::get(context, bits)
                  : IntegerType::get(context, bits, IntegerType::Unsigned);
    auto ints = [&](ArrayRef<int32_t> values, ArrayRef<int64_t> shape) {
      SmallVector<APInt> bitsOf;
      bitsOf.reserve(values.size());
      for (int32_t v : values)
        bitsOf.push_back(APInt(bits, uint64_t(int64_t(v)), /*isSigned=*/true,
                               /*implicitTrunc=*/true));
      return DenseElementsAttr::get(RankedTensorType::get(shape, storage),
                                    bitsOf);
    };
    OpBuilder b(linear);
    Location loc = linear.getLoc();
    Value values = ConstantOp::create(b, loc, b.getStringAttr(name + ".q"),
                                      ints(q.values, {n, k}));
    auto scaleType = RankedTensorType::get({n, q.groups()}, b.getF32Type());
    Value scales = ConstantOp::create(
        b, loc, b.getStringAttr(name + ".scales"),
        DenseElementsAttr::get(scaleType, ArrayRef<float>(q.scales)));
    Value zeroPoints;
    if (!symmetric)
      zeroPoints =
          ConstantOp::create(b, loc, b.getStringAttr(name + ".zero_points"),
                             ints(q.zeroPoints, {n, q.groups()}));
    auto qtype = QuantizedWeightType::get(context, {n, k}, storage, q.group,
                                          b.getF32Type(), !symmetric);
    Value quantized =
        QuantizedWeightOp::create(b, loc, qtype, values, scales, zeroPoints);
    linear.getWeightMutable().assign(quantized);
    return success();
  }
};

} // namespace

std::unique_ptr<Pass> llmc::createQuantizeWeights(
    const QuantizeWeightsOptions &options,
    std::shared_ptr<const quantization::LinearStatisticsMap> statistics) {
  return std::make_unique<QuantizeWeightsPass>(options, std::move(statistics));
}
