//===- RaiseNorms.cpp - RMS and layer normalization -----------------------===//
//
// The norm ops of opset 17 to 23 (LayerNormalization, RMSNormalization),
// ONNX Runtime's SimplifiedLayerNormalization and
// SkipSimplifiedLayerNormalization, and RMS norm spelled out as
// x * 1/sqrt(mean(x^2) + eps) * w (with w, 1 + w or no weight), through the
// casts a float16 export puts around it.
//
//===----------------------------------------------------------------------===//

#include "passes/raising/Raiser.h"

using namespace mlir;
using llmc::onnx_import::NodeOp;

namespace llmc::raising {
namespace {

bool lastAxis(NodeOp n, int64_t rank) {
  int64_t axis = Raiser::attrInt(n, "axis", -1);
  return axis == -1 || axis == rank - 1;
}

/// A norm weight in the input's element type.
Value normWeight(Raiser &r, Value w, Type elementType, Operation *user) {
  Value v = r.weight(w, user);
  if (!v)
    return nullptr;
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getElementType() != elementType)
    v = r.builder().create<llm::ConvertOp>(user->getLoc(),
                                           type.clone(elementType), v);
  return v;
}

/// Gives `result` the value `v` in the element type of the ONNX result.
void setResult(Raiser &r, Value result, Value v, ArrayRef<Axis> axes,
               Operation *user) {
  auto resultType = dyn_cast<ShapedType>(result.getType());
  Type want = resultType ? resultType.getElementType() : Type();
  auto type = cast<RankedTensorType>(v.getType());
  if (want && type.getElementType() != want && isa<FloatType>(want))
    v = r.builder().create<llm::ConvertOp>(user->getLoc(), type.clone(want), v);
  r.set(result, r.makeAct(v, axes));
}

/// The input (normalized over its last axis) and the weight, in the
/// input's element type, of a norm op.
LogicalResult normOperands(Raiser &r, NodeOp n, AValue *&x, Value &w) {
  x = r.evalAct(n.getInputs()[0], n);
  if (!x)
    return failure();
  if (!lastAxis(n, x->axes.size()))
    return r.error(n) << "normalizes over an axis other than the last";
  auto type = cast<RankedTensorType>(x->act.getType());
  w = normWeight(r, n.getInputs()[1], type.getElementType(), n);
  return success(w != nullptr);
}

FailureOr<bool> raiseRmsNormOp(Raiser &r, NodeOp n) {
  AValue *x;
  Value w;
  if (failed(normOperands(r, n, x, w)))
    return failure();
  auto type = cast<RankedTensorType>(x->act.getType());
  double eps = Raiser::attrFloat(n, "epsilon", 1e-5);
  Value y = r.builder().create<llm::RmsNormOp>(n.getLoc(), type, x->act, w,
                                               r.builder().getF64FloatAttr(eps),
                                               /*unit_offset=*/nullptr);
  setResult(r, n.getOutputs()[0], y, x->axes, n);
  return true;
}

FailureOr<bool> raiseSkipRmsNorm(Raiser &r, NodeOp n) {
  if (n.getDomain() != "com.microsoft")
    return false;
  auto inputs = n.getInputs();
  if (inputs.size() > 3 && !isa<NoneType>(inputs[3].getType())) {
    r.error(n) << "has a bias input, which is not supported";
    return failure();
  }
  AValue *x = r.evalAct(inputs[0], n);
  AValue *skip = x ? r.evalAct(inputs[1], n) : nullptr;
  if (!skip)
    return failure();
  auto type = cast<RankedTensorType>(x->act.getType());
  if (skip->act.getType() != type) {
    r.error(n) << "adds activations of different types";
    return failure();
  }
  Value w = normWeight(r, inputs[2], type.getElementType(), n);
  if (!w)
    return failure();
  double eps = Raiser::attrFloat(n, "epsilon", 1e-5);
  auto op = r.builder().create<llm::AddRmsNormOp>(
      n.getLoc(), type, type, x->act, skip->act, w,
      r.builder().getF64FloatAttr(eps), /*unit_offset=*/nullptr);
  setResult(r, n.getOutputs()[0], op.getOutput(), x->axes, n);
  for (unsigned k = 1; k < n.getOutputs().size(); ++k)
    r.set(n.getOutputs()[k], AValue());
  if (n.getOutputs().size() > 3)
    setResult(r, n.getOutputs()[3], op.getSum(), x->axes, n);
  return true;
}

FailureOr<bool> raiseLayerNorm(Raiser &r, NodeOp n) {
  AValue *x;
  Value w;
  if (failed(normOperands(r, n, x, w)))
    return failure();
  auto type = cast<RankedTensorType>(x->act.getType());
  Value bias;
  if (n.getInputs().size() > 2 && !isa<NoneType>(n.getInputs()[2].getType())) {
    bias = normWeight(r, n.getInputs()[2], type.getElementType(), n);
    if (!bias)
      return failure();
  }
  double eps = Raiser::attrFloat(n, "epsilon", 1e-5);
  Value y = r.builder().create<llm::LayerNormOp>(
      n.getLoc(), type, x->act, w, bias, r.builder().getF64FloatAttr(eps));
  setResult(r, n.getOutputs()[0], y, x->axes, n);
  for (unsigned k = 1; k < n.getOutputs().size(); ++k)
    r.set(n.getOutputs()[k], AValue());
  return true;
}

/// Whether `v` is mean(x^2) over the last axis of `x`, + eps; sets them.
bool meanSquarePlusEps(Raiser &r, Value v, Value &x, double &eps) {
  NodeOp add = Raiser::node(Raiser::skipCasts(v), "Add");
  if (!add)
    return false;
  for (int side = 0; side < 2; ++side) {
    NodeOp mean = Raiser::node(add.getInputs()[side], "ReduceMean");
    if (!mean)
      continue;
    std::optional<double> e = r.scalar(add.getInputs()[1 - side]);
    std::optional<SmallVector<int64_t>> axes =
        r.intsFromInputOrAttr(mean, 1, "axes");
    if (!e || !axes || axes->size() != 1)
      continue;
    Value sq = mean.getInputs()[0], base;
    if (NodeOp pow = Raiser::node(sq, "Pow")) {
      if (r.scalar(pow.getInputs()[1]) != 2.0)
        continue;
      base = pow.getInputs()[0];
    } else if (NodeOp mul = Raiser::node(sq, "Mul")) {
      if (mul.getInputs()[0] != mul.getInputs()[1])
        continue;
      base = mul.getInputs()[0];
    } else {
      continue;
    }
    if ((*axes)[0] != -1) {
      // TorchScript leaves the residual stream's type unknown: the rank is
      // then that of the activation squared.
      int64_t rank = -1;
      if (auto type = dyn_cast<RankedTensorType>(sq.getType()))
        rank = type.getRank();
      else if (AValue *a = r.eval(base); a && a->shape)
        rank = a->shape->size();
      if ((*axes)[0] != rank - 1)
        continue;
    }
    x = base;
    eps = *e;
    return true;
  }
  return false;
}

/// Whether `v` is x * rsqrt(mean(x^2) + eps) (or x / sqrt(...)); sets x.
bool normalized(Raiser &r, Value v, Value &x, double &eps) {
  v = Raiser::skipCasts(v);
  if (NodeOp div = Raiser::node(v, "Div")) {
    NodeOp sqrt = Raiser::node(div.getInputs()[1], "Sqrt");
    Value inner;
    if (sqrt && meanSquarePlusEps(r, sqrt.getInputs()[0], inner, eps) &&
        Raiser::skipCasts(inner) == Raiser::skipCasts(div.getInputs()[0])) {
      x = div.getInputs()[0];
      return true;
    }
    return false;
  }
  NodeOp mul = Raiser::node(v, "Mul");
  if (!mul)
    return false;
  for (int side = 0; side < 2; ++side) {
    Value rs = Raiser::skipCasts(mul.getInputs()[side]);
    Value sqrtValue;
    if (NodeOp rec = Raiser::node(rs, "Reciprocal"))
      sqrtValue = rec.getInputs()[0];
    else if (NodeOp d = Raiser::node(rs, "Div");
             d && r.scalar(d.getInputs()[0]) == 1.0)
      sqrtValue = d.getInputs()[1];
    NodeOp sqrt = sqrtValue ? Raiser::node(sqrtValue, "Sqrt") : NodeOp();
    Value inner;
    if (sqrt && meanSquarePlusEps(r, sqrt.getInputs()[0], inner, eps) &&
        Raiser::skipCasts(inner) ==
            Raiser::skipCasts(mul.getInputs()[1 - side])) {
      x = mul.getInputs()[1 - side];
      return true;
    }
  }
  return false;
}

/// x * rsqrt(mean(x^2) + eps) * w, rooted at the Mul by w (or, without a
/// weight, at the normalizing Mul or Div itself).
FailureOr<bool> raiseSpelledRmsNorm(Raiser &r, NodeOp n) {
  Value x;
  double eps = 0;
  Value w;
  bool unitOffset = false;
  if (n.getOpType() == "Mul") {
    for (int side = 0; side < 2 && !w; ++side) {
      Value cand = Raiser::skipCasts(n.getInputs()[side]);
      Value other = n.getInputs()[1 - side];
      auto type = dyn_cast<RankedTensorType>(cand.getType());
      if (!type || type.getRank() != 1)
        continue;
      if (NodeOp add = Raiser::node(cand, "Add")) {
        for (int k = 0; k < 2; ++k)
          if (r.scalar(add.getInputs()[k]) == 1.0 &&
              add.getInputs()[1 - k].getDefiningOp<onnx_import::ConstantOp>() &&
              normalized(r, other, x, eps)) {
            w = add.getInputs()[1 - k];
            unitOffset = true;
            break;
          }
      } else if (cand.getDefiningOp<onnx_import::ConstantOp>() &&
                 normalized(r, other, x, eps)) {
        w = cand;
      }
    }
  }
  if (!w)
    return false;
  AValue *xv = r.evalAct(Raiser::skipCasts(x), n);
  if (!xv)
    return failure();
  auto type = cast<RankedTensorType>(xv->act.getType());
  Value wv = normWeight(r, w, type.getElementType(), n);
  if (!wv)
    return failure();
  Value y = r.builder().create<llm::RmsNormOp>(
      n.getLoc(), type, xv->act, wv, r.builder().getF64FloatAttr(eps),
      unitOffset ? r.builder().getUnitAttr() : nullptr);
  setResult(r, n.getOutputs()[0], y, xv->axes, n);
  return true;
}

FailureOr<bool> raiseRmsNormalization(Raiser &r, NodeOp n) {
  if (!n.getDomain().empty() && n.getDomain() != "com.microsoft")
    return false;
  return raiseRmsNormOp(r, n);
}

} // namespace

void addNormPatterns(llvm::StringMap<SmallVector<Pattern>> &patterns) {
  patterns["RMSNormalization"].push_back(raiseRmsNormalization);
  patterns["SimplifiedLayerNormalization"].push_back(raiseRmsNormalization);
  patterns["SkipSimplifiedLayerNormalization"].push_back(raiseSkipRmsNorm);
  patterns["LayerNormalization"].push_back(raiseLayerNorm);
  patterns["Mul"].push_back(raiseSpelledRmsNorm);
}

} // namespace llmc::raising
