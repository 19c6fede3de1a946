//===- OnnxDataTypes.cpp - ONNX element types in MLIR ---------------------===//

#include "compiler/importer/OnnxDataTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace {
// TensorProto.DataType values, including those newer than Debian's
// onnx.proto (1.12), which stops at BFLOAT16.
enum OnnxDataType : int32_t {
  kFloat = 1,
  kUint8 = 2,
  kInt8 = 3,
  kUint16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUint32 = 12,
  kUint64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBfloat16 = 16,
  kFloat8E4M3FN = 17,
  kFloat8E4M3FNUZ = 18,
  kFloat8E5M2 = 19,
  kFloat8E5M2FNUZ = 20,
  kUint4 = 21,
  kInt4 = 22,
  kFloat4E2M1 = 23,
  kFloat8E8M0 = 24,
};
} // namespace

Type llmc::importer::convertOnnxElementType(int32_t dataType,
                                            MLIRContext *context) {
  Builder b(context);
  switch (dataType) {
  case kFloat:
    return b.getF32Type();
  case kUint8:
    return IntegerType::get(context, 8, IntegerType::Unsigned);
  case kInt8:
    return b.getIntegerType(8);
  case kUint16:
    return IntegerType::get(context, 16, IntegerType::Unsigned);
  case kInt16:
    return b.getIntegerType(16);
  case kInt32:
    return b.getIntegerType(32);
  case kInt64:
    return b.getIntegerType(64);
  case kBool:
    return b.getI1Type();
  case kFloat16:
    return b.getF16Type();
  case kDouble:
    return b.getF64Type();
  case kUint32:
    return IntegerType::get(context, 32, IntegerType::Unsigned);
  case kUint64:
    return IntegerType::get(context, 64, IntegerType::Unsigned);
  case kComplex64:
    return ComplexType::get(b.getF32Type());
  case kComplex128:
    return ComplexType::get(b.getF64Type());
  case kBfloat16:
    return b.getBF16Type();
  case kFloat8E4M3FN:
    return Float8E4M3FNType::get(context);
  case kFloat8E4M3FNUZ:
    return Float8E4M3FNUZType::get(context);
  case kFloat8E5M2:
    return Float8E5M2Type::get(context);
  case kFloat8E5M2FNUZ:
    return Float8E5M2FNUZType::get(context);
  case kUint4:
    return IntegerType::get(context, 4, IntegerType::Unsigned);
  case kInt4:
    return b.getIntegerType(4);
  case kFloat4E2M1:
    return Float4E2M1FNType::get(context);
  case kFloat8E8M0:
    return Float8E8M0FNUType::get(context);
  default:
    return {};
  }
}

std::string llmc::importer::onnxDataTypeName(int32_t dataType) {
  static const char *const names[] = {
      "UNDEFINED",      "FLOAT",        "UINT8",          "INT8",
      "UINT16",         "INT16",        "INT32",          "INT64",
      "STRING",         "BOOL",         "FLOAT16",        "DOUBLE",
      "UINT32",         "UINT64",       "COMPLEX64",      "COMPLEX128",
      "BFLOAT16",       "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2",
      "FLOAT8E5M2FNUZ", "UINT4",        "INT4",           "FLOAT4E2M1",
      "FLOAT8E8M0"};
  if (dataType >= 0 &&
      dataType < static_cast<int32_t>(sizeof(names) / sizeof(names[0])))
    return names[dataType];
  return "data type " + std::to_string(dataType);
}

std::optional<uint64_t> llmc::importer::onnxStorageBytes(int32_t dataType,
                                                         uint64_t numElements) {
  switch (dataType) {
  case kUint4:
  case kInt4:
  case kFloat4E2M1:
    return (numElements + 1) / 2;
  case kUint8:
  case kInt8:
  case kBool:
  case kFloat8E4M3FN:
  case kFloat8E4M3FNUZ:
  case kFloat8E5M2:
  case kFloat8E5M2FNUZ:
  case kFloat8E8M0:
    return numElements;
  case kUint16:
  case kInt16:
  case kFloat16:
  case kBfloat16:
    return numElements * 2;
  case kFloat:
  case kInt32:
  case kUint32:
    return numElements * 4;
  case kInt64:
  case kUint64:
  case kDouble:
  case kComplex64:
    return numElements * 8;
  case kComplex128:
    return numElements * 16;
  default:
    return std::nullopt;
  }
}
