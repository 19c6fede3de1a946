//===- TensorImport.cpp - ONNX tensors as MLIR attributes -----------------===//

#include "compiler/importer/TensorImport.h"
#include "compiler/importer/OnnxDataTypes.h"
#include "compiler/importer/OnnxModelFile.h"

#include "onnx/onnx_pb.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/MathExtras.h"

#include <cstring>

using namespace mlir;
using namespace llvm;
using namespace llmc::importer;

namespace {

Error makeError(OnnxModelFile &file, const onnx::TensorProto &tensor,
                const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           file.getPath() + ": tensor '" + tensor.name() +
                               "': " + message);
}

/// The largest power of two, up to 64, that `data` is aligned to.
size_t alignmentOf(const char *data) {
  auto address = reinterpret_cast<uintptr_t>(data);
  size_t alignment = 64;
  while (alignment > 1 && address % alignment != 0)
    alignment /= 2;
  return alignment;
}

/// Copies typed-field values into a little-endian blob of `bytesPerValue`
/// each (truncating wider fields, as ONNX stores narrow types in int32_data).
template <typename Range>
std::vector<char> packValues(const Range &values, size_t bytesPerValue) {
  std::vector<char> bytes(values.size() * bytesPerValue);
  size_t i = 0;
  for (auto value : values) {
    std::memcpy(bytes.data() + i * bytesPerValue, &value, bytesPerValue);
    ++i;
  }
  return bytes;
}

/// The data of a tensor stored in typed fields, or an error.
Expected<std::vector<char>> convertTypedFields(const onnx::TensorProto &tensor,
                                               OnnxModelFile &file,
                                               uint64_t numElements) {
  int32_t dataType = tensor.data_type();
  auto check = [&](uint64_t have, uint64_t want, StringRef field) -> Error {
    if (have == want)
      return Error::success();
    return makeError(file, tensor,
                     Twine(field) + " holds " + Twine(have) +
                         " values, but the shape needs " + Twine(want));
  };
  using T = onnx::TensorProto;
  switch (dataType) {
  case T::FLOAT:
    if (Error e = check(tensor.float_data_size(), numElements, "float_data"))
      return std::move(e);
    return packValues(tensor.float_data(), 4);
  case T::COMPLEX64:
    if (Error e =
            check(tensor.float_data_size(), 2 * numElements, "float_data"))
      return std::move(e);
    return packValues(tensor.float_data(), 4);
  case T::DOUBLE:
    if (Error e = check(tensor.double_data_size(), numElements, "double_data"))
      return std::move(e);
    return packValues(tensor.double_data(), 8);
  case T::COMPLEX128:
    if (Error e =
            check(tensor.double_data_size(), 2 * numElements, "double_data"))
      return std::move(e);
    return packValues(tensor.double_data(), 8);
  case T::INT64:
    if (Error e = check(tensor.int64_data_size(), numElements, "int64_data"))
      return std::move(e);
    return packValues(tensor.int64_data(), 8);
  case T::UINT32:
  case T::UINT64:
    if (Error e = check(tensor.uint64_data_size(), numElements, "uint64_data"))
      return std::move(e);
    return packValues(tensor.uint64_data(), dataType == T::UINT32 ? 4 : 8);
  case T::INT32:
  case T::INT16:
  case T::UINT16:
  case T::INT8:
  case T::UINT8:
  case T::BOOL:
  case T::FLOAT16:
  case T::BFLOAT16:
  case 17: // FLOAT8E4M3FN
  case 18: // FLOAT8E4M3FNUZ
  case 19: // FLOAT8E5M2
  case 20: // FLOAT8E5M2FNUZ
  case 24: // FLOAT8E8M0
  {
    if (Error e = check(tensor.int32_data_size(), numElements, "int32_data"))
      return std::move(e);
    size_t width = *onnxStorageBytes(dataType, 1);
    return packValues(tensor.int32_data(), width);
  }
  default:
    return makeError(file, tensor,
                     "data of type " + onnxDataTypeName(dataType) +
                         " in typed fields is not supported; store it as "
                         "raw_data or external data");
  }
}

} // namespace

Expected<ElementsAttr>
llmc::importer::importTensor(const onnx::TensorProto &tensor,
                             OnnxModelFile &file, MLIRContext *context) {
  int32_t dataType = tensor.data_type();
  Type elementType = convertOnnxElementType(dataType, context);
  if (!elementType)
    return makeError(file, tensor,
                     "element type " + onnxDataTypeName(dataType) +
                         " is not supported");
  if (tensor.has_segment())
    return makeError(file, tensor, "segmented tensors are not supported");

  SmallVector<int64_t> shape;
  uint64_t numElements = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0)
      return makeError(file, tensor, "negative dimension " + Twine(dim));
    bool overflow = false;
    numElements = SaturatingMultiply<uint64_t>(numElements, dim, &overflow);
    if (overflow || numElements > (uint64_t(1) << 48))
      return makeError(file, tensor, "shape has too many elements");
    shape.push_back(dim);
  }
  uint64_t expectedBytes = *onnxStorageBytes(dataType, numElements);
  auto type = RankedTensorType::get(shape, elementType);
  std::string blobName = tensor.name().empty() ? "tensor" : tensor.name();

  auto makeBorrowed = [&](ArrayRef<char> data) -> ElementsAttr {
    AsmResourceBlob blob = UnmanagedAsmResourceBlob::allocateWithAlign(
        data, alignmentOf(data.data()));
    return DenseResourceElementsAttr::get(type, blobName, std::move(blob));
  };
  auto checkSize = [&](uint64_t bytes, StringRef where) -> Error {
    if (bytes == expectedBytes)
      return Error::success();
    std::string dims;
    for (int64_t dim : shape)
      dims += (dims.empty() ? "" : "x") + std::to_string(dim);
    return makeError(file, tensor,
                     Twine(where) + " holds " + Twine(bytes) +
                         " bytes, but shape [" + dims + "] of " +
                         onnxDataTypeName(dataType) + " needs " +
                         Twine(expectedBytes));
  };

  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    Expected<ArrayRef<char>> data = file.getExternalData(tensor);
    if (!data)
      return data.takeError();
    if (Error e = checkSize(data->size(), "external data"))
      return std::move(e);
    return makeBorrowed(*data);
  }
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (Error e = checkSize(raw.size(), "raw_data"))
      return std::move(e);
    return makeBorrowed(ArrayRef<char>(raw.data(), raw.size()));
  }
  Expected<std::vector<char>> bytes =
      convertTypedFields(tensor, file, numElements);
  if (!bytes)
    return bytes.takeError();
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(*bytes), alignof(uint64_t));
  return DenseResourceElementsAttr::get(type, blobName, std::move(blob));
}
