//===- RaiseAttention.cpp - rotary embedding and attention ----------------===//
//
// Attention as exporters write it: spelled out (MatMul, scale, mask Add,
// Softmax, MatMul, with grouped-query heads repeated by Unsqueeze/Expand/
// Reshape and the cache appended by Concat), as opset 23's Attention, or as
// ONNX Runtime's GroupQueryAttention (rotary inside, packed QKV). Rotary
// embedding spelled out as x * cos + rotate_half(x) * sin, or as opset 23's
// RotaryEmbedding. The cache inputs and outputs disappear: llm.attention
// appends to and reads the runtime's cache of its layer.
//
//===----------------------------------------------------------------------===//

#include "passes/raising/Raiser.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using llmc::onnx_import::NodeOp;

namespace llmc::raising {
namespace {} // namespace

bool isCacheInput(Raiser &r, Value v) {
  // TorchScript passes the cache through a one-input Concat.
  while (NodeOp n = Raiser::node(v))
    if ((n.getOpType() == "Concat" && n.getInputs().size() == 1) ||
        n.getOpType() == "Identity" || n.getOpType() == "Cast")
      v = n.getInputs()[0];
    else
      break;
  std::optional<InputRole> role = r.role(v);
  return role == InputRole::PastKey || role == InputRole::PastValue;
}

namespace {

/// Walks from a key or value operand of attention down to the new tokens'
/// keys or values: through head repeats (Unsqueeze, Expand, Reshape, Tile),
/// transposes, casts, scalar scales (folded into `scale`) and the Concat
/// that appends them to the cache input.
Value newKeysOrValues(Raiser &r, Value v, double &scale) {
  for (int steps = 0; steps < 32; ++steps) {
    if (isCacheInput(r, v))
      return nullptr;
    NodeOp n = Raiser::node(v);
    if (!n || !n.getDomain().empty())
      return v;
    StringRef op = n.getOpType();
    if (op == "Transpose" || op == "Reshape" || op == "Expand" ||
        op == "Unsqueeze" || op == "Squeeze" || op == "Cast" ||
        op == "Identity" || op == "Tile") {
      v = n.getInputs()[0];
      continue;
    }
    if (op == "Mul" || op == "Div") {
      std::optional<double> c = r.scalar(n.getInputs()[1]);
      Value x = n.getInputs()[0];
      if (!c && op == "Mul") {
        c = r.scalar(n.getInputs()[0]);
        x = n.getInputs()[1];
      }
      if (!c || !r.dependsOnTokens(x))
        return v;
      scale *= op == "Mul" ? *c : 1.0 / *c;
      v = x;
      continue;
    }
    if (op == "Concat" && n.getInputs().size() == 2 &&
        isCacheInput(r, n.getInputs()[0])) {
      int64_t axis = Raiser::attrInt(n, "axis", 0);
      if (axis != -2 && axis != r.rank(v) - 2)
        return nullptr;
      return n.getInputs()[1];
    }
    return v;
  }
  return v;
}

/// Strips scalar Mul/Div and casts from a query, folding them into `scale`.
Value scaledQuery(Raiser &r, Value v, double &scale) {
  for (int steps = 0; steps < 8; ++steps) {
    NodeOp n = Raiser::node(v);
    if (!n || !n.getDomain().empty())
      return v;
    StringRef op = n.getOpType();
    if (op == "Cast" || op == "Identity") {
      v = n.getInputs()[0];
      continue;
    }
    if (op != "Mul" && op != "Div")
      return v;
    std::optional<double> c = r.scalar(n.getInputs()[1]);
    Value x = n.getInputs()[0];
    if (!c && op == "Mul") {
      c = r.scalar(n.getInputs()[0]);
      x = n.getInputs()[1];
    }
    if (!c)
      return v;
    scale *= op == "Mul" ? *c : 1.0 / *c;
    v = x;
  }
  return v;
}

/// Emits llm.attention for activations q [T,H,D], k and v [T,Hkv,D].
FailureOr<Value> emitAttention(Raiser &r, Value q, Value k, Value v,
                               double scale, double softcap, int64_t window,
                               Operation *user) {
  auto qt = cast<RankedTensorType>(q.getType());
  auto kt = cast<RankedTensorType>(k.getType());
  if (qt.getRank() != 3 || kt.getRank() != 3 || v.getType() != kt ||
      qt.getDimSize(2) != kt.getDimSize(2) ||
      qt.getDimSize(1) % kt.getDimSize(1)) {
    r.error(user) << "expects query [T, H, D] and key/value [T, Hkv, D] with "
                     "H a multiple of Hkv, got "
                  << qt << ", " << kt << " and " << v.getType();
    return failure();
  }
  if (qt.getElementType() != kt.getElementType()) {
    r.error(user) << "mixes element types in attention";
    return failure();
  }
  FailureOr<int64_t> layer =
      r.addLayer(kt.getDimSize(1), kt.getDimSize(2), kt.getElementType(), user);
  if (failed(layer))
    return failure();
  OpBuilder &b = r.builder();
  return b
      .create<llm::AttentionOp>(
          user->getLoc(), qt, q, k, v, /*positions=*/Value(), /*cos=*/Value(),
          /*sin=*/Value(), b.getI64IntegerAttr(*layer),
          b.getF64FloatAttr(scale),
          window > 0 ? b.getI64IntegerAttr(window) : IntegerAttr(),
          softcap > 0 ? b.getF64FloatAttr(softcap) : FloatAttr(),
          /*rope=*/llm::RopeStyleAttr())
      .getResult();
}

/// An activation operand as [T, heads, dim].
Value heads(Raiser &r, Value operand, int64_t heads, Operation *user) {
  AValue *a = r.evalAct(operand, user);
  if (!a)
    return nullptr;
  return r.headsOf(*a, heads, user);
}

/// Softmax(f(Q K^T) + mask) V, rooted at the last MatMul.
FailureOr<bool> raiseSpelledAttention(Raiser &r, NodeOp n) {
  Value probs = Raiser::skipCasts(n.getInputs()[0]);
  if (NodeOp where = Raiser::node(probs, "Where")) {
    NodeOp isNan = Raiser::node(where.getInputs()[0], "IsNaN");
    if (isNan && isNan.getInputs()[0] == where.getInputs()[2])
      probs = Raiser::skipCasts(where.getInputs()[2]);
  }
  NodeOp softmax = Raiser::node(probs, "Softmax");
  if (!softmax)
    return false;
  int64_t axis = Raiser::attrInt(softmax, "axis", -1);
  auto st = dyn_cast<RankedTensorType>(softmax.getInputs()[0].getType());
  int64_t rank = st ? st.getRank() : 4;
  if (axis != -1 && axis != rank - 1) {
    r.error(softmax) << "expects softmax over the last axis";
    return failure();
  }
  Value scores = Raiser::skipCasts(softmax.getInputs()[0]);
  Value mask;
  if (NodeOp add = Raiser::node(scores, "Add")) {
    for (int side = 0; side < 2; ++side)
      if (!r.dependsOnTokens(add.getInputs()[side]) &&
          r.dependsOnTokens(add.getInputs()[1 - side])) {
        mask = add.getInputs()[side];
        scores = add.getInputs()[1 - side];
        break;
      }
  }
  double scale = 1.0, softcap = 0.0;
  Value qk = Raiser::skipCasts(scores);
  if (!Raiser::node(qk, "MatMul")) {
    Value leaf;
    std::optional<UnaryFunction> f = identifyUnary(r, scores, leaf);
    if (f && f->kind == UnaryFunction::Kind::Softcap &&
        std::abs(f->scale - 1.0) < 1e-3)
      f->scale = 1.0;
    if (!f || !Raiser::node(leaf, "MatMul") ||
        (f->kind != UnaryFunction::Kind::Scale &&
         f->kind != UnaryFunction::Kind::Softcap)) {
      r.error(softmax) << "expects the attention scores to be a scaled (or "
                          "soft-capped) product of queries and keys";
      return failure();
    }
    scale = f->scale;
    softcap = f->kind == UnaryFunction::Kind::Softcap ? f->cap : 0.0;
    qk = leaf;
  }
  NodeOp qkNode = Raiser::node(qk, "MatMul");
  double qkScale = 1.0;
  Value q = scaledQuery(r, qkNode.getInputs()[0], qkScale);
  Value k = newKeysOrValues(r, qkNode.getInputs()[1], qkScale);
  double unused = 1.0;
  Value v = newKeysOrValues(r, n.getInputs()[1], unused);
  if (!k || !v || unused != 1.0) {
    r.error(n) << "expects keys and values that are the new tokens' appended "
                  "to the cache";
    return failure();
  }
  // The Q/K scales come before the scores function, so they multiply its
  // scale; a soft cap applies to the scaled scores, as llm.attention has it.
  scale *= qkScale;
  AValue *qa = r.evalAct(q, n);
  if (!qa)
    return failure();
  Value qh = r.headsOf(*qa, -1, n);
  Value kh = qh ? heads(r, k, -1, n) : nullptr;
  Value vh = kh ? heads(r, v, -1, n) : nullptr;
  if (!vh)
    return failure();
  int64_t window = 0;
  if (!mask) {
    r.error(n) << "expects a causal mask on the attention scores";
    return failure();
  }
  FailureOr<int64_t> w = r.maskWindow(mask, n);
  if (failed(w))
    return failure();
  window = *w;
  FailureOr<Value> out =
      emitAttention(r, qh, kh, vh, scale, softcap, window, n);
  if (failed(out))
    return failure();
  r.set(n.getOutputs()[0], r.makeAct(*out, qa->axes));
  return true;
}

/// Opset 23's Attention.
FailureOr<bool> raiseAttentionOp(Raiser &r, NodeOp n) {
  if (!n.getDomain().empty())
    return false;
  auto in = n.getInputs();
  auto present = [&](unsigned i) {
    return in.size() > i && !isa<NoneType>(in[i].getType());
  };
  int64_t qHeads = Raiser::attrInt(n, "q_num_heads", -1);
  int64_t kvHeads = Raiser::attrInt(n, "kv_num_heads", -1);
  double scale = 1.0;
  Value q = scaledQuery(r, in[0], scale);
  double kScale = 1.0, unused = 1.0;
  Value k = present(4) ? in[1] : newKeysOrValues(r, in[1], kScale);
  Value v = present(5) ? in[2] : newKeysOrValues(r, in[2], unused);
  if (!k || !v) {
    r.error(n) << "expects keys and values of the new tokens";
    return failure();
  }
  AValue *qa = r.evalAct(q, n);
  if (!qa)
    return failure();
  Value qh = r.headsOf(*qa, qHeads, n);
  Value kh = qh ? heads(r, k, kvHeads, n) : nullptr;
  Value vh = kh ? heads(r, v, kvHeads, n) : nullptr;
  if (!vh)
    return failure();
  int64_t dim = cast<RankedTensorType>(qh.getType()).getDimSize(2);
  double attrScale = Raiser::attrFloat(n, "scale", 0.0);
  scale *= kScale * (attrScale > 0 ? attrScale : 1.0 / std::sqrt(double(dim)));
  int64_t window = 0;
  if (present(3)) {
    FailureOr<int64_t> w = r.maskWindow(in[3], n);
    if (failed(w))
      return failure();
    window = *w;
  } else if (!Raiser::attrInt(n, "is_causal", 0)) {
    r.error(n) << "is neither causal nor masked";
    return failure();
  }
  FailureOr<Value> out = emitAttention(
      r, qh, kh, vh, scale, Raiser::attrFloat(n, "softcap", 0.0), window, n);
  if (failed(out))
    return failure();
  if (qa->axes.size() == 3) {
    auto t = cast<RankedTensorType>(out->getType());
    Value flat = r.builder().create<llm::ReshapeOp>(
        n.getLoc(),
        r.tokens({t.getDimSize(1) * t.getDimSize(2)}, t.getElementType()),
        *out);
    r.set(n.getOutputs()[0], r.makeAct(flat, Raiser::tokenAxes(1)));
  } else {
    r.set(n.getOutputs()[0], r.makeAct(*out, qa->axes));
  }
  for (unsigned k = 1; k < n.getOutputs().size(); ++k)
    r.set(n.getOutputs()[k], AValue());
  return true;
}

/// llm.rope on a [T, H, D] activation with tables from cos/sin values.
FailureOr<Value> emitRope(Raiser &r, Value x, Value cos, Value sin,
                          bool interleaved, bool duplicatedHalves,
                          int64_t rotaryDim, Operation *user) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t dim = type.getDimSize(2);
  if (rotaryDim <= 0)
    rotaryDim = dim;
  if (rotaryDim % 2 || rotaryDim > dim) {
    r.error(user) << "has a rotary dim of " << rotaryDim << " for heads of "
                  << dim;
    return failure();
  }
  auto tables = r.ropeTables(cos, sin, rotaryDim / 2, duplicatedHalves, user);
  if (failed(tables))
    return failure();
  return r.builder()
      .create<llm::RopeOp>(user->getLoc(),
                           interleaved ? llm::RopeStyle::interleaved
                                       : llm::RopeStyle::rotate_half,
                           x, r.positions(), tables->first, tables->second)
      .getResult();
}

/// Whether `v` is rotate_half(x): Concat(-x[..., h:], x[..., :h]).
bool isRotateHalf(Raiser &r, Value v, Value x) {
  NodeOp cat = Raiser::node(Raiser::skipCasts(v), "Concat");
  if (!cat || cat.getInputs().size() != 2)
    return false;
  NodeOp neg = Raiser::node(cat.getInputs()[0], "Neg");
  if (!neg)
    return false;
  auto sliceOf = [&](Value s, bool upper) {
    NodeOp sl = Raiser::node(s, "Slice");
    if (!sl || Raiser::skipCasts(sl.getInputs()[0]) != Raiser::skipCasts(x))
      return false;
    std::optional<int64_t> start = r.constantInt(sl.getInputs()[1]);
    return start && (upper ? *start != 0 : *start == 0);
  };
  if (!sliceOf(neg.getInputs()[0], true) || !sliceOf(cat.getInputs()[1], false))
    return false;
  // The rank last: x may need raising to tell it.
  int64_t axis = Raiser::attrInt(cat, "axis", 0);
  return axis == -1 || axis == r.rank(x) - 1;
}

/// The operands of x * cos + rotate_half(x) * sin.
struct SpelledRope {
  Value x, cos, sin;
};

/// Whether the Add `n` is x * cos + rotate_half(x) * sin, with cos and sin
/// computed from the positions.
std::optional<SpelledRope> matchSpelledRope(Raiser &r, NodeOp n) {
  if (!n.getDomain().empty())
    return std::nullopt;
  for (int side = 0; side < 2; ++side) {
    NodeOp a = Raiser::node(n.getInputs()[side], "Mul");
    NodeOp b = Raiser::node(n.getInputs()[1 - side], "Mul");
    if (!a || !b)
      continue;
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) {
        Value x = a.getInputs()[i], cos = a.getInputs()[1 - i];
        Value rot = b.getInputs()[j], sin = b.getInputs()[1 - j];
        if (isRotateHalf(r, rot, x) && !r.dependsOnTokens(cos) &&
            !r.dependsOnTokens(sin))
          return SpelledRope{x, cos, sin};
      }
  }
  return std::nullopt;
}

