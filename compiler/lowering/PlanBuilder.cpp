//===- PlanBuilder.cpp - llm ops to an execution plan ---------------------===//

#include "compiler/lowering/PlanBuilder.h"

#include "compiler/lowering/WeightData.h"
#include "dialects/llm/LlmAttrs.h"
#include "dialects/llm/LlmOps.h"
#include "dialects/llm/LlmTypes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <map>
#include <tuple>

using namespace mlir;
namespace json = llvm::json;

namespace llmc::lowering {
namespace {

std::string describe(Operation *op) {
  std::string location;
  llvm::raw_string_ostream os(location);
  op->getLoc().print(os);
  return location + ": '" + op->getName().getStringRef().str() + "'";
}

llvm::Error opError(Operation *op, const llvm::Twine &what) {
  return llvm::createStringError(describe(op) + " " + what.str());
}

/// The name of the constant a weight value comes from.
std::string rootName(Value v) {
  std::string name = constantNameOf(v);
  return name.empty() ? "weight" : name;
}

class Builder {
public:
  Builder(func::FuncOp fn, const PlanOptions &options)
      : fn(fn), options(options), maxContext(options.maxContext) {}

  llvm::Error run(LoweredPlan &out);

private:
  func::FuncOp fn;
  const PlanOptions &options;
  int64_t maxContext;
  Value tokenIds, positions;
  llvm::DenseMap<Value, int32_t> bufferOf;
  std::vector<int64_t> features;
  std::map<std::tuple<void *, int, std::string, void *, bool>, int32_t>
      weightOf;
  std::vector<PlanWeight> weights;
  json::Array steps;
  /// The op each step was lowered from, and the op being lowered.
  std::vector<Operation *> stepOps;
  Operation *currentOp = nullptr;
  /// Buffers each step reads and writes, for liveness.
  std::vector<std::vector<int32_t>> touched;
  std::map<std::string, int64_t> kernelCounts;
  int32_t logitsBuffer = -1;

