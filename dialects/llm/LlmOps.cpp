//===- LlmOps.cpp - llm dialect operations --------------------------------===//

#include "dialects/llm/LlmOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace llmc::llm;

bool llmc::llm::haveSameWeightFormat(Type a, Type b) {
  auto qa = dyn_cast<QuantizedWeightType>(a);
  auto qb = dyn_cast<QuantizedWeightType>(b);
  if (qa || qb)
    return qa && qb && qa.getStorageType() == qb.getStorageType() &&
           qa.getGroupSize() == qb.getGroupSize() &&
           qa.getScaleType() == qb.getScaleType() &&
           qa.getHasZeroPoint() == qb.getHasZeroPoint();
  auto ta = dyn_cast<RankedTensorType>(a);
  auto tb = dyn_cast<RankedTensorType>(b);
  return ta && tb && ta.getElementType() == tb.getElementType();
}

namespace {

/// Prints a shape as "[2, ?, 64]".
std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os, [&](int64_t dim) {
    if (ShapedType::isDynamic(dim))
      os << "?";
    else
      os << dim;
  });
  os << "]";
  return text;
}

/// Whether two dims can be equal at run time.
bool compatibleDims(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

RankedTensorType tensorTypeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// Checks that an optional float attribute, when present, is positive.
LogicalResult verifyPositive(Operation *op, StringRef what, FloatAttr value) {
  if (value && !(value.getValueAsDouble() > 0.0))
    return op->emitOpError() << "expects a positive " << what << ", got "
                             << value.getValueAsDouble();
  return success();
}

/// Checks a [..., K] x [N, K] -> [..., N] product; `sameResultElement` asks
/// the result to keep the input's element type.
LogicalResult verifyLinearShapes(Operation *op, Value input, Value weight,
                                 Value bias, Value result,
                                 bool sameResultElement) {
  RankedTensorType inputType = tensorTypeOf(input);
  RankedTensorType resultType = tensorTypeOf(result);
  int64_t n, k;
  if (auto quantized = dyn_cast<QuantizedWeightType>(weight.getType())) {
    n = quantized.getN();
    k = quantized.getK();
  } else {
    auto weightType = tensorTypeOf(weight);
    if (weightType.getRank() != 2)
      return op->emitOpError()
             << "expects weight of rank 2, got " << weightType.getRank();
    if (weightType.getElementType() != inputType.getElementType())
      return op->emitOpError()
             << "expects weight element type " << weightType.getElementType()
             << " to match the input's " << inputType.getElementType();
    n = weightType.getDimSize(0);
    k = weightType.getDimSize(1);
  }
  if (inputType.getRank() < 1)
    return op->emitOpError() << "expects input of rank >= 1";
  int64_t rank = inputType.getRank();
  if (!compatibleDims(inputType.getDimSize(rank - 1), k))
    return op->emitOpError()
           << "expects input feature dim " << inputType.getDimSize(rank - 1)
           << " to match weight dim 1 (" << k << ")";
  if (resultType.getRank() != rank)
    return op->emitOpError() << "expects result of rank " << rank << ", got "
                             << resultType.getRank();
  for (int64_t i = 0; i + 1 < rank; ++i)
    if (!compatibleDims(resultType.getDimSize(i), inputType.getDimSize(i)))
      return op->emitOpError()
             << "expects result shape " << formatShape(resultType.getShape())
             << " to keep the input's leading dims "
             << formatShape(inputType.getShape());
  if (!compatibleDims(resultType.getDimSize(rank - 1), n))
    return op->emitOpError()
           << "expects result feature dim " << resultType.getDimSize(rank - 1)
           << " to match weight dim 0 (" << n << ")";
  if (sameResultElement &&
      resultType.getElementType() != inputType.getElementType())
    return op->emitOpError()
           << "expects result element type " << resultType.getElementType()
           << " to match the input's " << inputType.getElementType();
  if (bias) {
    RankedTensorType biasType = tensorTypeOf(bias);
    if (biasType.getRank() != 1 || !compatibleDims(biasType.getDimSize(0), n))
      return op->emitOpError() << "expects bias of shape [" << n << "], got "
                               << formatShape(biasType.getShape());
    if (biasType.getElementType() != inputType.getElementType())
      return op->emitOpError()
             << "expects bias element type " << biasType.getElementType()
             << " to match the input's " << inputType.getElementType();
  }
  return success();
}

/// Checks a normalization's per-feature parameter (weight or bias).
LogicalResult verifyNormParameter(Operation *op, StringRef name, Value input,
                                  Value parameter) {
  RankedTensorType inputType = tensorTypeOf(input);
  RankedTensorType parameterType = tensorTypeOf(parameter);
  if (inputType.getRank() < 1)
    return op->emitOpError() << "expects input of rank >= 1";
  int64_t hidden = inputType.getDimSize(inputType.getRank() - 1);
  if (parameterType.getRank() != 1 ||
      !compatibleDims(parameterType.getDimSize(0), hidden))
    return op->emitOpError()
           << "expects " << name << " of shape " << formatShape({hidden})
           << ", got " << formatShape(parameterType.getShape());
  if (parameterType.getElementType() != inputType.getElementType())
    return op->emitOpError()
           << "expects " << name << " element type "
           << parameterType.getElementType() << " to match the input's "
           << inputType.getElementType();
  return success();
}

/// Checks the optional RMS norm a linear-family op applies to its input:
/// a weight of the input's features with a positive epsilon, or neither.
LogicalResult verifyInputNorm(Operation *op, Value input, Value weight,
                              FloatAttr epsilon, bool unitOffset) {
  if (!weight) {
    if (epsilon || unitOffset)
      return op->emitOpError()
             << "has norm_epsilon or norm_unit_offset without a norm weight";
    return success();
  }
  if (!epsilon)
    return op->emitOpError() << "expects norm_epsilon with its norm weight";
  if (failed(verifyNormParameter(op, "norm weight", input, weight)))
    return failure();
  return verifyPositive(op, "norm_epsilon", epsilon);
}

} // namespace