/// llm.rope of the activation `x` by a spelled-out rotation of its first
/// `rotaryDim` dims (all when -1), giving `result`.
LogicalResult emitSpelledRope(Raiser &r, Value x, const SpelledRope &rope,
                              int64_t rotaryDim, Value result,
                              Operation *user) {
  AValue *xa = r.evalAct(x, user);
  if (!xa)
    return failure();
  Value xh = r.headsOf(*xa, -1, user);
  if (!xh)
    return failure();
  FailureOr<Value> y =
      emitRope(r, xh, rope.cos, rope.sin, false, true, rotaryDim, user);
  if (failed(y))
    return failure();
  r.set(result, r.makeAct(*y, xa->axes));
  return success();
}

/// x * cos + rotate_half(x) * sin, rooted at the Add.
FailureOr<bool> raiseSpelledRope(Raiser &r, NodeOp n) {
  std::optional<SpelledRope> rope = matchSpelledRope(r, n);
  if (!rope)
    return false;
  if (failed(emitSpelledRope(r, rope->x, *rope, -1, n.getOutputs()[0], n)))
    return failure();
  return true;
}

/// The [start, end) a Slice with constant bounds and unit step takes of the
/// last axis of a rank-`rank` value, ends clamped to `dim`.
std::optional<std::pair<int64_t, int64_t>>
lastAxisRange(Raiser &r, NodeOp slice, int64_t rank, int64_t dim) {
  auto in = slice.getInputs();
  auto present = [&](unsigned k) {
    return in.size() > k && !isa<NoneType>(in[k].getType());
  };
  if (!present(2))
    return std::nullopt;
  std::optional<int64_t> start = r.constantInt(in[1]),
                         end = r.constantInt(in[2]);
  std::optional<int64_t> axis = present(3) ? r.constantInt(in[3]) : 0;
  std::optional<int64_t> step = present(4) ? r.constantInt(in[4]) : 1;
  if (!start || !end || !axis || step != 1 ||
      (*axis != -1 && *axis != rank - 1))
    return std::nullopt;
  auto clamp = [&](int64_t i) {
    return std::clamp<int64_t>(i < 0 ? i + dim : i, 0, dim);
  };
  return std::make_pair(clamp(*start), clamp(*end));
}