  llvm::Expected<int32_t> activation(Operation *user, Value v) {
    auto it = bufferOf.find(v);
    if (it == bufferOf.end())
      return opError(user, "reads a value that is not an activation the "
                           "cpu device computes");
    return it->second;
  }
  llvm::Expected<int32_t> newBuffer(Operation *op, Value v) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!type || type.getRank() < 2 || !isa<FloatType>(type.getElementType()))
      return opError(op, "result is not a [T, ...] float tensor");
    int64_t f = 1;
    for (int64_t d : type.getShape().drop_front()) {
      if (ShapedType::isDynamic(d))
        return opError(op, "result has a dynamic feature dim");
      f *= d;
    }
    features.push_back(f);
    int32_t id = int32_t(features.size() - 1);
    bufferOf[v] = id;
    return id;
  }
  int32_t addWeight(PlanWeight::Kind kind, Value v, Value zeroPoints,
                    std::string dtype, std::vector<int64_t> shape,
                    std::string suffix = "", Value columnScales = Value(),
                    bool unitOffset = false) {
    auto key = std::make_tuple(v.getAsOpaquePointer(), int(kind), dtype,
                               columnScales.getAsOpaquePointer(), unitOffset);
    auto it = weightOf.find(key);
    if (it != weightOf.end())
      return it->second;
    PlanWeight w;
    w.name = rootName(v) + suffix;
    w.kind = kind;
    w.value = v;
    w.zeroPoints = zeroPoints;
    w.columnScales = columnScales;
    w.unitOffset = unitOffset;
    w.dtype = std::move(dtype);
    w.shape = std::move(shape);
    weights.push_back(std::move(w));
    int32_t id = int32_t(weights.size() - 1);
    weightOf[key] = id;
    return id;
  }
  /// A float weight, as float32; a `matrix` (a linear layer's weight, an
  /// embedding table) keeps its 16-bit type when the target reads those.
  llvm::Expected<int32_t> floatWeight(Operation *user, Value v,
                                      bool matrix = false,
                                      Value columnScales = Value(),
                                      bool unitOffset = false) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!isWeightValue(v) || !type || !type.hasStaticShape() ||
        !isa<FloatType>(type.getElementType()))
      return opError(user, "expects a float weight computed from constants");
    std::string dtype = "f32";
    if (matrix && options.halfMatrices) {
      if (type.getElementType().isF16())
        dtype = "f16";
      else if (type.getElementType().isBF16())
        dtype = "bf16";
    }
    if (columnScales)
      return addWeight(PlanWeight::Kind::ScaledColumns, v, Value(), dtype,
                       {type.getShape().begin(), type.getShape().end()},
                       ".normed", columnScales, unitOffset);
    return addWeight(PlanWeight::Kind::Float, v, Value(), dtype,
                     {type.getShape().begin(), type.getShape().end()});
  }
  /// Adds the step; `attrs` are the kernel's attributes.
  void addStep(const std::string &kernel, std::vector<int32_t> in,
               std::vector<int32_t> w, std::vector<int32_t> out,
               json::Object attrs = {}, bool logits = false) {
    json::Object step{{"kernel", kernel},
                      {"in", json::Array(in)},
                      {"weights", json::Array(w)},
                      {"out", json::Array(out)}};
    if (!attrs.empty())
      step["attrs"] = std::move(attrs);
    if (logits)
      step["logits"] = true;
    steps.push_back(std::move(step));
    stepOps.push_back(currentOp);
    std::vector<int32_t> all = in;
    all.insert(all.end(), out.begin(), out.end());
    touched.push_back(std::move(all));
    ++kernelCounts[kernel];
  }
  llvm::Error lowerOp(Operation *op);
  llvm::Error lowerLinear(Operation *op, Value input, Value weight, Value bias,
                          Value residual, std::optional<double> softcap);
  /// The RMS norm a linear-family op applies to its input (`weight` null:
  /// none).
  struct InputNorm {
    Value weight;
    FloatAttr epsilon;
    bool unitOffset = false;
  };
  static InputNorm inputNormOf(Operation *op);
  /// Appends the step's "norm" and "norm_epsilon" for `norm`: with float
  /// matrices, whose columns hold the norm's weights (matrixWeight folded
  /// them in), "norm_folded"; with quantized ones, the norm's weight last
  /// in `ws` and "norm_unit_offset".
  llvm::Error addInputNorm(Operation *op, const InputNorm &norm, bool quantized,
                           std::vector<int32_t> &ws, json::Object &attrs);
  /// Appends a quantized weight's values, scales and (with zero points)
  /// offsets to `ws`, and its format to the step's `attrs`: "group", and
  /// "offsets": 0 when it has no zero points (and so no offsets).
  llvm::Error quantizedWeight(Operation *op, Value weight,
                              std::vector<int32_t> &ws, json::Object &attrs);
  /// Appends a matrix of a fused step: a float weight (its columns times
  /// the weights of the step's `norm`, if any), or a quantized one's three
  /// tensors (then `quantized` is set).
  llvm::Error matrixWeight(Operation *op, Value weight,
                           std::vector<int32_t> &ws, json::Object &attrs,
                           bool &quantized, const InputNorm &norm);
  /// Places buffers in the arena by liveness; returns floats per token.
  int64_t placeBuffers(std::vector<int64_t> &offsets) const;
};

llvm::Error Builder::quantizedWeight(Operation *op, Value weight,
                                     std::vector<int32_t> &ws,
                                     json::Object &attrs) {
  auto qtype = cast<llm::QuantizedWeightType>(weight.getType());
  auto q = weight.getDefiningOp<llm::QuantizedWeightOp>();
  if (!q || !isWeightValue(weight))
    return opError(op, "expects its quantized weight from "
                       "llm.quantized_weight of constants");
  unsigned bits = qtype.getBits();
  if (bits != 4 && bits != 8)
    return opError(op, "has " + llvm::Twine(bits) +
                           "-bit weights; the devices take 4 and 8");
  std::string dtype =
      (qtype.getStorageType().isUnsigned() ? "u" : "i") + std::to_string(bits);
  int64_t n = qtype.getN(), k = qtype.getK(), g = qtype.getNumGroups();
  ws.push_back(addWeight(PlanWeight::Kind::QuantizedValues, q.getValues(),
                         Value(), dtype, {n, k}));
  ws.push_back(addWeight(PlanWeight::Kind::Float, q.getScales(), Value(), "f32",
                         {n, g}));
  // Symmetric weights have no zero points, so no offsets to store or read.
  if (q.getZeroPoints())
    ws.push_back(addWeight(PlanWeight::Kind::QuantizedOffsets, q.getScales(),
                           q.getZeroPoints(), "f32", {n, g}, ".offsets"));
  else
    attrs["offsets"] = 0;
  attrs["group"] = qtype.getGroupSize();
  return llvm::Error::success();
}

