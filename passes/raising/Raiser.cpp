//===- Raiser.cpp - raising an imported ONNX graph to llm ops -------------===//

#include "passes/raising/Raiser.h"

#include "passes/raising/HostEval.h"

#include "dialects/llm/LlmAttrs.h"
#include "dialects/llm/LlmDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Regex.h"

using namespace mlir;
using llmc::onnx_import::NodeOp;

namespace llmc::raising {

namespace {
/// Largest constant read into host memory for shape and mask arithmetic.
constexpr int64_t kMaxHostElements = int64_t(1) << 22;

SmallVector<Affine> constShape(ArrayRef<int64_t> shape) {
  SmallVector<Affine> out;
  for (int64_t d : shape)
    out.push_back(Affine::constant(d));
  return out;
}

std::string shapeText(ArrayRef<Affine> shape) {
  std::string text = "[";
  for (size_t k = 0; k < shape.size(); ++k)
    text += (k ? ", " : "") + shape[k].str();
  return text + "]";
}
} // namespace

Raiser::Raiser(func::FuncOp main, RaiseOptions options)
    : main(main), opts(options), b(main.getContext()) {
  addNormPatterns(patterns);
  addLinearPatterns(patterns);
  addAttentionPatterns(patterns);
  addActivationPatterns(patterns);
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

NodeOp Raiser::node(Value v, StringRef opType) {
  auto n = v.getDefiningOp<NodeOp>();
  if (!n || (!opType.empty() && n.getOpType() != opType))
    return nullptr;
  return n;
}

Value Raiser::skipCasts(Value v) {
  while (NodeOp n = node(v))
    if ((n.getOpType() == "Cast" || n.getOpType() == "Identity") &&
        n.getDomain().empty())
      v = n.getInputs()[0];
    else
      break;
  return v;
}

int64_t Raiser::rank(Value v) {
  if (auto type = dyn_cast<RankedTensorType>(v.getType()))
    return type.getRank();
  AValue *a = eval(v);
  return a && a->shape ? static_cast<int64_t>(a->shape->size()) : -1;
}

int64_t Raiser::attrInt(NodeOp n, StringRef name, int64_t fallback) {
  if (auto attrs = n.getAttrs())
    if (auto a = attrs->getAs<IntegerAttr>(name))
      return a.getInt();
  return fallback;
}

double Raiser::attrFloat(NodeOp n, StringRef name, double fallback) {
  if (auto attrs = n.getAttrs()) {
    if (auto a = attrs->getAs<FloatAttr>(name))
      return a.getValueAsDouble();
    if (auto a = attrs->getAs<IntegerAttr>(name))
      return static_cast<double>(a.getInt());
  }
  return fallback;
}

SmallVector<int64_t> Raiser::attrInts(NodeOp n, StringRef name) {
  SmallVector<int64_t> out;
  if (auto attrs = n.getAttrs())
    if (auto a = attrs->getAs<ArrayAttr>(name))
      for (Attribute e : a)
        if (auto i = dyn_cast<IntegerAttr>(e))
          out.push_back(i.getInt());
  return out;
}

std::optional<SmallVector<int64_t>>
Raiser::intsFromInputOrAttr(NodeOp n, unsigned input, StringRef attr) {
  auto inputs = n.getInputs();
  if (inputs.size() <= input || isa<NoneType>(inputs[input].getType()))
    return attrInts(n, attr);
  const HostTensor *t = hostData(inputs[input]);
  if (!t || !t->isConstant())
    return std::nullopt;
  SmallVector<int64_t> out;
  for (int64_t k = 0; k < t->size(); ++k)
    out.push_back(t->isFloat() ? static_cast<int64_t>(t->f[k]) : t->i[k].c);
  return out;
}

InFlightDiagnostic Raiser::error(Operation *op) {
  hadError = true;
  InFlightDiagnostic diag = op->emitError();
  if (auto n = dyn_cast<NodeOp>(op))
    diag << "node '" << n.getName() << "' (" << n.getOpType() << "): ";
  return diag;
}

RankedTensorType Raiser::tokens(ArrayRef<int64_t> features, Type elementType) {
  SmallVector<int64_t> shape{ShapedType::kDynamic};
  shape.append(features.begin(), features.end());
  return RankedTensorType::get(shape, elementType);
}

SmallVector<Axis> Raiser::tokenAxes(int64_t features) {
  SmallVector<Axis> axes{{AxisKind::Unit}, {AxisKind::Token}};
  for (int64_t f = 0; f < features; ++f)
    axes.push_back({AxisKind::Feature, f});
  return axes;
}

AValue Raiser::makeAct(Value act, ArrayRef<Axis> axes) {
  AValue v;
  v.kind = AValue::Kind::Act;
  v.act = act;
  v.axes.assign(axes.begin(), axes.end());
  auto type = cast<RankedTensorType>(act.getType());
  v.elementType = type.getElementType();
  SmallVector<Affine> shape;
  for (const Axis &a : axes)
    shape.push_back(a.kind == AxisKind::Unit ? Affine::constant(1)
                    : a.kind == AxisKind::Token
                        ? Affine{0, 1, 0}
                        : Affine::constant(type.getDimSize(a.feature + 1)));
  v.shape = shape;
  return v;
}

void Raiser::set(Value v, AValue value) {
  values[v] = std::make_unique<AValue>(std::move(value));
}

std::optional<InputRole> Raiser::role(Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg || arg.getOwner()->getParentOp() != main.getOperation())
    return std::nullopt;
  auto name =
      main.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "onnx.name");
  if (!name)
    return std::nullopt;
  StringRef n = name.getValue();
  if (n == "input_ids")
    return InputRole::TokenIds;
  if (n == "position_ids")
    return InputRole::Positions;
  if (n == "attention_mask")
    return InputRole::AttentionMask;
  llvm::Regex past("^past_key_values[._]([0-9]+)[._](key|value)$");
  SmallVector<StringRef> m;
  if (past.match(n, &m))
    return m[2] == "key" ? InputRole::PastKey : InputRole::PastValue;
  return std::nullopt;
}