/// Concat(rope(x[..., :d]), x[..., d:]) along the last axis: rotary
/// embedding of the first d dims of each head (partial rotary, as Hugging
/// Face writes it for Phi and GPT-NeoX). TorchScript's Phi-3 export keeps
/// the split with d the whole head and an empty pass-through part.
FailureOr<bool> raisePartialRope(Raiser &r, NodeOp n) {
  if (!n.getDomain().empty() || n.getInputs().size() != 2)
    return false;
  NodeOp add = Raiser::node(n.getInputs()[0], "Add");
  NodeOp pass = Raiser::node(n.getInputs()[1], "Slice");
  if (!add || !pass)
    return false;
  std::optional<SpelledRope> rope = matchSpelledRope(r, add);
  NodeOp rotated = rope ? Raiser::node(rope->x, "Slice") : NodeOp();
  if (!rotated || rotated.getInputs()[0] != pass.getInputs()[0])
    return false;
  Value x = pass.getInputs()[0];
  AValue *xa = r.eval(x);
  if (!xa)
    return failure();
  if (!xa->isAct() || !xa->shape || !xa->shape->back().isConstant())
    return false;
  int64_t rank = xa->shape->size(), dim = xa->shape->back().c;
  int64_t axis = Raiser::attrInt(n, "axis", 0);
  std::optional<std::pair<int64_t, int64_t>> rot =
      lastAxisRange(r, rotated, rank, dim);
  std::optional<std::pair<int64_t, int64_t>> rest =
      lastAxisRange(r, pass, rank, dim);
  if ((axis != -1 && axis != rank - 1) || !rot || !rest || rot->first != 0 ||
      rest->first != rot->second || rest->second != dim || rot->second == 0)
    return false;
  if (failed(emitSpelledRope(r, x, *rope, rot->second, n.getOutputs()[0], n)))
    return failure();
  return true;
}