llvm::Error Builder::matrixWeight(Operation *op, Value weight,
                                  std::vector<int32_t> &ws, json::Object &attrs,
                                  bool &quantized, const InputNorm &norm) {
  if (isa<llm::QuantizedWeightType>(weight.getType())) {
    quantized = true;
    return quantizedWeight(op, weight, ws, attrs);
  }
  llvm::Expected<int32_t> id =
      floatWeight(op, weight, /*matrix=*/true, norm.weight, norm.unitOffset);
  if (!id)
    return id.takeError();
  ws.push_back(*id);
  return llvm::Error::success();
}

Builder::InputNorm Builder::inputNormOf(Operation *op) {
  auto of = [](auto l) {
    return InputNorm{l.getNormWeight(), l.getNormEpsilonAttr(),
                     l.getNormUnitOffset()};
  };
  if (auto l = dyn_cast<llm::LinearOp>(op))
    return of(l);
  if (auto l = dyn_cast<llm::LinearGroupOp>(op))
    return of(l);
  if (auto l = dyn_cast<llm::GatedLinearOp>(op))
    return of(l);
  if (auto l = dyn_cast<llm::LmHeadOp>(op))
    return of(l);
  return {};
}

llvm::Error Builder::addInputNorm(Operation *op, const InputNorm &norm,
                                  bool quantized, std::vector<int32_t> &ws,
                                  json::Object &attrs) {
  if (!norm.weight)
    return llvm::Error::success();
  attrs["norm"] = 1;
  attrs["norm_epsilon"] = norm.epsilon.getValueAsDouble();
  if (!quantized) {
    attrs["norm_folded"] = 1;
    return llvm::Error::success();
  }
  llvm::Expected<int32_t> g = floatWeight(op, norm.weight);
  if (!g)
    return g.takeError();
  ws.push_back(*g);
  attrs["norm_unit_offset"] = norm.unitOffset ? 1 : 0;
  return llvm::Error::success();
}

llvm::Error Builder::lowerLinear(Operation *op, Value input, Value weight,
                                 Value bias, Value residual,
                                 std::optional<double> softcap) {
  llvm::Expected<int32_t> x = activation(op, input);
  if (!x)
    return x.takeError();
  std::vector<int32_t> in = {*x};
  if (residual) {
    llvm::Expected<int32_t> r = activation(op, residual);
    if (!r)
      return r.takeError();
    in.push_back(*r);
  }
  std::vector<int32_t> ws;
  json::Object attrs;
  if (softcap)
    attrs["softcap"] = *softcap;
  bool logits = isa<llm::LmHeadOp>(op) &&
                llvm::all_of(op->getResult(0).getUsers(), [](Operation *u) {
                  return isa<func::ReturnOp>(u);
                });
  InputNorm norm = inputNormOf(op);
  bool quantized = false;
  if (llvm::Error e = matrixWeight(op, weight, ws, attrs, quantized, norm))
    return e;
  std::string kernel = quantized ? "linear_quantized" : "linear";
  if (bias) {
    llvm::Expected<int32_t> b = floatWeight(op, bias);
    if (!b)
      return b.takeError();
    ws.push_back(*b);
  }
  if (residual)
    attrs["residual"] = 1;
  if (llvm::Error e = addInputNorm(op, norm, quantized, ws, attrs))
    return e;
  llvm::Expected<int32_t> y = newBuffer(op, op->getResult(0));
  if (!y)
    return y.takeError();
  addStep(kernel, in, ws, {*y}, std::move(attrs), logits);
  return llvm::Error::success();
}

