//===- OnnxTypes.h - onnx import-level types --------------------*- C++ -*-===//

#ifndef LLMC_DIALECTS_ONNX_ONNXTYPES_H
#define LLMC_DIALECTS_ONNX_ONNXTYPES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Types.h"

#define GET_TYPEDEF_CLASSES
#include "dialects/onnx/OnnxTypes.h.inc"

#endif // LLMC_DIALECTS_ONNX_ONNXTYPES_H
