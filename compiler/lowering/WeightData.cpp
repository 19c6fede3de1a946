//===- WeightData.cpp - a weight's values on the host ---------------------===//

#include "compiler/lowering/WeightData.h"

#include "dialects/llm/LlmOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cstring>

using namespace mlir;

namespace llmc::lowering {
namespace {

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16, exponent = (h >> 10) & 0x1F,
           mantissa = h & 0x3FF, bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {
      // Subnormal: normalize.
      exponent = 127 - 15 + 1;
      while (!(mantissa & 0x400)) {
        mantissa <<= 1;
        --exponent;
      }
      bits = sign | (exponent << 23) | ((mantissa & 0x3FF) << 13);
    }
  } else if (exponent == 31) {
    bits = sign | 0x7F800000 | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float bfloat16ToFloat(uint16_t b) {
  uint32_t bits = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000, mantissa = x & 0x7FFFFF;
  uint32_t biased = (x >> 23) & 0xFF;
  if (biased == 0xFF) // infinity, NaN
    return uint16_t(sign | 0x7C00 | (mantissa ? 0x200 : 0));
  int32_t exponent = int32_t(biased) - 127 + 15;
  if (exponent >= 31)
    return uint16_t(sign | 0x7C00);
  if (exponent <= 0) {
    // A half subnormal: mantissa (with its implicit bit) * 2^(exponent-14).
    if (exponent < -10)
      return uint16_t(sign);
    mantissa |= 0x800000;
    uint32_t shift = uint32_t(14 - exponent);
    uint32_t half = mantissa >> shift, rest = mantissa & ((1u << shift) - 1),
             middle = 1u << (shift - 1);
    if (rest > middle || (rest == middle && (half & 1)))
      ++half;
    return uint16_t(sign | half);
  }
  uint32_t half = (uint32_t(exponent) << 10) | (mantissa >> 13);
  uint32_t rest = mantissa & 0x1FFF;
  // Rounding may carry into the exponent, which is the right result.
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    ++half;
  return uint16_t(sign | half);
}

uint16_t floatToBfloat16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7FFFFFFF) > 0x7F800000) // NaN stays NaN
    return uint16_t((x >> 16) | 0x40);
  return uint16_t((x + 0x7FFF + ((x >> 16) & 1)) >> 16);
}

llvm::Error unsupported(Operation *op, const llvm::Twine &what) {
  std::string location;
  llvm::raw_string_ostream os(location);
  op->getLoc().print(os);
  return llvm::createStringError(
      llvm::formatv("{0}: cannot evaluate weight: {1}", location, what.str()));
}

/// Decodes raw little-endian data of `type` (sub-byte integers packed low
/// nibble first, as ONNX stores them).
llvm::Expected<WeightData> decodeRaw(Operation *op, Type type,
                                     llvm::ArrayRef<char> raw, int64_t count) {
  WeightData out;
  auto bytes = reinterpret_cast<const uint8_t *>(raw.data());
  if (auto floatType = dyn_cast<FloatType>(type)) {
    unsigned width = floatType.getWidth();
    if (raw.size() < size_t(count) * width / 8)
      return unsupported(op, "data is shorter than its type");
    out.floats.resize(size_t(count));
    if (floatType.isF32()) {
      std::memcpy(out.floats.data(), bytes, size_t(count) * 4);
    } else if (floatType.isF16() || floatType.isBF16()) {
      for (int64_t i = 0; i < count; ++i) {
        uint16_t h = uint16_t(bytes[2 * i] | (bytes[2 * i + 1] << 8));
        out.floats[size_t(i)] =
            floatType.isF16() ? halfToFloat(h) : bfloat16ToFloat(h);
      }
    } else if (floatType.isF64()) {
      for (int64_t i = 0; i < count; ++i) {
        double d;
        std::memcpy(&d, bytes + 8 * i, 8);
        out.floats[size_t(i)] = float(d);
      }
    } else {
      // float8 and other narrow formats, through APFloat.
      for (int64_t i = 0; i < count; ++i) {
        llvm::APInt bits(width, bytes[i]);
        llvm::APFloat v(floatType.getFloatSemantics(), bits);
        out.floats[size_t(i)] = v.convertToFloat();
      }
    }
    return out;
  }
  auto intType = dyn_cast<IntegerType>(type);
  if (!intType)
    return unsupported(op, "element type is neither float nor integer");
  unsigned width = intType.getWidth();
  bool isSigned = !intType.isUnsigned();
  if (raw.size() < size_t((count * width + 7) / 8))
    return unsupported(op, "data is shorter than its type");
  out.isInteger = true;
  out.ints.resize(size_t(count));
  for (int64_t i = 0; i < count; ++i) {
    int64_t v;
    if (width == 4) {
      v = (bytes[i / 2] >> ((i & 1) * 4)) & 0xF;
      if (isSigned && v >= 8)
        v -= 16;
    } else if (width == 8) {
      v = isSigned ? int64_t(int8_t(bytes[i])) : int64_t(bytes[i]);
    } else if (width == 32) {
      int32_t w;
      std::memcpy(&w, bytes + 4 * i, 4);
      v = w;
    } else {
      return unsupported(op, "integer width " + llvm::Twine(width));
    }
    out.ints[size_t(i)] = int32_t(v);
  }
  return out;
}