//===----------------------------------------------------------------------===//
// QuantizedWeightOp
//===----------------------------------------------------------------------===//

LogicalResult QuantizedWeightOp::verify() {
  QuantizedWeightType type = getType();
  RankedTensorType valuesType = getValues().getType();
  if (valuesType.getShape() != type.getShape())
    return emitOpError() << "expects values of shape "
                         << formatShape(type.getShape()) << ", got "
                         << formatShape(valuesType.getShape());
  if (valuesType.getElementType() != type.getStorageType())
    return emitOpError() << "expects values of element type "
                         << type.getStorageType() << ", got "
                         << valuesType.getElementType();
  SmallVector<int64_t, 2> groupShape = {type.getN(), type.getNumGroups()};
  RankedTensorType scalesType = getScales().getType();
  if (scalesType.getShape() != ArrayRef<int64_t>(groupShape))
    return emitOpError() << "expects scales of shape "
                         << formatShape(groupShape) << ", got "
                         << formatShape(scalesType.getShape());
  if (scalesType.getElementType() != type.getScaleType())
    return emitOpError() << "expects scales of element type "
                         << type.getScaleType() << ", got "
                         << scalesType.getElementType();
  Value zeroPoints = getZeroPoints();
  if (type.getHasZeroPoint() != static_cast<bool>(zeroPoints))
    return emitOpError() << (zeroPoints ? "has zero points but its type has "
                                          "none"
                                        : "expects zero points, as its type "
                                          "has zero_point");
  if (zeroPoints) {
    auto zeroPointsType = cast<RankedTensorType>(zeroPoints.getType());
    if (zeroPointsType.getShape() != ArrayRef<int64_t>(groupShape))
      return emitOpError() << "expects zero points of shape "
                           << formatShape(groupShape) << ", got "
                           << formatShape(zeroPointsType.getShape());
    if (zeroPointsType.getElementType() != type.getStorageType())
      return emitOpError() << "expects zero points of element type "
                           << type.getStorageType() << ", got "
                           << zeroPointsType.getElementType();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// EmbeddingOp
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::verify() {
  RankedTensorType tableType = getTable().getType();
  RankedTensorType resultType = getResult().getType();
  if (tableType.getRank() != 2)
    return emitOpError() << "expects table of rank 2, got "
                         << tableType.getRank();
  if (resultType.getRank() != 2)
    return emitOpError() << "expects result of rank 2, got "
                         << resultType.getRank();
  int64_t ids = getIds().getType().getDimSize(0);
  if (!compatibleDims(resultType.getDimSize(0), ids))
    return emitOpError() << "expects one result row per id, got "
                         << resultType.getDimSize(0) << " rows for " << ids
                         << " ids";
  if (!compatibleDims(resultType.getDimSize(1), tableType.getDimSize(1)))
    return emitOpError() << "expects result width " << resultType.getDimSize(1)
                         << " to match the table width "
                         << tableType.getDimSize(1);
  if (resultType.getElementType() != tableType.getElementType())
    return emitOpError() << "expects result element type "
                         << resultType.getElementType()
                         << " to match the table's "
                         << tableType.getElementType();
  return verifyPositive(*this, "scale", getScaleAttr());
}

//===----------------------------------------------------------------------===//
// LinearOp, LmHeadOp
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  if (failed(verifyLinearShapes(*this, getInput(), getWeight(), getBias(),
                                getResult(), /*sameResultElement=*/true)))
    return failure();
  if (Value residual = getResidual();
      residual && residual.getType() != getResult().getType())
    return emitOpError() << "expects residual of the result's type "
                         << getResult().getType() << ", got "
                         << residual.getType();
  return verifyInputNorm(*this, getInput(), getNormWeight(),
                         getNormEpsilonAttr(), getNormUnitOffset());
}

LogicalResult LinearGroupOp::verify() {
  size_t count = getWeights().size();
  if (count < 2 || count > 3 || getResults().size() != count)
    return emitOpError("takes two or three weights and as many results");
  if (!getBiases().empty() && getBiases().size() != count)
    return emitOpError("takes no biases or one per weight");
  for (size_t i = 0; i < count; ++i) {
    if (!haveSameWeightFormat(getWeights()[0].getType(),
                              getWeights()[i].getType()))
      return emitOpError("weights should share one element type (or one "
                         "quantized format)");
    Value bias = getBiases().empty() ? Value() : getBiases()[i];
    if (failed(verifyLinearShapes(*this, getInput(), getWeights()[i], bias,
                                  getResults()[i],
                                  /*sameResultElement=*/true)))
      return failure();
  }
  return verifyInputNorm(*this, getInput(), getNormWeight(),
                         getNormEpsilonAttr(), getNormUnitOffset());
}

LogicalResult GatedLinearOp::verify() {
  if (getGateWeight().getType() != getUpWeight().getType())
    return emitOpError("gate and up weights should have one type");
  if (failed(verifyLinearShapes(*this, getInput(), getUpWeight(), Value(),
                                getResult(), /*sameResultElement=*/true)))
    return failure();
  if (failed(verifyLinearShapes(*this, getInput(), getGateWeight(), Value(),
                                getResult(), /*sameResultElement=*/true)))
    return failure();
  return verifyInputNorm(*this, getInput(), getNormWeight(),
                         getNormEpsilonAttr(), getNormUnitOffset());
}

LogicalResult LmHeadOp::verify() {
  if (failed(verifyLinearShapes(*this, getInput(), getWeight(), Value(),
                                getResult(), /*sameResultElement=*/false)))
    return failure();
  if (failed(verifyPositive(*this, "softcap", getSoftcapAttr())))
    return failure();
  return verifyInputNorm(*this, getInput(), getNormWeight(),
                         getNormEpsilonAttr(), getNormUnitOffset());
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

LogicalResult RmsNormOp::verify() {
  if (failed(verifyNormParameter(*this, "weight", getInput(), getWeight())))
    return failure();
  return verifyPositive(*this, "epsilon", getEpsilonAttr());
}

LogicalResult AddRmsNormOp::verify() {
  if (failed(verifyNormParameter(*this, "weight", getInput(), getWeight())))
    return failure();
  return verifyPositive(*this, "epsilon", getEpsilonAttr());
}

LogicalResult LayerNormOp::verify() {
  if (failed(verifyNormParameter(*this, "weight", getInput(), getWeight())))
    return failure();
  if (getBias() &&
      failed(verifyNormParameter(*this, "bias", getInput(), getBias())))
    return failure();
  return verifyPositive(*this, "epsilon", getEpsilonAttr());
}

//===----------------------------------------------------------------------===//
// RopeOp
//===----------------------------------------------------------------------===//

LogicalResult RopeOp::verify() {
  RankedTensorType inputType = getInput().getType();
  if (inputType.getRank() != 3)
    return emitOpError() << "expects input of rank 3 [tokens, heads, "
                            "head_dim], got rank "
                         << inputType.getRank();
  int64_t positions = getPositions().getType().getDimSize(0);
  if (!compatibleDims(positions, inputType.getDimSize(0)))
    return emitOpError() << "expects one position per token, got " << positions
                         << " positions for " << inputType.getDimSize(0)
                         << " tokens";
  RankedTensorType tableType = getCos().getType();
  if (tableType.getRank() != 2)
    return emitOpError() << "expects cos and sin tables of rank 2, got rank "
                         << tableType.getRank();
  int64_t half = tableType.getDimSize(1);
  if (ShapedType::isDynamic(half) || half <= 0)
    return emitOpError() << "expects a static positive table width, got "
                         << formatShape(tableType.getShape());
  int64_t headDim = inputType.getDimSize(2);
  if (!ShapedType::isDynamic(headDim) && 2 * half > headDim)
    return emitOpError() << "expects rotary dim (2 x " << half << " = "
                         << 2 * half << ") at most the head dim (" << headDim
                         << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::verify() {
  RankedTensorType queryType = getQuery().getType();
  RankedTensorType keyType = getKey().getType();
  if (queryType.getRank() != 3)
    return emitOpError() << "expects query of rank 3 [tokens, heads, "
                            "head_dim], got rank "
                         << queryType.getRank();
  if (keyType.getRank() != 3)
    return emitOpError() << "expects key and value of rank 3 [tokens, "
                            "kv_heads, head_dim], got rank "
                         << keyType.getRank();
  if (!compatibleDims(keyType.getDimSize(0), queryType.getDimSize(0)))
    return emitOpError() << "expects as many key/value tokens ("
                         << keyType.getDimSize(0) << ") as query tokens ("
                         << queryType.getDimSize(0) << ")";
  if (!compatibleDims(keyType.getDimSize(2), queryType.getDimSize(2)))
    return emitOpError() << "expects key head dim " << keyType.getDimSize(2)
                         << " to match the query head dim "
                         << queryType.getDimSize(2);
  int64_t heads = queryType.getDimSize(1);
  int64_t kvHeads = keyType.getDimSize(1);
  if (ShapedType::isDynamic(heads) || ShapedType::isDynamic(kvHeads))
    return emitOpError() << "expects static head counts";
  if (kvHeads <= 0 || heads % kvHeads != 0)
    return emitOpError() << "expects query heads (" << heads
                         << ") to be a multiple of key/value heads (" << kvHeads
                         << ")";
  if (keyType.getElementType() != queryType.getElementType())
    return emitOpError() << "expects key element type "
                         << keyType.getElementType() << " to match the query's "
                         << queryType.getElementType();
  int64_t layer = getLayerAttr().getInt();
  if (layer < 0)
    return emitOpError() << "expects a non-negative layer, got " << layer;
  bool rope = getRope().has_value();
  if (rope != bool(getPositions()) || rope != bool(getCos()) ||
      rope != bool(getSin()))
    return emitOpError() << "expects the rope style, positions, cos and sin "
                            "together or none of them";
  if (rope) {
    auto table = cast<RankedTensorType>(getCos().getType());
    if (getSin().getType() != table || table.getRank() != 2)
      return emitOpError() << "expects cos and sin tables of one rank-2 type";
    int64_t headDim = queryType.getDimSize(2);
    if (ShapedType::isDynamic(headDim) || table.getDimSize(1) * 2 != headDim)
      return emitOpError() << "expects rope tables of head_dim / 2 columns, "
                              "got "
                           << formatShape(table.getShape()) << " for head dim "
                           << headDim;
    int64_t positions =
        cast<RankedTensorType>(getPositions().getType()).getDimSize(0);
    if (!compatibleDims(positions, queryType.getDimSize(0)))
      return emitOpError() << "expects one position per token, got "
                           << positions << " positions for "
                           << queryType.getDimSize(0) << " tokens";
  }
  if (failed(verifyPositive(*this, "scale", getScaleAttr())) ||
      failed(verifyPositive(*this, "softcap", getSoftcapAttr())))
    return failure();
  if (std::optional<int64_t> window = getSlidingWindow();
      window && *window <= 0)
    return emitOpError() << "expects a positive sliding window, got "
                         << *window;

  auto module = (*this)->getParentOfType<ModuleOp>();
  if (!module)
    return success();
  auto cache =
      module->getAttrOfType<KvCacheAttr>(LlmDialect::getKvCacheAttrName());
  if (!cache)
    return success();
  if (layer >= cache.getLayers())
    return emitOpError() << "expects layer " << layer << " below the module's "
                         << cache.getLayers() << " cache layers";
  if (kvHeads != cache.getKvHeads())
    return emitOpError() << "expects " << cache.getKvHeads()
                         << " key/value heads as the module's kv cache has, "
                            "got "
                         << kvHeads;
  if (!compatibleDims(keyType.getDimSize(2), cache.getHeadDim()))
    return emitOpError() << "expects head dim " << cache.getHeadDim()
                         << " as the module's kv cache has, got "
                         << keyType.getDimSize(2);
  return success();
}

#define GET_OP_CLASSES
#include "dialects/llm/LlmOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Constants and layout
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult TransposeOp::verify() {
  RankedTensorType inputType = getInput().getType();
  RankedTensorType resultType = getResult().getType();
  if (inputType.getRank() != 2)
    return emitOpError() << "expects a matrix, got rank "
                         << inputType.getRank();
  if (inputType.getElementType() != resultType.getElementType() ||
      resultType.getRank() != 2 ||
      !compatibleDims(inputType.getDimSize(0), resultType.getDimSize(1)) ||
      !compatibleDims(inputType.getDimSize(1), resultType.getDimSize(0)))
    return emitOpError() << "expects the result to be the transposed "
                         << formatShape(inputType.getShape()) << " "
                         << inputType.getElementType() << ", got "
                         << formatShape(resultType.getShape()) << " "
                         << resultType.getElementType();
  return success();
}

LogicalResult ReshapeOp::verify() {
  RankedTensorType inputType = getInput().getType();
  RankedTensorType resultType = getResult().getType();
  if (inputType.getRank() < 1 || resultType.getRank() < 1)
    return emitOpError() << "expects tensors with a token dim";
  if (inputType.getElementType() != resultType.getElementType())
    return emitOpError() << "expects the element type to stay "
                         << inputType.getElementType();
  if (inputType.getDimSize(0) != resultType.getDimSize(0))
    return emitOpError() << "expects the token dim to stay";
  auto features = [](RankedTensorType type) -> std::optional<int64_t> {
    int64_t product = 1;
    for (int64_t dim : type.getShape().drop_front()) {
      if (ShapedType::isDynamic(dim))
        return std::nullopt;
      product *= dim;
    }
    return product;
  };
  std::optional<int64_t> in = features(inputType), out = features(resultType);
  if (!in || !out)
    return emitOpError() << "expects static feature dims";
  if (*in != *out)
    return emitOpError() << "expects " << *in << " features per token as "
                         << formatShape(inputType.getShape()) << " has, got "
                         << *out << " in "
                         << formatShape(resultType.getShape());
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getResult().getType())
    return getInput();
  if (auto producer = getInput().getDefiningOp<ReshapeOp>())
    if (producer.getInput().getType() == getResult().getType())
      return producer.getInput();
  return {};
}

LogicalResult SliceOp::verify() {
  RankedTensorType inputType = getInput().getType();
  RankedTensorType resultType = getResult().getType();
  int64_t rank = inputType.getRank();
  if (rank < 1 || resultType.getRank() != rank ||
      inputType.getElementType() != resultType.getElementType())
    return emitOpError() << "expects a result of the input's rank and "
                            "element type";
  int64_t offset = getOffsetAttr().getInt(), size = getSizeAttr().getInt();
  int64_t last = inputType.getDimSize(rank - 1);
  if (offset < 0 || size <= 0 ||
      (!ShapedType::isDynamic(last) && offset + size > last))
    return emitOpError() << "expects [" << offset << ", " << offset + size
                         << ") inside the last dim of "
                         << formatShape(inputType.getShape());
  for (int64_t i = 0; i + 1 < rank; ++i)
    if (!compatibleDims(inputType.getDimSize(i), resultType.getDimSize(i)))
      return emitOpError() << "expects every dim but the last to stay";
  if (!compatibleDims(resultType.getDimSize(rank - 1), size))
    return emitOpError() << "expects a last dim of " << size;
  return success();
}
