//===- QuantizeWeights.cpp - llmc-quantize-weights ------------------------===//

#include "compiler/lowering/WeightData.h"
#include "dialects/llm/LlmOps.h"
#include "passes/Passes.h"
#include "passes/quantization/Awq.h"
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
    if (method != "rtn" && method != "gptq" && method != "awq") {
      getOperation().emitError() << "llmc-quantize-weights: method must be "
                                    "rtn, awq or gptq, not '"
                                 << method << "'";
      return signalPassFailure();
    }
    if (method != "rtn" && !statistics) {
      getOperation().emitError() << "llmc-quantize-weights: " << method
                                 << " needs calibration statistics (llmc "
                                    "compile --calib FILE)";
      return signalPassFailure();
    }
    if (group < 0) {
      getOperation().emitError() << "llmc-quantize-weights: negative group";
      return signalPassFailure();
    }
    if (method == "awq" && failed(applyAwq()))
      return signalPassFailure();
    SmallVector<LinearOp> linears;
    getOperation().walk([&](LinearOp l) { linears.push_back(l); });
    for (LinearOp linear : linears)
      if (failed(quantize(linear)))
        return signalPassFailure();
  }

  /// Whether `linear` has a float weight that is neither kept nor computed
  /// from anything but constants.
  bool quantizable(LinearOp linear) {
    Value weight = linear.getWeight();
    if (!isa<RankedTensorType>(weight.getType()) ||
        !lowering::isWeightValue(weight))
      return false;
    std::string name = lowering::constantNameOf(weight), node;
    if (auto loc = dyn_cast<NameLoc>(linear.getLoc()))
      node = loc.getName().str();
    for (const std::string &pattern : keep)
      if (!pattern.empty() && (name.find(pattern) != std::string::npos ||
                               node.find(pattern) != std::string::npos))
        return false;
    return true;
  }

  /// The weight's values, [N, K], with the rows AWQ scaled (rowScales).
  FailureOr<std::vector<float>> weightOf(LinearOp linear) {
    llvm::Expected<lowering::WeightData> data =
        lowering::evaluateWeight(linear.getWeight());
    if (!data)
      return linear.emitError() << "cannot quantize its weight: "
                                << llvm::toString(data.takeError());
    if (data->isInteger)
      return linear.emitError() << "has an integer float-typed weight";
    auto found = rowScales.find(linear);
    if (found != rowScales.end()) {
      int64_t k =
          cast<RankedTensorType>(linear.getWeight().getType()).getDimSize(1);
      for (size_t i = 0; i < data->floats.size(); ++i)
        data->floats[i] *= found->second[i / size_t(k)];
    }
    return std::move(data->floats);
  }

  /// AWQ (methods = awq): each group of linear layers that read one RMS
  /// norm's output, and each down projection that reads a GLU, gets input
  /// channel scales searched on the calibration statistics; the weights are
  /// quantized scaled up, and the norm's weight (or the up projection's
  /// rows) scaled down. The down projections go first, since they scale
  /// the up projections' rows. Other linear layers are rounded to nearest.
  LogicalResult applyAwq() {
    SmallVector<GluOp> glus;
    SmallVector<RmsNormOp> norms;
    getOperation().walk([&](Operation *op) {
      if (auto g = dyn_cast<GluOp>(op))
        glus.push_back(g);
      else if (auto n = dyn_cast<RmsNormOp>(op))
        norms.push_back(n);
    });
    for (GluOp glu : glus) {
      auto up = glu.getUp().getDefiningOp<LinearOp>();
      if (!glu->hasOneUse() || !up || !quantizable(up) || !up->hasOneUse())
        continue;
      auto down = dyn_cast<LinearOp>(*glu->getUsers().begin());
      if (!down || down.getInput() != glu.getResult() || !quantizable(down))
        continue;
      FailureOr<std::vector<float>> s = scaleGroup({down});
      if (failed(s))
        return failure();
      std::vector<float> inverse(s->size());
      for (size_t i = 0; i < s->size(); ++i)
        inverse[i] = 1.0f / (*s)[i];
      rowScales[up] = std::move(inverse);
    }
    for (RmsNormOp norm : norms) {
      SmallVector<LinearOp> readers;
      bool all = !norm->use_empty();
      for (Operation *user : norm->getUsers()) {
        auto l = dyn_cast<LinearOp>(user);
        all = all && l && l.getInput() == norm.getResult() && quantizable(l);
        if (l)
          readers.push_back(l);
      }
      if (!all || !lowering::isWeightValue(norm.getWeight()))
        continue;
      FailureOr<std::vector<float>> s = scaleGroup(readers);
      if (failed(s))
        return failure();
      if (failed(foldIntoNorm(norm, *s)))
        return failure();
    }
    return success();
  }

  /// Searches one group's scales, quantizes its members scaled and returns
  /// the scales (the input must be divided by them).
  FailureOr<std::vector<float>> scaleGroup(SmallVector<LinearOp> members) {
    LinearOp first = members.front();
    auto found = statistics->find(first);
    int64_t k =
        cast<RankedTensorType>(first.getWeight().getType()).getDimSize(1);
    if (found == statistics->end() || found->second.k != k)
      return first.emitError() << "has no calibration statistics for AWQ";
    std::vector<std::vector<float>> weights;
    std::vector<quantization::AwqMember> awqMembers;
    for (LinearOp l : members) {
      FailureOr<std::vector<float>> w = weightOf(l);
      if (failed(w))
        return failure();
      weights.push_back(std::move(*w));
    }
    for (size_t i = 0; i < members.size(); ++i)
      awqMembers.push_back(
          {weights[i].data(),
           cast<RankedTensorType>(members[i].getWeight().getType())
               .getDimSize(0)});
    quantization::AwqResult result =
        quantization::awq(awqMembers, k, bits, group, symmetric,
                          found->second.gram, found->second.rows);
    for (size_t i = 0; i < members.size(); ++i)
      replaceWeight(members[i], result.quantized[i]);
    return result.scales;
  }

  /// norm(x) * w / s: the norm's weight divided by the scales (Gemma's
  /// unit offset: 1 + w' = (1 + w) / s).
  LogicalResult foldIntoNorm(RmsNormOp norm, ArrayRef<float> s) {
    llvm::Expected<lowering::WeightData> data =
        lowering::evaluateWeight(norm.getWeight());
    if (!data || data->isInteger || data->floats.size() != s.size()) {
      if (!data)
        llvm::consumeError(data.takeError());
      return norm.emitError() << "cannot fold AWQ scales into its weight";
    }
    auto type = cast<RankedTensorType>(norm.getWeight().getType());
    auto element = cast<FloatType>(type.getElementType());
    SmallVector<APFloat> values;
    for (size_t i = 0; i < s.size(); ++i) {
      float w = data->floats[i];
      float v = norm.getUnitOffset() ? (1.0f + w) / s[i] - 1.0f : w / s[i];
      APFloat f(v);
      bool lost = false;
      f.convert(element.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &lost);
      values.push_back(f);
    }
    OpBuilder b(norm);
    Value folded = ConstantOp::create(
        b, norm.getLoc(),
        b.getStringAttr(lowering::constantNameOf(norm.getWeight()) + ".awq"),
        DenseElementsAttr::get(type, values));
    norm.getWeightMutable().assign(folded);
    return success();
  }

  LogicalResult quantize(LinearOp linear) {
    if (!quantizable(linear))
      return success(); // already quantized, kept, or not a constant weight
    auto type = cast<RankedTensorType>(linear.getWeight().getType());
    FailureOr<std::vector<float>> w = weightOf(linear);
    if (failed(w))
      return failure();
    int64_t n = type.getDimSize(0), k = type.getDimSize(1);
    quantization::QuantizedMatrix q;
    if (method == "gptq") {
      auto found = statistics->find(linear);
      if (found == statistics->end() || found->second.k != k)
        return linear.emitError() << "has no calibration statistics for GPTQ";
      llvm::Expected<quantization::QuantizedMatrix> result = quantization::gptq(
          w->data(), n, k, bits, group, symmetric, found->second.gram);
      if (!result)
        return linear.emitError() << llvm::toString(result.takeError());
      q = std::move(*result);
    } else {
      q = quantization::roundToNearest(w->data(), n, k, bits, group, symmetric);
    }
    replaceWeight(linear, q);
    return success();
  }

  /// Makes `q` the weight of `linear` (constants and llm.quantized_weight).
  void replaceWeight(LinearOp linear, const quantization::QuantizedMatrix &q) {
    std::string name = lowering::constantNameOf(linear.getWeight());
    int64_t n = q.n, k = q.k;
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
  }

  /// Row multipliers of linear layers whose output AWQ scaled down (the up
  /// projections before a scaled down projection).
  std::map<Operation *, std::vector<float>> rowScales;
};

} // namespace

std::unique_ptr<Pass> llmc::createQuantizeWeights(
    const QuantizeWeightsOptions &options,
    std::shared_ptr<const quantization::LinearStatisticsMap> statistics) {
  return std::make_unique<QuantizeWeightsPass>(options, std::move(statistics));
}