bool Raiser::dependsOnTokens(Value v) {
  auto it = tokenDependent.find(v);
  if (it != tokenDependent.end())
    return it->second;
  tokenDependent[v] = false; // no cycles in a graph; guards recursion
  bool result = false;
  if (isa<BlockArgument>(v)) {
    result = role(v) == InputRole::TokenIds;
  } else if (NodeOp n = node(v)) {
    if (n.getOpType() != "Shape" && n.getOpType() != "Size")
      for (Value operand : n.getInputs())
        if (dependsOnTokens(operand)) {
          result = true;
          break;
        }
  }
  tokenDependent[v] = result;
  return result;
}

//===----------------------------------------------------------------------===//
// Evaluation
//===----------------------------------------------------------------------===//

AValue *Raiser::eval(Value v) {
  auto it = values.find(v);
  if (it != values.end())
    return it->second.get();
  if (hadError)
    return nullptr;
  if (auto arg = dyn_cast<BlockArgument>(v))
    return evalInput(arg);
  Operation *def = v.getDefiningOp();
  if (auto c = dyn_cast<onnx_import::ConstantOp>(def)) {
    AValue out;
    out.kind = AValue::Kind::Host;
    out.constant = def;
    auto type = cast<ShapedType>(c.getType());
    out.elementType = type.getElementType();
    out.shape = constShape(type.getShape());
    set(v, std::move(out));
    return values[v].get();
  }
  if (auto n = dyn_cast<NodeOp>(def))
    return evalNode(n, v);
  if (isa<onnx_import::NoneOp>(def)) {
    set(v, AValue());
    return values[v].get();
  }
  error(def) << "cannot raise this op";
  return nullptr;
}

AValue *Raiser::evalInput(BlockArgument arg) {
  auto type = dyn_cast<RankedTensorType>(arg.getType());
  std::optional<InputRole> r = role(arg);
  if (!type || !r) {
    auto name =
        main.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "onnx.name");
    hadError = true;
    main.emitError() << "graph input '" << (name ? name.getValue() : "?")
                     << "' is not one of input_ids, position_ids, "
                        "attention_mask, past_key_values.N.key/value";
    return nullptr;
  }
  AValue out;
  out.kind = AValue::Kind::Opaque;
  out.elementType = type.getElementType();
  Affine S{0, 1, 0}, P{0, 0, 1}, one = Affine::constant(1);
  switch (*r) {
  case InputRole::TokenIds:
  case InputRole::Positions:
    out.shape = SmallVector<Affine>{one, S};
    break;
  case InputRole::AttentionMask:
    out.shape = SmallVector<Affine>{one, S + P};
    break;
  case InputRole::PastKey:
  case InputRole::PastValue:
    if (type.getRank() != 4 || type.isDynamicDim(1) || type.isDynamicDim(3)) {
      hadError = true;
      main.emitError() << "expects past key/value inputs of shape [batch, "
                          "kv_heads, past, head_dim], got "
                       << type;
      return nullptr;
    }
    out.shape = SmallVector<Affine>{one, Affine::constant(type.getDimSize(1)),
                                    P, Affine::constant(type.getDimSize(3))};
    if (*r == InputRole::PastKey)
      pastType = type.getElementType();
    break;
  }
  set(arg, std::move(out));
  return values[arg].get();
}

