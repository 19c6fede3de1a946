//===- HostTensor.h - small tensors evaluated while raising -----*- C++ -*-===//
//
// Raising evaluates the parts of an ONNX graph that do not depend on token
// values: shape arithmetic, attention masks, rotary tables. Integers there
// may depend on the symbolic sequence length S and past length P of a
// forward call, so an integer element is an affine form c + s*S + p*P; floats
// are plain doubles.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_PASSES_RAISING_HOSTTENSOR_H
#define LLMC_PASSES_RAISING_HOSTTENSOR_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace llmc::raising {

/// c + s * S + p * P, S the new tokens and P the cached ones of a call.
struct Affine {
  int64_t c = 0, s = 0, p = 0;

  static Affine constant(int64_t value) { return {value, 0, 0}; }
  bool isConstant() const { return s == 0 && p == 0; }
  bool operator==(const Affine &other) const {
    return c == other.c && s == other.s && p == other.p;
  }
  Affine operator+(const Affine &o) const {
    return {c + o.c, s + o.s, p + o.p};
  }
  Affine operator-(const Affine &o) const {
    return {c - o.c, s - o.s, p - o.p};
  }
  int64_t at(int64_t sValue, int64_t pValue) const {
    return c + s * sValue + p * pValue;
  }
  std::string str() const;
};

/// The [start, end) dims ONNX's Shape op takes of a rank-`rank` shape, from
/// its possibly negative, possibly out-of-range start and end attributes.
std::pair<int64_t, int64_t> shapeOpRange(int64_t rank, int64_t start,
                                         int64_t end);

/// A dense host tensor of floats or (affine) integers; booleans are integers.
struct HostTensor {
  enum class Kind { Float, Int };
  Kind kind = Kind::Float;
  /// The ONNX-level element type (f16, i64, i1, ...), kept for Cast and for
  /// turning the tensor back into an attribute.
  mlir::Type elementType;
  llvm::SmallVector<int64_t> shape;
  std::vector<double> f;
  std::vector<Affine> i;
  /// Only the shape is known (a KV cache input while evaluating a mask):
  /// Shape may read it, nothing else.
  bool shapeOnly = false;

  int64_t size() const;
  bool isFloat() const { return kind == Kind::Float; }
  /// Whether every integer element is a plain constant.
  bool isConstant() const;
  /// The value of element `index` as a double (integers must be constant).
  double asDouble(int64_t index) const;
  /// Whether all elements are equal (a broadcast scalar).
  std::optional<double> uniformValue() const;

  static HostTensor floats(mlir::Type elementType,
                           llvm::ArrayRef<int64_t> shape,
                           std::vector<double> values);
  static HostTensor ints(mlir::Type elementType, llvm::ArrayRef<int64_t> shape,
                         std::vector<Affine> values);
};

/// Reads an elements attribute (dense or dense_resource) into a host tensor;
/// fails for element types it cannot hold (4-bit, float8) or more than
/// `maxElements` elements.
std::optional<HostTensor> hostTensorFromAttr(mlir::ElementsAttr attr,
                                             int64_t maxElements);

/// A float32 attribute of the same shape for floats, i64/i1/... for ints.
mlir::DenseElementsAttr hostTensorToAttr(const HostTensor &tensor,
                                         mlir::Type elementType);

} // namespace llmc::raising

#endif // LLMC_PASSES_RAISING_HOSTTENSOR_H