/// Opset 23's RotaryEmbedding(X, cos_cache, sin_cache[, position_ids]).
FailureOr<bool> raiseRotaryEmbedding(Raiser &r, NodeOp n) {
  if (!n.getDomain().empty())
    return false;
  auto in = n.getInputs();
  AValue *xa = r.evalAct(in[0], n);
  if (!xa)
    return failure();
  int64_t numHeads = Raiser::attrInt(n, "num_heads", -1);
  Value xh = r.headsOf(*xa, numHeads, n);
  if (!xh)
    return failure();
  if (in.size() > 3 && !isa<NoneType>(in[3].getType()) &&
      r.role(Raiser::skipCasts(in[3])) != InputRole::Positions) {
    r.error(n) << "expects position_ids to be the graph's positions";
    return failure();
  }
  FailureOr<Value> y =
      emitRope(r, xh, in[1], in[2], Raiser::attrInt(n, "interleaved", 0), false,
               Raiser::attrInt(n, "rotary_embedding_dim", 0), n);
  if (failed(y))
    return failure();
  if (cast<RankedTensorType>(xa->act.getType()).getRank() == 2) {
    auto t = cast<RankedTensorType>(xa->act.getType());
    Value flat = r.builder().create<llm::ReshapeOp>(n.getLoc(), t, *y);
    r.set(n.getOutputs()[0], r.makeAct(flat, xa->axes));
  } else {
    r.set(n.getOutputs()[0], r.makeAct(*y, xa->axes));
  }
  return true;
}