llvm::Error Builder::lowerOp(Operation *op) {
  // Weights are packed where they are used.
  if (op->getNumResults() == 1 && isWeightValue(op->getResult(0)))
    return llvm::Error::success();

  if (isa<llm::ReshapeOp, llm::ConvertOp>(op)) {
    llvm::Expected<int32_t> in = activation(op, op->getOperand(0));
    if (!in)
      return in.takeError();
    // The cpu device computes in float32: a float convert is a no-op, a
    // reshape of the feature dims keeps the bytes.
    bufferOf[op->getResult(0)] = *in;
    return llvm::Error::success();
  }
  if (auto ret = dyn_cast<func::ReturnOp>(op)) {
    if (ret.getNumOperands() != 1)
      return opError(op, "expects one result, the logits");
    llvm::Expected<int32_t> b = activation(op, ret.getOperand(0));
    if (!b)
      return b.takeError();
    logitsBuffer = *b;
    return llvm::Error::success();
  }
  if (auto e = dyn_cast<llm::EmbeddingOp>(op)) {
    llvm::Expected<int32_t> table =
        floatWeight(op, e.getTable(), /*matrix=*/true);
    if (!table)
      return table.takeError();
    json::Object attrs;
    if (e.getIds() == positions) {
      int64_t rows = cast<ShapedType>(e.getTable().getType()).getDimSize(0);
      if (rows < maxContext)
        return opError(op, "looks up learned positions in a table of " +
                               llvm::Twine(rows) +
                               " rows, fewer than the context of " +
                               llvm::Twine(maxContext) +
                               " tokens; compile with --max-context " +
                               llvm::Twine(rows) + " or less");
      attrs["index"] = "positions";
    } else if (e.getIds() != tokenIds)
      return opError(op, "indexes by neither the token ids nor the "
                         "positions");
    if (auto scale = e.getScale())
      attrs["scale"] = scale->convertToDouble();
    llvm::Expected<int32_t> y = newBuffer(op, e.getResult());
    if (!y)
      return y.takeError();
    addStep("embedding", {}, {*table}, {*y}, std::move(attrs));
    return llvm::Error::success();
  }
  if (auto l = dyn_cast<llm::LinearOp>(op))
    return lowerLinear(op, l.getInput(), l.getWeight(), l.getBias(),
                       l.getResidual(), std::nullopt);
  if (auto g = dyn_cast<llm::LinearGroupOp>(op)) {
    llvm::Expected<int32_t> x = activation(op, g.getInput());
    if (!x)
      return x.takeError();
    std::vector<int32_t> ws, ys;
    json::Object attrs;
    bool quantized = false;
    InputNorm norm = inputNormOf(op);
    for (Value w : g.getWeights())
      if (llvm::Error e = matrixWeight(op, w, ws, attrs, quantized, norm))
        return e;
    for (Value b : g.getBiases()) {
      llvm::Expected<int32_t> id = floatWeight(op, b);
      if (!id)
        return id.takeError();
      ws.push_back(*id);
    }
    if (llvm::Error e = addInputNorm(op, norm, quantized, ws, attrs))
      return e;
    for (Value r : g.getResults()) {
      llvm::Expected<int32_t> y = newBuffer(op, r);
      if (!y)
        return y.takeError();
      ys.push_back(*y);
    }
    attrs["biases"] = g.getBiases().empty() ? 0 : 1;
    addStep(quantized ? "linear_group_quantized" : "linear_group", {*x}, ws, ys,
            std::move(attrs));
    return llvm::Error::success();
  }
  if (auto g = dyn_cast<llm::GatedLinearOp>(op)) {
    llvm::Expected<int32_t> x = activation(op, g.getInput());
    if (!x)
      return x.takeError();
    std::vector<int32_t> ws;
    json::Object attrs;
    bool quantized = false;
    InputNorm norm = inputNormOf(op);
    for (Value w : {g.getGateWeight(), g.getUpWeight()})
      if (llvm::Error e = matrixWeight(op, w, ws, attrs, quantized, norm))
        return e;
    if (llvm::Error e = addInputNorm(op, norm, quantized, ws, attrs))
      return e;
    llvm::Expected<int32_t> y = newBuffer(op, g.getResult());
    if (!y)
      return y.takeError();
    attrs["activation"] = stringifyGateActivation(g.getActivation()).str();
    addStep(quantized ? "gated_linear_quantized" : "gated_linear", {*x}, ws,
            {*y}, std::move(attrs));
    return llvm::Error::success();
  }
  if (auto l = dyn_cast<llm::LmHeadOp>(op)) {
    std::optional<double> softcap;
    if (auto s = l.getSoftcap())
      softcap = s->convertToDouble();
    return lowerLinear(op, l.getInput(), l.getWeight(), Value(), Value(),
                       softcap);
  }

  // The remaining ops read activations and some weights.
  std::vector<int32_t> in, ws, out;
  json::Object attrs;
  std::string kernel;
  // The first operand problem, reported after the op's operands are read.
  std::optional<std::string> problem;
  auto note = [&](llvm::Error e) {
    if (!e)
      return;
    std::string message = llvm::toString(std::move(e));
    if (!problem)
      problem = std::move(message);
  };
  auto act = [&](Value v) {
    llvm::Expected<int32_t> b = activation(op, v);
    if (b)
      in.push_back(*b);
    else
      note(b.takeError());
  };
  auto weight = [&](Value v) {
    llvm::Expected<int32_t> w = floatWeight(op, v);
    if (w)
      ws.push_back(*w);
    else
      note(w.takeError());
  };
  if (auto n = dyn_cast<llm::RmsNormOp>(op)) {
    kernel = "rms_norm";
    act(n.getInput());
    weight(n.getWeight());
    attrs["epsilon"] = n.getEpsilon().convertToDouble();
    attrs["unit_offset"] = n.getUnitOffset() ? 1 : 0;
  } else if (auto n = dyn_cast<llm::AddRmsNormOp>(op)) {
    kernel = "add_rms_norm";
    act(n.getInput());
    act(n.getResidual());
    weight(n.getWeight());
    attrs["epsilon"] = n.getEpsilon().convertToDouble();
    attrs["unit_offset"] = n.getUnitOffset() ? 1 : 0;
  } else if (auto n = dyn_cast<llm::LayerNormOp>(op)) {
    kernel = "layer_norm";
    act(n.getInput());
    weight(n.getWeight());
    if (n.getBias())
      weight(n.getBias());
    attrs["epsilon"] = n.getEpsilon().convertToDouble();
  } else if (auto r = dyn_cast<llm::RopeOp>(op)) {
    kernel = "rope";
    auto type = cast<RankedTensorType>(r.getInput().getType());
    if (type.getRank() != 3)
      return opError(op, "expects a [T, heads, head_dim] input");
    if (r.getPositions() != positions)
      return opError(op, "rotates by something other than the positions");
    act(r.getInput());
    weight(r.getCos());
    weight(r.getSin());
    attrs["heads"] = type.getDimSize(1);
    attrs["head_dim"] = type.getDimSize(2);
    attrs["style"] = stringifyRopeStyle(r.getStyle()).str();
  } else if (auto a = dyn_cast<llm::AttentionOp>(op)) {
    kernel = "attention";
    auto q = cast<RankedTensorType>(a.getQuery().getType());
    auto k = cast<RankedTensorType>(a.getKey().getType());
    if (q.getRank() != 3 || k.getRank() != 3)
      return opError(op, "expects [T, heads, head_dim] operands");
    act(a.getQuery());
    act(a.getKey());
    act(a.getValue());
    attrs["layer"] = a.getLayer();
    attrs["heads"] = q.getDimSize(1);
    attrs["kv_heads"] = k.getDimSize(1);
    attrs["head_dim"] = q.getDimSize(2);
    attrs["scale"] = a.getScale().convertToDouble();
    if (auto style = a.getRope()) {
      if (a.getPositions() != positions)
        return opError(op, "rotates by something other than the positions");
      weight(a.getCos());
      weight(a.getSin());
      attrs["rope"] = stringifyRopeStyle(*style).str();
    }
    if (auto w = a.getSlidingWindow())
      attrs["sliding_window"] = *w;
    if (auto s = a.getSoftcap())
      attrs["softcap"] = s->convertToDouble();
  } else if (auto s = dyn_cast<llm::SliceOp>(op)) {
    kernel = "slice";
    if (cast<RankedTensorType>(s.getInput().getType()).getRank() != 2)
      return opError(op, "slices a value of rank other than 2");
    act(s.getInput());
    attrs["offset"] = s.getOffset();
  } else if (isa<llm::SiluOp>(op)) {
    kernel = "silu";
    act(op->getOperand(0));
  } else if (auto g = dyn_cast<llm::GeluOp>(op)) {
    kernel = "gelu";
    act(g.getInput());
    attrs["approximation"] =
        stringifyGeluApproximation(g.getApproximation()).str();
  } else if (auto g = dyn_cast<llm::GluOp>(op)) {
    kernel = "glu";
    act(op->getOperand(0));
    act(op->getOperand(1));
    attrs["activation"] = stringifyGateActivation(g.getActivation()).str();
  } else if (auto s = dyn_cast<llm::ScaleOp>(op)) {
    kernel = "scale";
    act(s.getInput());
    attrs["factor"] = s.getFactor().convertToDouble();
  } else if (isa<llm::AddOp, llm::MulOp>(op)) {
    kernel = isa<llm::AddOp>(op) ? "add" : "mul";
    act(op->getOperand(0));
    act(op->getOperand(1));
  } else {
    return opError(op, "has no kernel on the cpu device");
  }
  if (problem)
    return llvm::createStringError(*problem);
  for (Value result : op->getResults()) {
    llvm::Expected<int32_t> b = newBuffer(op, result);
    if (!b)
      return b.takeError();
    out.push_back(*b);
  }
  addStep(kernel, in, ws, out, std::move(attrs));
  return llvm::Error::success();
}

