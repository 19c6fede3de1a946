//===- HostTensor.cpp - small tensors evaluated while raising -------------===//

#include "passes/raising/HostTensor.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstring>

using namespace mlir;

namespace llmc::raising {

std::string Affine::str() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  bool any = false;
  auto term = [&](int64_t k, StringRef sym) {
    if (k == 0)
      return;
    if (any)
      os << (k < 0 ? " - " : " + ");
    else if (k < 0)
      os << "-";
    int64_t mag = k < 0 ? -k : k;
    if (mag != 1 || sym.empty())
      os << mag;
    os << sym;
    any = true;
  };
  term(s, "S");
  term(p, "P");
  term(c, "");
  if (!any)
    os << "0";
  return text;
}

std::pair<int64_t, int64_t> shapeOpRange(int64_t rank, int64_t start,
                                         int64_t end) {
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  return {start, end};
}

int64_t HostTensor::size() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

bool HostTensor::isConstant() const {
  if (isFloat())
    return true;
  for (const Affine &a : i)
    if (!a.isConstant())
      return false;
  return true;
}

double HostTensor::asDouble(int64_t index) const {
  return isFloat() ? f[index] : static_cast<double>(i[index].c);
}

std::optional<double> HostTensor::uniformValue() const {
  if (size() == 0 || !isConstant())
    return std::nullopt;
  double first = asDouble(0);
  for (int64_t k = 1, n = size(); k < n; ++k)
    if (asDouble(k) != first)
      return std::nullopt;
  return first;
}

HostTensor HostTensor::floats(Type elementType, ArrayRef<int64_t> shape,
                              std::vector<double> values) {
  HostTensor t;
  t.kind = Kind::Float;
  t.elementType = elementType;
  t.shape.assign(shape.begin(), shape.end());
  t.f = std::move(values);
  return t;
}

HostTensor HostTensor::ints(Type elementType, ArrayRef<int64_t> shape,
                            std::vector<Affine> values) {
  HostTensor t;
  t.kind = Kind::Int;
  t.elementType = elementType;
  t.shape.assign(shape.begin(), shape.end());
  t.i = std::move(values);
  return t;
}

namespace {

/// Decodes `count` elements of `type` stored little-endian in `bytes`.
bool decode(Type type, ArrayRef<char> bytes, int64_t count, bool splat,
            HostTensor &out) {
  auto fetch = [&](int64_t index, unsigned width) -> const char * {
    int64_t offset = splat ? 0 : index * width;
    if (offset + width > static_cast<int64_t>(bytes.size()))
      return nullptr;
    return bytes.data() + offset;
  };
  if (auto floatType = dyn_cast<FloatType>(type)) {
    unsigned width = floatType.getWidth();
    if (width != 16 && width != 32 && width != 64)
      return false;
    out.kind = HostTensor::Kind::Float;
    out.f.resize(count);
    for (int64_t k = 0; k < count; ++k) {
      const char *p = fetch(k, width / 8);
      if (!p)
        return false;
      uint64_t raw = 0;
      std::memcpy(&raw, p, width / 8);
      APFloat value(floatType.getFloatSemantics(), APInt(width, raw));
      bool lost;
      value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      out.f[k] = value.convertToDouble();
    }
    return true;
  }
  auto intType = dyn_cast<IntegerType>(type);
  if (!intType)
    return false;
  unsigned width = intType.getWidth();
  unsigned bytesPer = width == 1 ? 1 : width / 8;
  if (width != 1 && width % 8 != 0)
    return false;
  out.kind = HostTensor::Kind::Int;
  out.i.resize(count);
  for (int64_t k = 0; k < count; ++k) {
    const char *p = fetch(k, bytesPer);
    if (!p)
      return false;
    uint64_t raw = 0;
    std::memcpy(&raw, p, bytesPer);
    int64_t value;
    if (width == 1)
      value = raw != 0;
    else if (intType.isUnsigned() || width == 64)
      value = static_cast<int64_t>(raw);
    else
      value = llvm::SignExtend64(raw, width);
    out.i[k] = Affine::constant(value);
  }
  return true;
}

} // namespace

std::optional<HostTensor> hostTensorFromAttr(ElementsAttr attr,
                                             int64_t maxElements) {
  auto type = cast<ShapedType>(attr.getType());
  if (!type.hasStaticShape() || type.getNumElements() > maxElements)
    return std::nullopt;
  HostTensor out;
  out.elementType = type.getElementType();
  out.shape.assign(type.getShape().begin(), type.getShape().end());
  int64_t count = type.getNumElements();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    if (!decode(out.elementType, blob->getData(), count, false, out))
      return std::nullopt;
    return out;
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (isa<FloatType>(out.elementType)) {
      out.kind = HostTensor::Kind::Float;
      for (APFloat v : dense.getValues<APFloat>()) {
        bool lost;
        v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
        out.f.push_back(v.convertToDouble());
      }
      return out;
    }
    if (auto intType = dyn_cast<IntegerType>(out.elementType)) {
      out.kind = HostTensor::Kind::Int;
      for (APInt v : dense.getValues<APInt>())
        out.i.push_back(
            Affine::constant(intType.isUnsigned() || intType.getWidth() == 1
                                 ? static_cast<int64_t>(v.getZExtValue())
                                 : v.getSExtValue()));
      return out;
    }
  }
  return std::nullopt;
}

DenseElementsAttr hostTensorToAttr(const HostTensor &tensor, Type elementType) {
  auto type = RankedTensorType::get(tensor.shape, elementType);
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    SmallVector<APFloat> values;
    values.reserve(tensor.size());
    for (int64_t k = 0, n = tensor.size(); k < n; ++k) {
      APFloat v(tensor.asDouble(k));
      bool lost;
      v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &lost);
      values.push_back(v);
    }
    return DenseElementsAttr::get(type, values);
  }
  auto intType = cast<IntegerType>(elementType);
  SmallVector<APInt> values;
  values.reserve(tensor.size());
  for (int64_t k = 0, n = tensor.size(); k < n; ++k)
    values.push_back(APInt(intType.getWidth(),
                           static_cast<uint64_t>(tensor.asDouble(k)),
                           /*isSigned=*/true, /*implicitTrunc=*/true));
  return DenseElementsAttr::get(type, values);
}

} // namespace llmc::raising
