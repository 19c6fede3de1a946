//===- TensorImport.h - ONNX tensors as MLIR attributes ---------*- C++ -*-===//

#ifndef LLMC_COMPILER_IMPORTER_TENSORIMPORT_H
#define LLMC_COMPILER_IMPORTER_TENSORIMPORT_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "llvm/Support/Error.h"

namespace onnx {
class TensorProto;
} // namespace onnx

namespace llmc::importer {
class OnnxModelFile;

/// Makes a dense_resource attribute of `tensor`. Data in raw_data or in an
/// external file is not copied: the blob points into the parsed model or the
/// mapped file, which `file` owns. Data in typed fields (float_data, ...) is
/// converted once into a blob of its own. Every size and offset is checked;
/// errors name the file and the tensor.
llvm::Expected<mlir::ElementsAttr> importTensor(const onnx::TensorProto &tensor,
                                                OnnxModelFile &file,
                                                mlir::MLIRContext *context);
} // namespace llmc::importer

#endif // LLMC_COMPILER_IMPORTER_TENSORIMPORT_H
