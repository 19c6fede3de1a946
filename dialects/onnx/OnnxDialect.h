//===- OnnxDialect.h - onnx import-level dialect ----------------*- C++ -*-===//

#ifndef LLMC_DIALECTS_ONNX_ONNXDIALECT_H
#define LLMC_DIALECTS_ONNX_ONNXDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/onnx/OnnxDialect.h.inc"

#endif // LLMC_DIALECTS_ONNX_ONNXDIALECT_H