AValue *Raiser::evalAct(Value v, Operation *user) {
  AValue *a = eval(v);
  if (!a)
    return nullptr;
  if (!a->isAct()) {
    error(user) << "expects an activation as input, got "
                << (a->isHost() ? "a constant"
                                : "a value computed from "
                                  "positions or the mask");
    return nullptr;
  }
  return a;
}

const HostTensor *Raiser::hostData(Value v) {
  AValue *a = eval(v);
  if (!a || !a->isHost())
    return nullptr;
  if (!a->host) {
    auto c = dyn_cast_or_null<onnx_import::ConstantOp>(a->constant);
    if (!c)
      return nullptr;
    std::optional<HostTensor> t =
        hostTensorFromAttr(c.getValue(), kMaxHostElements);
    if (!t)
      return nullptr;
    a->host = std::make_shared<HostTensor>(std::move(*t));
  }
  return a->host.get();
}

std::optional<double> Raiser::scalar(Value v) {
  // Patterns ask this of operands that may be activations: those are not
  // worked out here, only values that can be constants.
  if (dependsOnTokens(v))
    return std::nullopt;
  const HostTensor *t = hostData(v);
  if (!t)
    return std::nullopt;
  return t->uniformValue();
}

std::optional<int64_t> Raiser::constantInt(Value v) {
  const HostTensor *t = hostData(v);
  if (!t || t->size() != 1 || !t->isConstant())
    return std::nullopt;
  return t->isFloat() ? static_cast<int64_t>(t->f[0]) : t->i[0].c;
}

AValue *Raiser::evalNode(NodeOp n, Value v) {
  auto it = patterns.find(n.getOpType());
  if (it != patterns.end()) {
    for (Pattern &pattern : it->second) {
      FailureOr<bool> matched = pattern(*this, n);
      if (hadError || failed(matched))
        return nullptr;
      if (*matched) {
        auto found = values.find(v);
        if (found == values.end()) {
          error(n) << "a pattern matched but gave no value for result "
                   << cast<OpResult>(v).getResultNumber();
          return nullptr;
        }
        return found->second.get();
      }
    }
  }
  if (llvm::failed(evalGeneric(n)))
    return nullptr;
  return values[v].get();
}