int64_t Builder::placeBuffers(std::vector<int64_t> &offsets) const {
  size_t n = features.size();
  std::vector<int64_t> first(n, -1), last(n, -1);
  for (size_t s = 0; s < touched.size(); ++s)
    for (int32_t b : touched[s]) {
      if (first[size_t(b)] < 0)
        first[size_t(b)] = int64_t(s);
      last[size_t(b)] = int64_t(s);
    }
  if (logitsBuffer >= 0)
    last[size_t(logitsBuffer)] = int64_t(touched.size());
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return first[a] < first[b]; });
  struct Live {
    int64_t offset, size, last;
  };
  std::vector<Live> live;
  offsets.assign(n, 0);
  int64_t top = 0;
  for (size_t b : order) {
    // A buffer last read by this step stays live through it: a kernel's
    // outputs never overlap its inputs.
    live.erase(std::remove_if(live.begin(), live.end(),
                              [&](const Live &l) { return l.last < first[b]; }),
               live.end());
    std::sort(live.begin(), live.end(),
              [](const Live &a, const Live &b) { return a.offset < b.offset; });
    int64_t at = 0;
    for (const Live &l : live) {
      if (l.offset - at >= features[b])
        break;
      at = std::max(at, l.offset + l.size);
    }
    offsets[b] = at;
    live.push_back({at, features[b], last[b]});
    top = std::max(top, at + features[b]);
  }
  return top;
}

