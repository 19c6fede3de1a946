//===- RaiseActivations.cpp - activations, whatever their spelling --------===//
//
// Exporters spell SiLU, GELU (tanh or erf) and soft-capping in many ways
// (x * sigmoid(x); 0.5 * x * (1 + tanh(...)) in any association; casts
// around them). Rather than one pattern per spelling, the elementwise
// sub-graph rooted at an op is evaluated at sample points when it reads a
// single value, and compared with each known function.
//
//===----------------------------------------------------------------------===//

#include "passes/raising/HostEval.h"
#include "passes/raising/Raiser.h"

#include "llvm/ADT/SetVector.h"

#include <cmath>

using namespace mlir;
using llmc::onnx_import::NodeOp;

namespace llmc::raising {
namespace {

bool isElementwise(StringRef op) {
  static const StringRef ops[] = {
      "Add", "Sub",  "Mul", "Div", "Pow",  "Tanh",       "Sigmoid",
      "Erf", "Cast", "Neg", "Exp", "Sqrt", "Reciprocal", "Identity"};
  return llvm::is_contained(ops, op);
}

bool isNonlinear(StringRef op) {
  return op == "Tanh" || op == "Sigmoid" || op == "Erf" || op == "Exp";
}

/// Whether `v` is a constant holding one repeated value.
bool isScalarConstant(Raiser &r, Value v) {
  Value c = Raiser::skipCasts(v);
  if (!c.getDefiningOp<onnx_import::ConstantOp>() &&
      !Raiser::node(c, "Constant"))
    return false;
  auto type = dyn_cast<RankedTensorType>(c.getType());
  if (!type || !type.hasStaticShape() || type.getNumElements() > 64)
    return false;
  return r.scalar(v).has_value();
}

struct SubGraph {
  llvm::SetVector<Operation *> nodes; // post-order
  Value leaf;
  bool nonlinear = false;
  bool ok = true;
};

void collect(Raiser &r, Value v, SubGraph &g) {
  if (!g.ok)
    return;
  if (isScalarConstant(r, v))
    return;
  NodeOp n = Raiser::node(v);
  if (n && n.getDomain().empty() && isElementwise(n.getOpType()) &&
      n.getOutputs().size() == 1) {
    if (g.nodes.contains(n))
      return;
    if (g.nodes.size() > 24) {
      g.ok = false;
      return;
    }
    for (Value operand : n.getInputs())
      collect(r, operand, g);
    g.nonlinear |= isNonlinear(n.getOpType());
    g.nodes.insert(n);
    return;
  }
  if (g.leaf && g.leaf != v)
    g.ok = false;
  g.leaf = v;
}

double silu(double x) { return x / (1.0 + std::exp(-x)); }
double geluTanh(double x) {
  return 0.5 * x *
         (1.0 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
}
double geluErf(double x) {
  return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
}

} // namespace

std::optional<UnaryFunction> identifyUnary(Raiser &r, Value root, Value &leaf) {
  SubGraph g;
  collect(r, root, g);
  if (!g.ok || !g.leaf || g.nodes.empty())
    return std::nullopt;
  // TorchScript exports leave many values unranked.
  auto leafShaped = dyn_cast<ShapedType>(g.leaf.getType());
  auto leafType =
      leafShaped ? dyn_cast<FloatType>(leafShaped.getElementType()) : nullptr;
  if (!leafType)
    return std::nullopt;
  static const double samples[] = {-50,   -6,    -3, -2,   -1.5, -1,  -0.5,
                                   -0.25, -1e-3, 0,  1e-3, 0.25, 0.5, 1,
                                   1.5,   2,     3,  6,    50,   1e6};
  int64_t count = std::size(samples);
  DenseMap<Value, HostTensor> memo;
  memo[g.leaf] = HostTensor::floats(
      leafType, {count},
      std::vector<double>(std::begin(samples), std::end(samples)));
  bool lowPrecision = leafType.getWidth() < 32;
  for (Operation *op : g.nodes) {
    auto n = cast<NodeOp>(op);
    SmallVector<const HostTensor *> in;
    std::vector<HostTensor> holders;
    holders.reserve(n.getInputs().size());
    for (Value operand : n.getInputs()) {
      auto it = memo.find(operand);
      if (it != memo.end()) {
        in.push_back(&it->second);
        continue;
      }
      const HostTensor *c = r.hostData(Raiser::skipCasts(operand));
      if (!c)
        return std::nullopt;
      std::optional<double> v = c->uniformValue();
      if (!v)
        return std::nullopt;
      Type et = c->elementType;
      holders.push_back(
          isa<FloatType>(et)
              ? HostTensor::floats(et, {}, {*v})
              : HostTensor::ints(et, {}, {Affine::constant((int64_t)*v)}));
      in.push_back(&holders.back());
    }
    auto shaped = dyn_cast<ShapedType>(n.getOutputs()[0].getType());
    if (!shaped)
      return std::nullopt;
    Type rt = shaped.getElementType();
    lowPrecision |= rt.getIntOrFloatBitWidth() < 32;
    std::string why;
    auto out = evalHostOp(n.getOpType(),
                          n.getAttrs() ? *n.getAttrs() : DictionaryAttr(),
                          n.getOpset(), in, {rt}, why);
    if (!out || out->front().size() != count)
      return std::nullopt;
    memo[n.getOutputs()[0]] = std::move(out->front());
  }
  const HostTensor &y = memo[root];
  double tol = lowPrecision ? 4e-3 : 1e-5;
  auto error = [&](auto fn) {
    double worst = 0;
    // The last sample (1e6) only serves to read a soft cap.
    for (int64_t k = 0; k + 1 < count; ++k) {
      double want = fn(samples[k]);
      worst = std::max(worst, std::abs(y.f[k] - want) / (1.0 + std::abs(want)));
    }
    return worst;
  };
  leaf = g.leaf;
  if (!g.nonlinear) {
    double a = y.f[count - 7]; // f(1)
    if (error([&](double x) { return a * x; }) <= tol)
      return UnaryFunction{UnaryFunction::Kind::Scale, a};
    return std::nullopt;
  }
  struct Candidate {
    UnaryFunction::Kind kind;
    double (*fn)(double);
  };
  const Candidate candidates[] = {{UnaryFunction::Kind::Silu, silu},
                                  {UnaryFunction::Kind::GeluTanh, geluTanh},
                                  {UnaryFunction::Kind::GeluErf, geluErf}};
  std::optional<UnaryFunction> best;
  double bestError = tol;
  for (const Candidate &c : candidates) {
    double e = error(c.fn);
    if (e <= bestError) {
      bestError = e;
      best = UnaryFunction{c.kind};
    }
  }
  if (best)
    return best;
  // cap * tanh(a * x / cap): the cap from the far end, a from the slope at 0.
  double cap = y.f[count - 1], slope = (y.f[10] - y.f[8]) / 2e-3;
  if (std::abs(slope - 1.0) < 1e-3)
    slope = 1.0;
  if (cap > 0 && slope > 0 && error([&](double x) {
                                return cap * std::tanh(slope * x / cap);
                              }) <= tol * 10)
    return UnaryFunction{UnaryFunction::Kind::Softcap, slope, cap};
  return std::nullopt;
}

namespace {

FailureOr<bool> raiseActivation(Raiser &r, NodeOp n) {
  if (!n.getDomain().empty())
    return false;
  Value leaf;
  std::optional<UnaryFunction> f = identifyUnary(r, n.getOutputs()[0], leaf);
  if (!f || f->kind == UnaryFunction::Kind::Scale)
    return false;
  AValue *x = r.evalAct(leaf, n);
  if (!x)
    return failure();
  OpBuilder &b = r.builder();
  Location l = n.getLoc();
  Value v;
  auto resultType = dyn_cast<ShapedType>(n.getOutputs()[0].getType());
  Type want = resultType
                  ? resultType.getElementType()
                  : cast<RankedTensorType>(x->act.getType()).getElementType();
  switch (f->kind) {
  case UnaryFunction::Kind::Silu:
    v = b.create<llm::SiluOp>(l, x->act);
    break;
  case UnaryFunction::Kind::GeluTanh:
  case UnaryFunction::Kind::GeluErf:
    v = b.create<llm::GeluOp>(l, x->act.getType(),
                              f->kind == UnaryFunction::Kind::GeluTanh
                                  ? llm::GeluApproximation::tanh
                                  : llm::GeluApproximation::none,
                              x->act);
    break;
  case UnaryFunction::Kind::Softcap: {
    // Only logits are soft-capped outside attention: the lm_head's.
    auto linear = x->act.getDefiningOp<llm::LinearOp>();
    if (!linear || linear.getBias() || f->scale != 1.0) {
      r.error(n) << "soft-caps a value that is not the logits";
      return failure();
    }
    auto type = cast<RankedTensorType>(linear.getType()).clone(want);
    v = b.create<llm::LmHeadOp>(l, type, linear.getInput(), linear.getWeight(),
                                /*norm_weight=*/Value(),
                                b.getF64FloatAttr(f->cap), FloatAttr(),
                                UnitAttr());
    r.set(n.getOutputs()[0], r.makeAct(v, x->axes));
    return true;
  }
  case UnaryFunction::Kind::Scale:
    break;
  }
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getElementType() != want)
    v = b.create<llm::ConvertOp>(l, type.clone(want), v);
  r.set(n.getOutputs()[0], r.makeAct(v, x->axes));
  return true;
}

FailureOr<bool> raiseGeluOp(Raiser &r, NodeOp n) {
  if (!n.getDomain().empty() && n.getDomain() != "com.microsoft")
    return false;
  AValue *x = r.evalAct(n.getInputs()[0], n);
  if (!x)
    return failure();
  std::string approximate = "none";
  if (auto attrs = n.getAttrs())
    if (auto s = attrs->getAs<StringAttr>("approximate"))
      approximate = s.getValue().str();
  bool isTanh = approximate == "tanh" || n.getOpType() == "FastGelu";
  Value v = r.builder().create<llm::GeluOp>(
      n.getLoc(), x->act.getType(),
      isTanh ? llm::GeluApproximation::tanh : llm::GeluApproximation::none,
      x->act);
  r.set(n.getOutputs()[0], r.makeAct(v, x->axes));
  return true;
}

} // namespace

void addActivationPatterns(llvm::StringMap<SmallVector<Pattern>> &patterns) {
  for (StringRef op :
       {"Mul", "Add", "Sub", "Div", "Tanh", "Sigmoid", "Erf", "Cast"})
    patterns[op].push_back(raiseActivation);
  patterns["Gelu"].push_back(raiseGeluOp);
  patterns["FastGelu"].push_back(raiseGeluOp);
}

} // namespace llmc::raising
