//===- RaiseLinear.cpp - linear layers, embeddings, quantized weights -----===//
//
// MatMul or Gemm of an activation by a constant weight, with or without a
// following bias Add, becomes llm.linear; MatMulNBits (ONNX Runtime's 4-bit
// blocks) and DequantizeLinear with a block size feeding a MatMul keep
// their integer weights as !llm.qweight; Gather from a constant table by
// the token ids (or by the positions: learned position embeddings) becomes
// llm.embedding.
//
//===----------------------------------------------------------------------===//

#include "passes/raising/Raiser.h"

#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using llmc::onnx_import::NodeOp;

namespace llmc::raising {
namespace {

/// A weight reinterpreted as `type` without copying its bytes.
Value reinterpret(Raiser &r, Value v, RankedTensorType type, Operation *user) {
  auto c = v.getDefiningOp<onnx_import::ConstantOp>();
  auto resource = c ? dyn_cast<DenseResourceElementsAttr>(c.getValue())
                    : DenseResourceElementsAttr();
  if (!resource) {
    r.error(user) << "expects a packed weight stored as an initializer";
    return nullptr;
  }
  auto attr = DenseResourceElementsAttr::get(type, resource.getRawHandle());
  return r.builder().create<llm::ConstantOp>(c.getLoc(), c.getNameAttr(), attr);
}

/// The [N, K] weight a MatMul by `b` ([K, N]) multiplies with; handles a
/// constant, a Transpose of a constant (tied embeddings) and blocked
/// DequantizeLinear of a constant.
Value matmulWeight(Raiser &r, Value b, Operation *user) {
  OpBuilder &builder = r.builder();
  Location l = user->getLoc();
  if (NodeOp t = Raiser::node(b, "Transpose")) {
    SmallVector<int64_t> perm = Raiser::attrInts(t, "perm");
    if ((perm.empty() || perm == SmallVector<int64_t>{1, 0}) &&
        t.getInputs()[0].getDefiningOp<onnx_import::ConstantOp>())
      return r.weight(t.getInputs()[0], user);
  }
  if (NodeOp dq = Raiser::node(b, "DequantizeLinear")) {
    Value q = dq.getInputs()[0], scales = dq.getInputs()[1];
    Value zp =
        dq.getInputs().size() > 2 && !isa<NoneType>(dq.getInputs()[2].getType())
            ? dq.getInputs()[2]
            : Value();
    auto qType = dyn_cast<RankedTensorType>(q.getType());
    auto sType = dyn_cast<RankedTensorType>(scales.getType());
    int64_t block = Raiser::attrInt(dq, "block_size", 0);
    int64_t axis = Raiser::attrInt(dq, "axis", 1);
    if (!qType || !sType || qType.getRank() != 2 || block <= 0 ||
        (axis != 0 && axis != -2)) {
      r.error(dq) << "expects a [K, N] weight quantized in blocks along K";
      return nullptr;
    }
    int64_t k = qType.getDimSize(0), n = qType.getDimSize(1);
    auto storage = dyn_cast<IntegerType>(qType.getElementType());
    auto scaleType = dyn_cast<FloatType>(sType.getElementType());
    if (!storage || !scaleType || sType.getDimSize(1) != n ||
        sType.getDimSize(0) != (k + block - 1) / block) {
      r.error(dq) << "expects scales of [K / block, N]";
      return nullptr;
    }
    Value values = r.weight(q, dq), s = r.weight(scales, dq);
    if (!values || !s)
      return nullptr;
    values = builder.create<llm::TransposeOp>(
        l, RankedTensorType::get({n, k}, storage), values);
    s = builder.create<llm::TransposeOp>(
        l, RankedTensorType::get({n, sType.getDimSize(0)}, scaleType), s);
    Value z;
    if (zp) {
      z = r.weight(zp, dq);
      if (!z)
        return nullptr;
      z = builder.create<llm::TransposeOp>(
          l, RankedTensorType::get({n, sType.getDimSize(0)}, storage), z);
    } else if (storage.isUnsigned()) {
      r.error(dq) << "expects zero points with unsigned storage";
      return nullptr;
    }
    auto type =
        llm::QuantizedWeightType::get(builder.getContext(), {n, k}, storage,
                                      block, scaleType, static_cast<bool>(z));
    return builder.create<llm::QuantizedWeightOp>(l, type, values, s, z);
  }
  if (!b.getDefiningOp<onnx_import::ConstantOp>() &&
      !Raiser::node(b, "Constant")) {
    r.error(user) << "multiplies by a weight that is not a constant";
    return nullptr;
  }
  auto type = dyn_cast<RankedTensorType>(b.getType());
  if (!type || type.getRank() != 2) {
    r.error(user) << "expects a [K, N] weight";
    return nullptr;
  }
  Value w = r.weight(b, user);
  if (!w)
    return nullptr;
  return builder.create<llm::TransposeOp>(
      l,
      RankedTensorType::get({type.getDimSize(1), type.getDimSize(0)},
                            type.getElementType()),
      w);
}

/// N of a [N, K] weight, plain or quantized.
int64_t weightRows(Value w) {
  if (auto q = dyn_cast<llm::QuantizedWeightType>(w.getType()))
    return q.getN();
  return cast<RankedTensorType>(w.getType()).getDimSize(0);
}

/// Emits llm.linear for `input` (an activation) times `w` plus `bias`,
/// giving the value of `result`.
LogicalResult emitLinear(Raiser &r, Value inputValue, Value w, Value bias,
                         Value result, Operation *user) {
  AValue *x = r.evalAct(inputValue, user);
  if (!x)
    return failure();
  auto xType = cast<RankedTensorType>(x->act.getType());
  if (xType.getRank() != 2) {
    r.error(user) << "multiplies per head ([tokens, heads, dim]) by a weight";
    return failure();
  }
  Value flat = r.tokenMajor(*x, user);
  if (!flat)
    return failure();
  int64_t n = weightRows(w);
  Type et = xType.getElementType();
  Value y = r.builder().create<llm::LinearOp>(
      user->getLoc(), r.tokens({n}, et), flat, w, bias, /*residual=*/Value(),
      /*norm_weight=*/Value(), FloatAttr(), UnitAttr());
  SmallVector<Axis> axes = x->axes;
  r.set(result, r.makeAct(y, axes));
  return success();
}

/// N of a [K, N] weight that isConstantWeight accepts (the MatMul's type
/// may be unknown: TorchScript leaves it out); -1 if not known.
int64_t weightColumns(Value b) {
  if (auto type = dyn_cast<RankedTensorType>(b.getType());
      type && type.getRank() == 2)
    return type.getDimSize(1);
  if (NodeOp t = Raiser::node(b, "Transpose"))
    if (auto type = dyn_cast<RankedTensorType>(t.getInputs()[0].getType());
        type && type.getRank() == 2)
      return type.getDimSize(0);
  return -1;
}

/// Whether `b` is a weight matmulWeight understands.
bool isConstantWeight(Value b) {
  if (b.getDefiningOp<onnx_import::ConstantOp>() || Raiser::node(b, "Constant"))
    return true;
  if (NodeOp t = Raiser::node(b, "Transpose"))
    return t.getInputs()[0].getDefiningOp<onnx_import::ConstantOp>() != nullptr;
  if (NodeOp dq = Raiser::node(b, "DequantizeLinear"))
    return dq.getInputs()[0].getDefiningOp<onnx_import::ConstantOp>() !=
           nullptr;
  return false;
}

FailureOr<bool> raiseMatMul(Raiser &r, NodeOp n) {
  Value a = n.getInputs()[0], bv = n.getInputs()[1];
  if (!isConstantWeight(bv))
    return false;
  Value w = matmulWeight(r, bv, n);
  if (!w)
    return failure();
  if (failed(emitLinear(r, a, w, Value(), n.getOutputs()[0], n)))
    return failure();
  return true;
}

FailureOr<bool> raiseGemm(Raiser &r, NodeOp n) {
  if (Raiser::attrInt(n, "transA", 0) != 0 ||
      Raiser::attrFloat(n, "alpha", 1.0) != 1.0 ||
      Raiser::attrFloat(n, "beta", 1.0) != 1.0) {
    r.error(n) << "expects Gemm without transA, alpha or beta";
    return failure();
  }
  Value bv = n.getInputs()[1];
  Value w;
  if (Raiser::attrInt(n, "transB", 0)) {
    w = r.weight(bv, n);
  } else {
    w = matmulWeight(r, bv, n);
  }
  if (!w)
    return failure();
  Value bias;
  if (n.getInputs().size() > 2 && !isa<NoneType>(n.getInputs()[2].getType())) {
    bias = r.weight(n.getInputs()[2], n);
    if (!bias)
      return failure();
  }
  if (failed(emitLinear(r, n.getInputs()[0], w, bias, n.getOutputs()[0], n)))
    return failure();
  return true;
}

/// Add(MatMul(x, W), b) with a constant [N] bias.
FailureOr<bool> raiseBiasAdd(Raiser &r, NodeOp n) {
  for (int side = 0; side < 2; ++side) {
    Value mm = n.getInputs()[side], bias = n.getInputs()[1 - side];
    NodeOp m = Raiser::node(mm, "MatMul");
    if (!m || !mm.hasOneUse())
      continue;
    if (!bias.getDefiningOp<onnx_import::ConstantOp>())
      continue;
    auto bt = dyn_cast<RankedTensorType>(bias.getType());
    if (!bt || bt.getRank() != 1 || !isConstantWeight(m.getInputs()[1]) ||
        bt.getDimSize(0) != weightColumns(m.getInputs()[1]))
      continue;
    Value w = matmulWeight(r, m.getInputs()[1], m);
    Value b = r.weight(bias, n);
    if (!w || !b)
      return failure();
    if (failed(emitLinear(r, m.getInputs()[0], w, b, n.getOutputs()[0], n)))
      return failure();
    return true;
  }
  return false;
}

FailureOr<bool> raiseMatMulNBits(Raiser &r, NodeOp n) {
  int64_t k = Raiser::attrInt(n, "K", 0), nn = Raiser::attrInt(n, "N", 0);
  int64_t bits = Raiser::attrInt(n, "bits", 4);
  int64_t block = Raiser::attrInt(n, "block_size", 0);
  auto inputs = n.getInputs();
  auto present = [&](unsigned i) {
    return inputs.size() > i && !isa<NoneType>(inputs[i].getType());
  };
  if (bits != 4 && bits != 8) {
    r.error(n) << "expects 4 or 8 bits, got " << bits;
    return failure();
  }
  if (k <= 0 || nn <= 0 || block <= 0 || k % block) {
    r.error(n) << "expects K a multiple of block_size, got K = " << k
               << ", block_size = " << block;
    return failure();
  }
  if (present(4)) {
    r.error(n) << "uses g_idx (act-order), which is not supported";
    return failure();
  }
  int64_t groups = k / block;
  OpBuilder &b = r.builder();
  Location l = n.getLoc();
  auto storage = IntegerType::get(b.getContext(), bits, IntegerType::Unsigned);
  Value values =
      reinterpret(r, inputs[1], RankedTensorType::get({nn, k}, storage), n);
  auto sType = dyn_cast<RankedTensorType>(inputs[2].getType());
  if (!values || !sType || sType.getNumElements() != nn * groups) {
    if (values)
      r.error(n) << "expects " << nn * groups << " scales";
    return failure();
  }
  auto scaleType = cast<FloatType>(sType.getElementType());
  Value scales = r.weight(inputs[2], n);
  if (!scales)
    return failure();
  if (sType.getRank() != 2)
    scales = b.create<llm::ReshapeOp>(
        l, RankedTensorType::get({nn, groups}, scaleType), scales);
  Value zp;
  if (present(3)) {
    auto zType = dyn_cast<RankedTensorType>(inputs[3].getType());
    if (!zType || !zType.getElementType().isInteger(8) ||
        zType.getNumElements() != nn * ((groups * bits + 7) / 8)) {
      r.error(n) << "expects packed uint8 zero points";
      return failure();
    }
    zp = reinterpret(r, inputs[3], RankedTensorType::get({nn, groups}, storage),
                     n);
    if (!zp)
      return failure();
  } else {
    // Without zero points the middle of the range is zero.
    auto zt = RankedTensorType::get({nn, groups}, storage);
    zp = b.create<llm::ConstantOp>(
        l, b.getStringAttr("zero_point." + std::to_string(1 << (bits - 1))),
        DenseElementsAttr::get(zt, APInt(bits, 1ull << (bits - 1))));
  }
  auto type = llm::QuantizedWeightType::get(b.getContext(), {nn, k}, storage,
                                            block, scaleType, true);
  Value w = b.create<llm::QuantizedWeightOp>(l, type, values, scales, zp);
  Value bias;
  if (present(5)) {
    bias = r.weight(inputs[5], n);
    if (!bias)
      return failure();
  }
  if (failed(emitLinear(r, inputs[0], w, bias, n.getOutputs()[0], n)))
    return failure();
  return true;
}

FailureOr<bool> raiseGather(Raiser &r, NodeOp n) {
  Value table = n.getInputs()[0], idx = Raiser::skipCasts(n.getInputs()[1]);
  auto tt = dyn_cast<RankedTensorType>(table.getType());
  if (!tt || tt.getRank() != 2 || Raiser::attrInt(n, "axis", 0) != 0 ||
      !isa<FloatType>(tt.getElementType()))
    return false;
  AValue *tv = r.eval(table);
  AValue *iv = r.eval(idx);
  if (!tv || !iv)
    return failure();
  if (!tv->isHost() || iv->isHost())
    return false;
  Value ids;
  if (r.role(idx) == InputRole::TokenIds) {
    ids = r.tokenIds();
  } else if (r.dependsOnTokens(idx)) {
    // The ids reshaped or cast (GPT-2 views them as [-1, S]).
    Env env{5, 3};
    std::optional<HostTensor> t = r.evalConcrete(idx, env, n);
    if (!t)
      return failure();
    bool isIds = t->size() == env.s;
    for (int64_t k = 0; isIds && k < env.s; ++k)
      isIds = t->asDouble(k) == tokenIdStandIn(k);
    if (!isIds) {
      r.error(n) << "gathers rows by an index computed from the token ids";
      return failure();
    }
    ids = r.tokenIds();
  } else {
    // Learned positions: the index must be each token's position.
    Env env{5, 3};
    std::optional<HostTensor> t = r.evalConcrete(idx, env, n);
    if (!t)
      return failure();
    bool isPositions = t->size() == env.s;
    for (int64_t k = 0; isPositions && k < env.s; ++k)
      isPositions = t->asDouble(k) == env.p + k;
    if (!isPositions) {
      r.error(n) << "gathers rows by an index that is neither the token ids "
                    "nor the positions";
      return failure();
    }
    ids = r.positions();
  }
  Value w = r.weight(table, n);
  if (!w)
    return failure();
  Value e = r.builder().create<llm::EmbeddingOp>(
      n.getLoc(), r.tokens({tt.getDimSize(1)}, tt.getElementType()), w, ids,
      FloatAttr());
  r.set(n.getOutputs()[0], r.makeAct(e, Raiser::tokenAxes(1)));
  return true;
}

} // namespace

void addLinearPatterns(llvm::StringMap<SmallVector<Pattern>> &patterns) {
  patterns["MatMul"].push_back(raiseMatMul);
  patterns["Gemm"].push_back(raiseGemm);
  patterns["Add"].push_back(raiseBiasAdd);
  patterns["MatMulNBits"].push_back(raiseMatMulNBits);
  patterns["Gather"].push_back(raiseGather);
}

} // namespace llmc::raising
