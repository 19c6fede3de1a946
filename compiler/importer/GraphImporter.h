//===- GraphImporter.h - ONNX models to the onnx dialect --------*- C++ -*-===//

#ifndef LLMC_COMPILER_IMPORTER_GRAPHIMPORTER_H
#define LLMC_COMPILER_IMPORTER_GRAPHIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

namespace llmc::importer {
class OnnxModelFile;

/// Imports the main graph of `file` as `func.func @main` in a new module:
/// graph inputs are arguments (symbolic dims dynamic, their names kept in
/// `onnx.dims`), initializers `onnx.constant` ops over the mapped data, and
/// every node one `onnx.node`. Value types come from the file and from ONNX
/// shape inference; values of unknown type are `!onnx.unknown`. Errors name
/// the file and the node, tensor or value.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxModel(OnnxModelFile &file, mlir::MLIRContext &context);

} // namespace llmc::importer

#endif // LLMC_COMPILER_IMPORTER_GRAPHIMPORTER_H