llvm::Expected<WeightData> evaluateConstant(llm::ConstantOp op) {
  auto type = cast<ShapedType>(op.getValue().getType());
  int64_t count = type.getNumElements();
  llvm::Expected<WeightData> result = WeightData();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(op.getValue())) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return unsupported(op, "its resource has no data");
    result = decodeRaw(op, type.getElementType(), blob->getData(), count);
  } else if (auto dense = dyn_cast<DenseElementsAttr>(op.getValue())) {
    WeightData data;
    if (isa<FloatType>(type.getElementType())) {
      for (llvm::APFloat v : dense.getValues<llvm::APFloat>()) {
        bool lost;
        v.convert(llvm::APFloat::IEEEsingle(),
                  llvm::APFloat::rmNearestTiesToEven, &lost);
        data.floats.push_back(v.convertToFloat());
      }
    } else {
      bool isUnsigned = type.getElementType().isUnsignedInteger();
      data.isInteger = true;
      for (const llvm::APInt &v : dense.getValues<llvm::APInt>())
        data.ints.push_back(
            int32_t(isUnsigned ? v.getZExtValue() : v.getSExtValue()));
    }
    result = std::move(data);
  } else {
    return unsupported(op, "unknown attribute kind");
  }
  if (result)
    result->shape.assign(type.getShape().begin(), type.getShape().end());
  return result;
}

template <typename T>
std::vector<T> transpose2d(const std::vector<T> &in, int64_t rows,
                           int64_t cols) {
  // In 64 x 64 tiles, so that both the reads and the writes stay in cache
  // (a model's matrices are up to hundreds of MB).
  std::vector<T> out(in.size());
  constexpr int64_t tile = 64;
  for (int64_t r0 = 0; r0 < rows; r0 += tile)
    for (int64_t c0 = 0; c0 < cols; c0 += tile) {
      int64_t r1 = std::min(rows, r0 + tile), c1 = std::min(cols, c0 + tile);
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t c = c0; c < c1; ++c)
          out[size_t(c * rows + r)] = in[size_t(r * cols + c)];
    }
  return out;
}

} // namespace

std::vector<uint8_t> encodeFloats(const std::vector<float> &values,
                                  llvm::StringRef dtype) {
  std::vector<uint8_t> bytes;
  if (dtype == "f32") {
    bytes.resize(values.size() * 4);
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
  }
  bool half = dtype == "f16";
  bytes.resize(values.size() * 2);
  for (size_t i = 0; i < values.size(); ++i) {
    uint16_t v = half ? floatToHalf(values[i]) : floatToBfloat16(values[i]);
    bytes[2 * i] = uint8_t(v & 0xFF);
    bytes[2 * i + 1] = uint8_t(v >> 8);
  }
  return bytes;
}

std::string constantNameOf(Value value) {
  while (Operation *op = value.getDefiningOp()) {
    if (auto constant = dyn_cast<llm::ConstantOp>(op))
      return constant.getName().str();
    if (op->getNumOperands() == 0)
      break;
    value = op->getOperand(0);
  }
  return "";
}

int64_t WeightData::elements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

bool isWeightValue(Value value) {
  Operation *op = value.getDefiningOp();
  if (!op)
    return false;
  if (isa<llm::ConstantOp>(op))
    return true;
  if (isa<llm::TransposeOp, llm::ReshapeOp, llm::ConvertOp,
          llm::QuantizedWeightOp>(op))
    return llvm::all_of(op->getOperands(), isWeightValue);
  return false;
}

llvm::Expected<WeightData> evaluateWeight(Value value) {
  Operation *op = value.getDefiningOp();
  if (!op)
    return llvm::createStringError("cannot evaluate weight: it is an "
                                   "argument of the function");
  if (auto constant = dyn_cast<llm::ConstantOp>(op))
    return evaluateConstant(constant);
  auto resultType = dyn_cast<RankedTensorType>(value.getType());
  if (!resultType || !resultType.hasStaticShape() ||
      !isa<llm::TransposeOp, llm::ReshapeOp, llm::ConvertOp>(op))
    return unsupported(op, "'" + op->getName().getStringRef() +
                               "' is not a weight op");
  llvm::Expected<WeightData> input = evaluateWeight(op->getOperand(0));
  if (!input)
    return input.takeError();
  if (isa<llm::TransposeOp>(op)) {
    if (input->shape.size() != 2)
      return unsupported(op, "transpose of rank " +
                                 llvm::Twine(input->shape.size()));
    int64_t rows = input->shape[0], cols = input->shape[1];
    if (input->isInteger)
      input->ints = transpose2d(input->ints, rows, cols);
    else
      input->floats = transpose2d(input->floats, rows, cols);
  }
  // Reshape and convert keep the values: lowering to the cpu target
  // computes in float32, so a float-to-float convert of a weight is exact
  // or a widening.
  if (isa<llm::ConvertOp>(op) &&
      input->isInteger != isa<IntegerType>(resultType.getElementType()))
    return unsupported(op, "convert between integer and float weights");
  input->shape.assign(resultType.getShape().begin(),
                      resultType.getShape().end());
  return input;
}

} // namespace llmc::lowering
