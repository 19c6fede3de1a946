//===- QuantizeWeights.cpp - llmc-quantize-weights ------------------------===//

#include "compiler/lowering/WeightData.h"
#include "dialects/llm/LlmOps.h"
#include "passes/Passes.h"
#include "passes/quantization/Awq.h"
#include "passes/quantization/Gptq.h"
#include "passes/quantization/RoundToNearest.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Threading.h"

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
    if (headBits != 0 && headBits != 4 && headBits != 8) {
      getOperation().emitError() << "llmc-quantize-weights: head-bits must "
                                    "be 0, 4 or 8, not "
                                 << unsigned(headBits);
      return signalPassFailure();
    }
    if (headBits == 4 ? headGroup <= 0 : headGroup < 0) {
      getOperation().emitError()
          << "llmc-quantize-weights: head-group must be positive for a 4-bit "
             "LM head (0, a whole row, for an 8-bit one)";
      return signalPassFailure();
    }
    if (method == "awq" && failed(applyAwq()))
      return signalPassFailure();
    if (headBits != 0 && failed(quantizeHeads()))
      return signalPassFailure();
    SmallVector<LinearOp> linears;
    getOperation().walk([&](LinearOp l) {
      if (quantizable(l))
        linears.push_back(l);
    });
    // Batches of layers: their weights read in order, quantized on all
    // threads (the bulk of the work for a large model), then replaced.
    size_t batch = std::max<size_t>(
        8, 2 * getContext().getThreadPool().getMaxConcurrency());
    for (size_t first = 0; first < linears.size(); first += batch) {
      ArrayRef<LinearOp> some =
          ArrayRef<LinearOp>(linears).slice(first).take_front(batch);
      if (failed(quantize(some)))
        return signalPassFailure();
    }
  }

  /// How a weight is quantized: the layers' bits, group and symmetry, or
  /// the LM head's.
  struct Scheme {
    unsigned bits;
    int64_t group;
    bool symmetric;
  };
  Scheme layers() const { return {bits, group, symmetric}; }

  /// The LM heads (head-bits): rounded to nearest, symmetric, head-bits
  /// with head-group. Calibration gathers no statistics for them, and AWQ
  /// leaves the final norm alone. A head that shares its table with the
  /// embedding gets a quantized copy; the embedding keeps the float table.
  LogicalResult quantizeHeads() {
    SmallVector<LmHeadOp> heads;
    getOperation().walk([&](LmHeadOp h) {
      if (isa<RankedTensorType>(h.getWeight().getType()) &&
          lowering::isWeightValue(h.getWeight()))
        heads.push_back(h);
    });
    Scheme head{headBits, headGroup, /*symmetric=*/true};
    for (LmHeadOp h : heads) {
      llvm::Expected<std::vector<float>> w = readWeight(h, h.getWeight());
      if (!w)
        return h.emitError() << llvm::toString(w.takeError());
      auto type = cast<RankedTensorType>(h.getWeight().getType());
      Prepared p;
      p.q = quantization::roundToNearest(w->data(), type.getDimSize(0),
                                         type.getDimSize(1), head.bits,
                                         head.group, head.symmetric);
      p.values = packed(p.q.values, head.bits);
      replaceWeight(h, h.getWeightMutable(), p, head);
    }
    return success();
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
    llvm::Expected<std::vector<float>> w =
        readWeight(linear, linear.getWeight());
    if (!w)
      return linear.emitError() << llvm::toString(w.takeError());
    return std::move(*w);
  }

  /// The values of `op`'s `weight` operand, with the rows AWQ scaled (as
  /// weightOf, but reporting a problem as an error instead of a diagnostic:
  /// it runs on worker threads; reads attributes and rowScales only).
  llvm::Expected<std::vector<float>> readWeight(Operation *op,
                                                Value weight) const {
    llvm::Expected<lowering::WeightData> data =
        lowering::evaluateWeight(weight);
    if (!data)
      return llvm::createStringError("cannot quantize its weight: " +
                                     llvm::toString(data.takeError()));
    if (data->isInteger)
      return llvm::createStringError("has an integer float-typed weight");
    auto found = rowScales.find(op);
    if (found != rowScales.end()) {
      int64_t k = cast<RankedTensorType>(weight.getType()).getDimSize(1);
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

  /// A quantized weight ready to become constants: the matrix, and its
  /// values and zero points packed as blobConstant stores them.
  struct Prepared {
    quantization::QuantizedMatrix q;
    std::vector<char> values, zeroPoints;
    std::string problem;
  };

  /// Quantizes the weights of `linears` (each quantizable) on all threads:
  /// reading, rounding (or GPTQ) and packing; then replaces them in order.
  LogicalResult quantize(ArrayRef<LinearOp> linears) {
    std::vector<const std::vector<double> *> grams(linears.size(), nullptr);
    if (method == "gptq")
      for (size_t i = 0; i < linears.size(); ++i) {
        LinearOp linear = linears[i];
        int64_t k =
            cast<RankedTensorType>(linear.getWeight().getType()).getDimSize(1);
        auto found = statistics->find(linear);
        if (found == statistics->end() || found->second.k != k)
          return linear.emitError() << "has no calibration statistics for GPTQ";
        grams[i] = &found->second.gram;
      }
    std::vector<LinearOp> ops(linears.begin(), linears.end());
    std::vector<Prepared> prepared(linears.size());
    parallelFor(&getContext(), 0, ops.size(), [&](size_t i) {
      Prepared &p = prepared[i];
      auto type = cast<RankedTensorType>(ops[i].getWeight().getType());
      int64_t n = type.getDimSize(0), k = type.getDimSize(1);
      llvm::Expected<std::vector<float>> w =
          readWeight(ops[i], ops[i].getWeight());
      if (!w) {
        p.problem = llvm::toString(w.takeError());
        return;
      }
      if (!grams[i]) {
        p.q = quantization::roundToNearest(w->data(), n, k, bits, group,
                                           symmetric);
      } else {
        llvm::Expected<quantization::QuantizedMatrix> result =
            quantization::gptq(w->data(), n, k, bits, group, symmetric,
                               *grams[i]);
        if (!result) {
          p.problem = llvm::toString(result.takeError());
          return;
        }
        p.q = std::move(*result);
      }
      p.values = packed(p.q.values, bits);
      p.zeroPoints = packed(p.q.zeroPoints, bits);
    });
    for (size_t i = 0; i < ops.size(); ++i) {
      if (!prepared[i].problem.empty())
        return ops[i].emitError() << prepared[i].problem;
      replaceWeight(ops[i], ops[i].getWeightMutable(), prepared[i], layers());
    }
    return success();
  }

  /// Integers as blobConstant stores them (4-bit: two per byte, low nibble
  /// first), or nothing when they are few enough for a dense attribute.
  static std::vector<char> packed(ArrayRef<int32_t> v, unsigned bits) {
    if (v.size() <= kDenseElements)
      return {};
    std::vector<char> bytes(bits == 4 ? (v.size() + 1) / 2 : v.size(), 0);
    for (size_t i = 0; i < v.size(); ++i) {
      uint8_t u = uint8_t(v[i]);
      if (bits == 4)
        bytes[i / 2] = char(uint8_t(bytes[i / 2]) | ((u & 0xF) << (i & 1) * 4));
      else
        bytes[i] = char(u);
    }
    return bytes;
  }

  /// Constants of at most this many elements are dense attributes (readable
  /// in IR dumps and tests); larger ones are resource blobs.
  static constexpr size_t kDenseElements = 4096;

  /// A constant of `type` holding `bytes` (the raw little-endian layout
  /// lowering::decodeRaw reads: 4-bit values two per byte, low nibble
  /// first), kept as a resource blob: large weights are neither uniqued
  /// nor read back one APInt at a time.
  Value blobConstant(OpBuilder &b, Location loc, const std::string &name,
                     RankedTensorType type, ArrayRef<char> bytes) {
    AsmResourceBlob blob =
        HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(uint64_t));
    auto attr = DenseResourceElementsAttr::get(type, name, std::move(blob));
    return ConstantOp::create(b, loc, b.getStringAttr(name), attr);
  }

  /// Makes `q` the weight of `linear` (constants and llm.quantized_weight).
  void replaceWeight(LinearOp linear, const quantization::QuantizedMatrix &q) {
    Prepared p;
    p.q = q;
    p.values = packed(q.values, bits);
    p.zeroPoints = packed(q.zeroPoints, bits);
    replaceWeight(linear, linear.getWeightMutable(), p, layers());
  }

  /// Makes `p` the value of `op`'s `weight` operand, quantized as `scheme`
  /// says.
  void replaceWeight(Operation *op, OpOperand &weight, const Prepared &p,
                     Scheme scheme) {
    const quantization::QuantizedMatrix &q = p.q;
    std::string name = lowering::constantNameOf(weight.get());
    int64_t n = q.n, k = q.k;
    unsigned bits = scheme.bits;
    bool symmetric = scheme.symmetric;
    MLIRContext *context = &getContext();
    IntegerType storage =
        symmetric ? IntegerType::get(context, bits)
                  : IntegerType::get(context, bits, IntegerType::Unsigned);
    OpBuilder b(op);
    Location loc = op->getLoc();
    // Few integers: a dense attribute; more: the bytes packed beforehand.
    auto ints = [&](const std::string &suffix, ArrayRef<int32_t> v,
                    const std::vector<char> &bytes,
                    ArrayRef<int64_t> shape) -> Value {
      auto type = RankedTensorType::get(shape, storage);
      if (v.size() > kDenseElements)
        return blobConstant(b, loc, name + suffix, type, bytes);
      SmallVector<APInt> bitsOf;
      for (int32_t x : v)
        bitsOf.push_back(APInt(bits, uint64_t(int64_t(x)), /*isSigned=*/true,
                               /*implicitTrunc=*/true));
      return ConstantOp::create(b, loc, b.getStringAttr(name + suffix),
                                DenseElementsAttr::get(type, bitsOf));
    };
    Value values = ints(".q", q.values, p.values, {n, k});
    auto scaleType = RankedTensorType::get({n, q.groups()}, b.getF32Type());
    Value scales =
        q.scales.size() <= kDenseElements
            ? Value(ConstantOp::create(
                  b, loc, b.getStringAttr(name + ".scales"),
                  DenseElementsAttr::get(scaleType, ArrayRef<float>(q.scales))))
            : blobConstant(b, loc, name + ".scales", scaleType,
                           ArrayRef<char>(
                               reinterpret_cast<const char *>(q.scales.data()),
                               q.scales.size() * sizeof(float)));
    Value zeroPoints;
    if (!symmetric)
      zeroPoints =
          ints(".zero_points", q.zeroPoints, p.zeroPoints, {n, q.groups()});
    auto qtype = QuantizedWeightType::get(context, {n, k}, storage, q.group,
                                          b.getF32Type(), !symmetric);
    Value quantized =
        QuantizedWeightOp::create(b, loc, qtype, values, scales, zeroPoints);
    weight.assign(quantized);
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
