//===- OnnxDataTypes.h - ONNX element types in MLIR -------------*- C++ -*-===//

#ifndef LLMC_COMPILER_IMPORTER_ONNXDATATYPES_H
#define LLMC_COMPILER_IMPORTER_ONNXDATATYPES_H

#include "mlir/IR/Types.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace llmc::importer {

/// The MLIR element type of ONNX TensorProto.DataType `dataType`, or null
/// for types a tensor of an LLM cannot hold (STRING, UNDEFINED, unknown).
/// ONNX's int32 data_type lets files name types newer than this machine's
/// onnx.proto (float8, int4, float4), which map as well.
mlir::Type convertOnnxElementType(int32_t dataType, mlir::MLIRContext *context);

/// The ONNX name of a data type ("FLOAT16"), or "data type N".
std::string onnxDataTypeName(int32_t dataType);

/// Bytes that `numElements` values of `dataType` take in raw_data or
/// external data: 4-bit types pack two a byte. None for unsupported types.
std::optional<uint64_t> onnxStorageBytes(int32_t dataType,
                                         uint64_t numElements);

} // namespace llmc::importer

#endif // LLMC_COMPILER_IMPORTER_ONNXDATATYPES_H