llvm::Error Builder::run(LoweredPlan &out) {
  for (BlockArgument arg : fn.getArguments()) {
    auto name = fn.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "llm.name");
    if (name && name.getValue() == "token_ids")
      tokenIds = arg;
    else if (name && name.getValue() == "positions")
      positions = arg;
  }
  if (!tokenIds)
    return llvm::createStringError("@forward has no argument named "
                                   "token_ids");
  for (Operation &op : fn.getBody().front()) {
    currentOp = &op;
    if (llvm::Error e = lowerOp(&op))
      return e;
  }
  if (logitsBuffer < 0)
    return llvm::createStringError("@forward returns no logits");
  std::vector<int64_t> offsets;
  int64_t arena = placeBuffers(offsets);
  json::Array buffers;
  for (size_t i = 0; i < features.size(); ++i)
    buffers.push_back(
        json::Object{{"features", features[i]}, {"offset", offsets[i]}});
  out.plan["entry"] = "forward";
  out.plan["arena_per_token"] = arena;
  out.plan["buffers"] = std::move(buffers);
  out.plan["steps"] = std::move(steps);
  out.plan["logits"] = logitsBuffer;
  out.plan["vocab_size"] = features[size_t(logitsBuffer)];
  out.weights = std::move(weights);
  out.kernelCounts = std::move(kernelCounts);
  out.stepOps = std::move(stepOps);
  return llvm::Error::success();
}

} // namespace

llvm::Expected<LoweredPlan> buildPlan(ModuleOp module,
                                      const PlanOptions &options) {
  auto fn = module.lookupSymbol<func::FuncOp>("forward");
  if (!fn || fn.getBody().getBlocks().size() != 1)
    return llvm::createStringError("the module has no @forward function "
                                   "with one block (was it raised?)");
  auto kv = module->getAttrOfType<llm::KvCacheAttr>("llm.kv_cache");
  if (!kv)
    return llvm::createStringError("the module has no llm.kv_cache "
                                   "attribute (was it raised?)");
  LoweredPlan out;
  Builder builder(fn, options);
  if (llvm::Error e = builder.run(out))
    return std::move(e);
  out.plan["max_context"] = options.maxContext;
  out.plan["kv_cache"] = json::Object{{"layers", kv.getLayers()},
                                      {"kv_heads", kv.getKvHeads()},
                                      {"head_dim", kv.getHeadDim()}};
  return out;
}

} // namespace llmc::lowering
