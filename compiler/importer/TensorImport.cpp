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

/// The data of a tensor stored in typed fields, or an error.
Expected<std::vector<char>> convertTypedFields(const onnx::TensorProto &tensor,
                                               OnnxModelFile &file,
                                               uint64_t numElements) {
  int32_t dataType = tensor.data_type();
  // Checks that `field` holds `want` values and copies each into a
  // little-endian blob of `bytesPerValue` (truncating wider fields, as ONNX
  // stores narrow types in int32_data).
  auto pack = [&](const auto &values, StringRef field, uint64_t want,
                  size_t bytesPerValue) -> Expected<std::vector<char>> {
    uint64_t have = values.size();
    if (have != want)
      return makeError(file, tensor,
                       Twine(field) + " holds " + Twine(have) +
                           " values, but the shape needs " + Twine(want));
    std::vector<char> bytes(have * bytesPerValue);
    size_t i = 0;
    for (auto value : values)
      std::memcpy(bytes.data() + bytesPerValue * i++, &value, bytesPerValue);
    return bytes;
  };
  using T = onnx::TensorProto;
  switch (dataType) {
  case T::FLOAT:
    return pack(tensor.float_data(), "float_data", numElements, 4);
  case T::COMPLEX64:
    return pack(tensor.float_data(), "float_data", 2 * numElements, 4);
  case T::DOUBLE:
    return pack(tensor.double_data(), "double_data", numElements, 8);
  case T::COMPLEX128:
    return pack(tensor.double_data(), "double_data", 2 * numElements, 8);
  case T::INT64:
    return pack(tensor.int64_data(), "int64_data", numElements, 8);
  case T::UINT32:
  case T::UINT64:
    return pack(tensor.uint64_data(), "uint64_data", numElements,
                *onnxStorageBytes(dataType, 1));
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
    return pack(tensor.int32_data(), "int32_data", numElements,
                *onnxStorageBytes(dataType, 1));
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
