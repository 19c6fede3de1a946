//===- OnnxOps.h - onnx import-level operations -----------------*- C++ -*-===//

#ifndef LLMC_DIALECTS_ONNX_ONNXOPS_H
#define LLMC_DIALECTS_ONNX_ONNXOPS_H

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/OnnxTypes.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxOps.h.inc"

#endif // LLMC_DIALECTS_ONNX_ONNXOPS_H
