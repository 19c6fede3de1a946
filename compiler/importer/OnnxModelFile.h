//===- OnnxModelFile.h - an ONNX model and its external data ----*- C++ -*-===//

#ifndef LLMC_COMPILER_IMPORTER_ONNXMODELFILE_H
#define LLMC_COMPILER_IMPORTER_ONNXMODELFILE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>

namespace onnx {
class ModelProto;
class TensorProto;
} // namespace onnx

namespace llmc::importer {

/// A parsed .onnx file and the external-data files its tensors point into.
/// Files are memory-mapped, never read whole: blobs that the importer makes
/// point into these mappings, so this object must outlive the module.
class OnnxModelFile {
public:
  /// Reads and parses `path`. Errors name the file.
  static llvm::Expected<std::unique_ptr<OnnxModelFile>>
  open(llvm::StringRef path);
  ~OnnxModelFile();

  const onnx::ModelProto &getModel() const { return *model; }
  /// For passes over the proto before import (shape inference).
  onnx::ModelProto &getMutableModel() { return *model; }
  llvm::StringRef getPath() const { return path; }

  /// The bytes of a tensor stored as external data, bounds-checked against
  /// the side file; maps the file on first use. Errors name the tensor,
  /// the file, the offset and the length.
  llvm::Expected<llvm::ArrayRef<char>>
  getExternalData(const onnx::TensorProto &tensor);

private:
  OnnxModelFile() = default;

  std::string path;
  std::string directory;
  std::unique_ptr<llvm::MemoryBuffer> modelBuffer;
  std::unique_ptr<onnx::ModelProto> model;
  llvm::StringMap<std::unique_ptr<llvm::MemoryBuffer>> externalFiles;
};

} // namespace llmc::importer

#endif // LLMC_COMPILER_IMPORTER_ONNXMODELFILE_H