LogicalResult Raiser::evalGeneric(NodeOp n) {
  SmallVector<AValue *> in;
  bool anyAct = false, allHost = true;
  for (Value operand : n.getInputs()) {
    AValue *a = eval(operand);
    if (!a)
      return failure();
    in.push_back(a);
    bool none = isa<NoneType>(operand.getType());
    anyAct |= a->isAct();
    allHost &= a->isHost() || none;
  }
  if (!n.getDomain().empty() && n.getDomain() != "ai.onnx")
    return error(n) << "no pattern raises this op of domain '" << n.getDomain()
                    << "'";
  StringRef op = n.getOpType();
  std::string why = "it depends on the token values";
  // Shape only needs the operand's shape, which every kind may know. An
  // opaque value whose ops left its shape unknown (TorchScript takes the
  // shape of the rotary tables) gets one by evaluating it for a few lengths.
  if (op == "Shape" && !in[0]->shape && in[0]->isOpaque())
    in[0]->shape = fitShape(n.getInputs()[0]);
  if (op == "Shape" && in[0]->shape) {
    const auto &shape = *in[0]->shape;
    int64_t rank = shape.size();
    auto [start, end] =
        shapeOpRange(rank, attrInt(n, "start", 0), attrInt(n, "end", rank));
    std::vector<Affine> dims(shape.begin() + start, shape.begin() + end);
    AValue out;
    out.kind = AValue::Kind::Host;
    out.elementType = b.getI64Type();
    out.host = std::make_shared<HostTensor>(
        HostTensor::ints(b.getI64Type(), {end - start}, std::move(dims)));
    out.shape = constShape(out.host->shape);
    set(n.getOutputs()[0], std::move(out));
    return success();
  }
  // The cache with the new keys or values appended: only its shape is
  // needed (attention patterns look through it).
  if (op == "Concat" && in.size() == 2 &&
      isCacheInput(*this, n.getInputs()[0]) && in[1]->isAct() && in[0]->shape) {
    int64_t rank = in[1]->shape->size();
    int64_t axis = attrInt(n, "axis", 0);
    if (axis < 0)
      axis += rank;
    AValue out;
    out.kind = AValue::Kind::Opaque;
    out.elementType = in[1]->elementType;
    SmallVector<Affine> shape = *in[1]->shape;
    if (axis >= 0 && axis < rank && (int64_t)in[0]->shape->size() == rank) {
      shape[axis] = (*in[0]->shape)[axis] + (*in[1]->shape)[axis];
      out.shape = shape;
    }
    set(n.getOutputs()[0], std::move(out));
    return success();
  }
  if (anyAct)
    return evalActOp(n, in);
  if (allHost) {
    SmallVector<const HostTensor *> data;
    bool ok = true;
    for (auto [operand, a] : llvm::zip(n.getInputs(), in)) {
      if (isa<NoneType>(operand.getType())) {
        data.push_back(nullptr);
        continue;
      }
      const HostTensor *t = hostData(operand);
      ok &= t != nullptr;
      data.push_back(t);
    }
    if (!ok)
      return error(n) << "reads a constant too large to evaluate at compile "
                         "time outside a recognized pattern";
    SmallVector<Type> resultTypes;
    for (Value r : n.getOutputs())
      resultTypes.push_back(isa<ShapedType>(r.getType())
                                ? cast<ShapedType>(r.getType()).getElementType()
                                : r.getType());
    if (op == "Constant") {
      auto attrs = n.getAttrs();
      Attribute value = attrs ? attrs->get("value") : Attribute();
      std::optional<HostTensor> t;
      if (auto e = dyn_cast_or_null<ElementsAttr>(value))
        t = hostTensorFromAttr(e, kMaxHostElements);
      else if (attrs && attrs->get("value_int"))
        t = HostTensor::ints(b.getI64Type(), {},
                             {Affine::constant(attrInt(n, "value_int", 0))});
      else if (attrs && attrs->get("value_ints")) {
        std::vector<Affine> v;
        for (int64_t x : attrInts(n, "value_ints"))
          v.push_back(Affine::constant(x));
        int64_t size = v.size();
        t = HostTensor::ints(b.getI64Type(), {size}, std::move(v));
      } else if (attrs && attrs->get("value_float"))
        t = HostTensor::floats(b.getF32Type(), {},
                               {attrFloat(n, "value_float", 0)});
      if (!t)
        return error(n) << "has a value raising cannot read";
      AValue out;
      out.kind = AValue::Kind::Host;
      out.elementType = t->elementType;
      out.shape = constShape(t->shape);
      out.host = std::make_shared<HostTensor>(std::move(*t));
      set(n.getOutputs()[0], std::move(out));
      return success();
    }
    std::optional<SmallVector<HostTensor>> results =
        evalHostOp(op, n.getAttrs() ? *n.getAttrs() : DictionaryAttr(),
                   n.getOpset(), data, resultTypes, why);
    if (results) {
      for (auto [r, t] : llvm::zip(n.getOutputs(), *results)) {
        AValue out;
        out.kind = AValue::Kind::Host;
        out.elementType = t.elementType;
        out.shape = constShape(t.shape);
        out.host = std::make_shared<HostTensor>(std::move(t));
        set(r, std::move(out));
      }
      return success();
    }
  }
  // Computed from positions, the mask or symbolic lengths: kept opaque, with
  // its shape where the op makes it plain.
  for (Value r : n.getOutputs()) {
    AValue out;
    out.kind = AValue::Kind::Opaque;
    if (auto st = dyn_cast<ShapedType>(r.getType()))
      out.elementType = st.getElementType();
    static const StringRef sameShape[] = {
        "Cast",  "Identity", "Neg",        "Not", "Cos",    "Sin",
        "IsNaN", "Sqrt",     "Reciprocal", "Exp", "Softmax"};
    if (llvm::is_contained(sameShape, op) && in[0]->shape)
      out.shape = in[0]->shape;
    set(r, std::move(out));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Concrete evaluation
//===----------------------------------------------------------------------===//

std::optional<SmallVector<Affine>> Raiser::fitShape(Value v) {
  // Three pairs of lengths fix c + s*S + p*P for each dim; a fourth checks.
  static const Env envs[] = {{2, 3}, {3, 3}, {2, 5}, {5, 8}};
  SmallVector<SmallVector<int64_t>> shapes;
  for (const Env &env : envs) {
    DenseMap<Value, HostTensor> memo;
    std::string why;
    std::optional<HostTensor> t = concrete(v, env, memo, why);
    if (!t || (!shapes.empty() && t->shape.size() != shapes[0].size()))
      return std::nullopt;
    shapes.push_back(t->shape);
  }
  SmallVector<Affine> shape;
  for (size_t d = 0; d < shapes[0].size(); ++d) {
    int64_t s = shapes[1][d] - shapes[0][d];
    int64_t twoP = shapes[2][d] - shapes[0][d];
    if (twoP % 2)
      return std::nullopt;
    Affine dim{shapes[0][d] - 2 * s - 3 * (twoP / 2), s, twoP / 2};
    if (dim.at(envs[3].s, envs[3].p) != shapes[3][d])
      return std::nullopt;
    shape.push_back(dim);
  }
  return shape;
}

std::optional<HostTensor> Raiser::evalConcrete(Value v, const Env &env,
                                               Operation *user) {
  DenseMap<Value, HostTensor> memo;
  std::string why;
  std::optional<HostTensor> t = concrete(v, env, memo, why);
  if (!t)
    error(user) << "cannot evaluate a mask or rotary input at compile time: "
                << why;
  return t;
}

std::optional<HostTensor> Raiser::concrete(Value v, const Env &env,
                                           DenseMap<Value, HostTensor> &memo,
                                           std::string &why) {
  auto it = memo.find(v);
  if (it != memo.end())
    return it->second;
  auto remember = [&](HostTensor t) {
    memo[v] = t;
    return std::optional<HostTensor>(std::move(t));
  };
  if (std::optional<InputRole> r = role(v)) {
    auto type = cast<RankedTensorType>(v.getType());
    Type et = type.getElementType();
    std::vector<Affine> ints;
    switch (*r) {
    case InputRole::TokenIds:
      // Distinct stand-in ids, so a pattern can check that an index is them.
      for (int64_t k = 0; k < env.s; ++k)
        ints.push_back(Affine::constant(tokenIdStandIn(k)));
      return remember(HostTensor::ints(et, {1, env.s}, ints));
    case InputRole::Positions:
      for (int64_t k = 0; k < env.s; ++k)
        ints.push_back(Affine::constant(env.p + k));
      return remember(HostTensor::ints(et, {1, env.s}, ints));
    case InputRole::AttentionMask:
      if (isa<FloatType>(et))
        return remember(HostTensor::floats(
            et, {1, env.s + env.p}, std::vector<double>(env.s + env.p, 1.0)));
      return remember(HostTensor::ints(
          et, {1, env.s + env.p},
          std::vector<Affine>(env.s + env.p, Affine::constant(1))));
    case InputRole::PastKey:
    case InputRole::PastValue: {
      HostTensor t;
      t.kind = HostTensor::Kind::Float;
      t.elementType = et;
      t.shape = {1, type.getDimSize(1), env.p, type.getDimSize(3)};
      t.shapeOnly = true;
      return remember(std::move(t));
    }
    }
  }
  if (isa<BlockArgument>(v)) {
    why = "it reads a graph input that is not a position or mask";
    return std::nullopt;
  }
  Operation *def = v.getDefiningOp();
  if (isa<onnx_import::ConstantOp>(def)) {
    const HostTensor *t = hostData(v);
    if (!t) {
      why = "it reads a large constant";
      return std::nullopt;
    }
    return remember(*t);
  }
  auto n = dyn_cast<NodeOp>(def);
  if (!n) {
    why = "it reads an op that is not an ONNX node";
    return std::nullopt;
  }
  if (n.getOpType() == "Constant") {
    const HostTensor *t = hostData(v);
    if (!t) {
      why = "a Constant node it reads cannot be read";
      return std::nullopt;
    }
    return remember(*t);
  }
  // The shape of an activation, from its symbolic shape at these lengths.
  // A value of the token ids without one (the ids reshaped) is evaluated
  // below with stand-in ids.
  AValue *shaped = nullptr;
  if (n.getOpType() == "Shape" && dependsOnTokens(n.getInputs()[0])) {
    shaped = eval(n.getInputs()[0]);
    if (!shaped) {
      why = "the value whose shape node '" + n.getName().str() +
            "' takes did not raise";
      return std::nullopt;
    }
  }
  if (shaped && shaped->shape) {
    AValue *a = shaped;
    int64_t rank = a->shape->size();
    auto [start, end] =
        shapeOpRange(rank, attrInt(n, "start", 0), attrInt(n, "end", rank));
    std::vector<Affine> dims;
    for (int64_t d = start; d < end; ++d)
      dims.push_back(Affine::constant((*a->shape)[d].at(env.s, env.p)));
    return remember(HostTensor::ints(b.getI64Type(), {end - start}, dims));
  }
  if (n.getOpType() == "Gather")
    if (std::optional<InputRole> r = role(n.getInputs()[1]))
      if (*r == InputRole::TokenIds && !isa<BlockArgument>(n.getInputs()[0])) {
        why =
            "it depends on the token values (node '" + n.getName().str() + "')";
        return std::nullopt;
      }
  SmallVector<HostTensor> data;
  data.reserve(n.getInputs().size());
  SmallVector<const HostTensor *> ptrs;
  for (Value operand : n.getInputs()) {
    if (isa<NoneType>(operand.getType())) {
      data.emplace_back();
      continue;
    }
    std::optional<HostTensor> t = concrete(operand, env, memo, why);
    if (!t)
      return std::nullopt;
    data.push_back(std::move(*t));
  }
  // No-op nodes pass a shape-only cache input through.
  StringRef opType = n.getOpType();
  if ((opType == "Identity" || opType == "Cast" ||
       (opType == "Concat" && data.size() == 1)) &&
      data[0].shapeOnly)
    return remember(data[0]);
  for (auto [operand, t] : llvm::zip(n.getInputs(), data))
    ptrs.push_back(isa<NoneType>(operand.getType()) ? nullptr : &t);
  SmallVector<Type> resultTypes;
  for (Value r : n.getOutputs())
    resultTypes.push_back(isa<ShapedType>(r.getType())
                              ? cast<ShapedType>(r.getType()).getElementType()
                              : r.getType());
  std::optional<SmallVector<HostTensor>> results =
      evalHostOp(n.getOpType(), n.getAttrs() ? *n.getAttrs() : DictionaryAttr(),
                 n.getOpset(), ptrs, resultTypes, why);
  if (!results) {
    why = "node '" + n.getName().str() + "' (" + n.getOpType().str() +
          "): " + why;
    return std::nullopt;
  }
  for (auto [r, t] : llvm::zip(n.getOutputs(), *results)) {
    memo[r] = t;
  }
  return memo[v];
}

//===----------------------------------------------------------------------===//
// Constants and layouts
//===----------------------------------------------------------------------===//

Value Raiser::weight(Value v, Operation *user) {
  AValue *a = eval(v);
  if (!a)
    return nullptr;
  if (!a->isHost()) {
    error(user) << "expects a constant weight";
    return nullptr;
  }
  if (auto c = dyn_cast_or_null<onnx_import::ConstantOp>(a->constant)) {
    auto op =
        b.create<llm::ConstantOp>(c.getLoc(), c.getNameAttr(), c.getValue());
    return op.getResult();
  }
  const HostTensor *t = hostData(v);
  if (!t) {
    error(user) << "cannot read a constant";
    return nullptr;
  }
  return constant(*t, a->elementType, "");
}

Value Raiser::constant(const HostTensor &tensor, Type elementType,
                       StringRef name) {
  std::string label =
      name.empty() ? "const" + std::to_string(constantCount++) : name.str();
  DenseElementsAttr attr = hostTensorToAttr(tensor, elementType);
  return b.create<llm::ConstantOp>(b.getUnknownLoc(), b.getStringAttr(label),
                                   attr);
}

Value Raiser::tokenMajor(const AValue &value, Operation *user) {
  // Units first, then the token axis, then features in order.
  bool seenToken = false;
  int64_t next = 0;
  for (const Axis &a : value.axes) {
    if (a.kind == AxisKind::Unit)
      continue;
    if (a.kind == AxisKind::Token) {
      seenToken = true;
      continue;
    }
    if (!seenToken || a.feature != next) {
      error(user) << "expects an activation laid out as [batch, tokens, "
                     "features], got axes that transpose tokens and features";
      return nullptr;
    }
    ++next;
  }
  auto type = cast<RankedTensorType>(value.act.getType());
  if (type.getRank() == 2)
    return value.act;
  int64_t features = 1;
  for (int64_t d : type.getShape().drop_front())
    features *= d;
  return b.create<llm::ReshapeOp>(
      loc(user), tokens({features}, type.getElementType()), value.act);
}

Value Raiser::headsOf(const AValue &value, int64_t heads, Operation *user) {
  auto type = cast<RankedTensorType>(value.act.getType());
  SmallVector<Axis> nonUnit;
  for (const Axis &a : value.axes)
    if (a.kind != AxisKind::Unit)
      nonUnit.push_back(a);
  if (type.getRank() == 3) {
    // [T, H, D] under [1, T, H, D] or [1, H, T, D].
    bool ok = nonUnit.size() == 3 &&
              ((nonUnit[0].kind == AxisKind::Token && nonUnit[1].feature == 0 &&
                nonUnit[2].feature == 1) ||
               (nonUnit[1].kind == AxisKind::Token && nonUnit[0].feature == 0 &&
                nonUnit[2].feature == 1));
    if (!ok) {
      error(user) << "expects heads laid out as [batch, tokens, heads, dim] "
                     "or [batch, heads, tokens, dim]";
      return nullptr;
    }
    return value.act;
  }
  Value flat = tokenMajor(value, user);
  if (!flat)
    return nullptr;
  auto flatType = cast<RankedTensorType>(flat.getType());
  int64_t features = flatType.getDimSize(1);
  if (heads <= 0 || features % heads) {
    error(user) << "cannot split " << features << " features into " << heads
                << " heads";
    return nullptr;
  }
  return b.create<llm::ReshapeOp>(
      loc(user), tokens({heads, features / heads}, flatType.getElementType()),
      flat);
}

//===----------------------------------------------------------------------===//
// Layers, masks and rotary tables
//===----------------------------------------------------------------------===//

FailureOr<int64_t> Raiser::addLayer(int64_t heads, int64_t dim, Type dtype,
                                    Operation *user) {
  if (layers == 0) {
    kvHeads = heads;
    headDim = dim;
    kvType = pastType ? pastType : dtype;
  } else if (heads != kvHeads || dim != headDim) {
    return error(user) << "has " << heads << " kv heads of dim " << dim
                       << " where earlier layers have " << kvHeads << " of "
                       << headDim;
  }
  return layers++;
}

FailureOr<int64_t> Raiser::maskWindow(Value mask, Operation *user) {
  auto allowed = [](const HostTensor &t, int64_t k) {
    double v = t.asDouble(k);
    if (!t.isFloat())
      return v != 0;
    return v > -1e4; // additive masks add 0 or a large negative number
  };
  // The mask, broadcast to [.., S, P + S]: row i is the query at P + i.
  auto rows = [&](const Env &env,
                  SmallVector<SmallVector<bool>> &out) -> LogicalResult {
    std::optional<HostTensor> t = evalConcrete(mask, env, user);
    if (!t)
      return failure();
    int64_t total = env.s + env.p;
    int64_t rank = t->shape.size();
    if (rank < 2 || t->shape[rank - 1] != total ||
        (t->shape[rank - 2] != env.s && t->shape[rank - 2] != 1))
      return error(user) << "expects an attention mask of shape [..., " << env.s
                         << ", " << total << "] for " << env.s << " new and "
                         << env.p << " cached tokens, got "
                         << shapeText(constShape(t->shape));
    int64_t r = t->shape[rank - 2];
    out.assign(env.s, SmallVector<bool>(total));
    for (int64_t i = 0; i < env.s; ++i)
      for (int64_t j = 0; j < total; ++j)
        out[i][j] = allowed(*t, (r == 1 ? 0 : i) * total + j);
    return success();
  };
  // Prefill after a cached prefix: causal, maybe windowed.
  Env prefill{7, 5};
  SmallVector<SmallVector<bool>> pm, m;
  if (failed(rows(prefill, pm)))
    return failure();
  // One decode step at the longest context: how far back it sees.
  Env decode{1, opts.maxPositions - 1};
  if (failed(rows(decode, m)))
    return failure();
  int64_t q = decode.p, first = q + 1;
  for (int64_t j = q; j >= 0 && m[0][j]; --j)
    first = j;
  if (first > q)
    return error(user) << "has an attention mask that hides a token from "
                          "itself";
  for (int64_t j = 0; j < decode.p + 1; ++j)
    if (m[0][j] != (j >= first))
      return error(user) << "has an attention mask that is neither causal "
                            "nor a sliding window";
  int64_t window = first > 0 ? q - first + 1 : 0;
  for (int64_t i = 0; i < prefill.s; ++i)
    for (int64_t j = 0; j < prefill.s + prefill.p; ++j) {
      int64_t query = prefill.p + i;
      bool expect = j <= query && (window == 0 || query - j < window);
      if (pm[i][j] != expect)
        return error(user) << "has an attention mask that is neither causal "
                              "nor a sliding window (query "
                           << query << ", key " << j << ")";
    }
  return window;
}

FailureOr<std::pair<Value, Value>> Raiser::ropeTables(Value cos, Value sin,
                                                      int64_t half,
                                                      bool duplicatedHalves,
                                                      Operation *user) {
  // Every layer's rope reads the same cos/sin values: evaluate them once.
  auto key = std::make_tuple(cos.getAsOpaquePointer(), sin.getAsOpaquePointer(),
                             half, duplicatedHalves);
  if (auto it = ropeCache.find(key); it != ropeCache.end())
    return it->second;
  int64_t n = opts.maxPositions;
  auto table = [&](Value v) -> std::optional<HostTensor> {
    std::optional<HostTensor> t;
    // A constant table [positions, half] (GenAI's cos_cache) is used as is.
    if (const HostTensor *c = hostData(v)) {
      if (c->shape.size() != 2 || c->shape[1] != half) {
        error(user) << "expects a rotary table of [positions, " << half
                    << "], got " << shapeText(constShape(c->shape));
        return std::nullopt;
      }
      HostTensor out = *c;
      if (out.shape[0] >= n) {
        out.shape[0] = n;
        out.f.resize(n * half);
      }
      return out;
    }
    Env env{n, 0};
    t = evalConcrete(v, env, user);
    if (!t)
      return std::nullopt;
    // Any shape whose non-unit dims are [n, width].
    SmallVector<int64_t> dims;
    for (int64_t d : t->shape)
      if (d != 1)
        dims.push_back(d);
    int64_t width = half * (duplicatedHalves ? 2 : 1);
    if (dims.size() != 2 || dims[0] != n || dims[1] != width) {
      error(user) << "expects rotary cos/sin values of [positions, " << width
                  << "] computed from the positions, got "
                  << shapeText(constShape(t->shape)) << " for " << n
                  << " positions";
      return std::nullopt;
    }
    std::vector<double> rows(n * half);
    for (int64_t r = 0; r < n; ++r)
      for (int64_t j = 0; j < half; ++j) {
        double a = t->asDouble(r * width + j);
        if (duplicatedHalves &&
            std::abs(a - t->asDouble(r * width + half + j)) >
                1e-3 * (1 + std::abs(a))) {
          error(user) << "expects rotate-half cos/sin tables with equal "
                         "halves";
          return std::nullopt;
        }
        rows[r * half + j] = a;
      }
    return HostTensor::floats(b.getF32Type(), {n, half}, std::move(rows));
  };
  std::optional<HostTensor> c = table(cos);
  if (!c)
    return failure();
  std::optional<HostTensor> s = table(sin);
  if (!s)
    return failure();
  auto intern = [&](HostTensor t, StringRef name) -> Value {
    for (auto &[data, value] : tables)
      if (data.shape == t.shape && data.f == t.f)
        return value;
    Value v = constant(t, b.getF32Type(), name);
    tables.push_back({std::move(t), v});
    return v;
  };
  Value cv = intern(std::move(*c), "rope.cos"),
        sv = intern(std::move(*s), "rope.sin");
  ropeCache[key] = std::make_pair(cv, sv);
  return std::make_pair(cv, sv);
}

} // namespace llmc::raising