/// ONNX Runtime's GroupQueryAttention, rotary inside when do_rotary.
FailureOr<bool> raiseGroupQueryAttention(Raiser &r, NodeOp n) {
  if (n.getDomain() != "com.microsoft")
    return false;
  auto in = n.getInputs();
  auto present = [&](unsigned i) {
    return in.size() > i && !isa<NoneType>(in[i].getType());
  };
  int64_t h = Raiser::attrInt(n, "num_heads", 0);
  int64_t hkv = Raiser::attrInt(n, "kv_num_heads", 0);
  if (h <= 0 || hkv <= 0) {
    r.error(n) << "expects num_heads and kv_num_heads";
    return failure();
  }
  if (present(9) || present(10)) {
    r.error(n) << "uses position_ids or attention_bias, which are not "
                  "supported";
    return failure();
  }
  AValue *qa = r.evalAct(in[0], n);
  if (!qa)
    return failure();
  Value qflat = r.tokenMajor(*qa, n);
  if (!qflat)
    return failure();
  OpBuilder &b = r.builder();
  Location l = n.getLoc();
  auto qt = cast<RankedTensorType>(qflat.getType());
  Type et = qt.getElementType();
  Value q, k, v;
  int64_t dim;
  if (!present(1)) {
    int64_t total = qt.getDimSize(1);
    dim = total / (h + 2 * hkv);
    auto part = [&](int64_t offset, int64_t heads) -> Value {
      Value s = b.create<llm::SliceOp>(l, r.tokens({heads * dim}, et), qflat,
                                       b.getI64IntegerAttr(offset),
                                       b.getI64IntegerAttr(heads * dim));
      return b.create<llm::ReshapeOp>(l, r.tokens({heads, dim}, et), s);
    };
    q = part(0, h);
    k = part(h * dim, hkv);
    v = part((h + hkv) * dim, hkv);
  } else {
    q = r.headsOf(*qa, h, n);
    k = q ? heads(r, in[1], hkv, n) : nullptr;
    v = k ? heads(r, in[2], hkv, n) : nullptr;
    if (!v)
      return failure();
    dim = cast<RankedTensorType>(q.getType()).getDimSize(2);
  }
  if (Raiser::attrInt(n, "do_rotary", 0)) {
    bool interleaved = Raiser::attrInt(n, "rotary_interleaved", 0);
    auto ct = dyn_cast<RankedTensorType>(in[7].getType());
    int64_t rotary = ct && ct.getRank() == 2 ? 2 * ct.getDimSize(1) : dim;
    FailureOr<Value> qr =
        emitRope(r, q, in[7], in[8], interleaved, false, rotary, n);
    if (failed(qr))
      return failure();
    FailureOr<Value> kr =
        emitRope(r, k, in[7], in[8], interleaved, false, rotary, n);
    if (failed(kr))
      return failure();
    q = *qr;
    k = *kr;
  }
  double scale = Raiser::attrFloat(n, "scale", 0.0);
  if (scale <= 0)
    scale = 1.0 / std::sqrt(double(dim));
  int64_t window = Raiser::attrInt(n, "local_window_size", -1);
  FailureOr<Value> out =
      emitAttention(r, q, k, v, scale, Raiser::attrFloat(n, "softcap", 0.0),
                    window > 0 ? window : 0, n);
  if (failed(out))
    return failure();
  Value flat = b.create<llm::ReshapeOp>(l, r.tokens({h * dim}, et), *out);
  r.set(n.getOutputs()[0], r.makeAct(flat, Raiser::tokenAxes(1)));
  for (unsigned i = 1; i < n.getOutputs().size(); ++i)
    r.set(n.getOutputs()[i], AValue());
  return true;
}

} // namespace

void addAttentionPatterns(llvm::StringMap<SmallVector<Pattern>> &patterns) {
  patterns["MatMul"].insert(patterns["MatMul"].begin(), raiseSpelledAttention);
  patterns["Attention"].push_back(raiseAttentionOp);
  patterns["GroupQueryAttention"].push_back(raiseGroupQueryAttention);
  patterns["RotaryEmbedding"].push_back(raiseRotaryEmbedding);
  patterns["Add"].push_back(raiseSpelledRope);
  patterns["Concat"].push_back(raisePartialRope);
}

} // namespace llmc::raising
