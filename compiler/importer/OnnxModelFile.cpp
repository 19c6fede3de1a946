//===- OnnxModelFile.cpp - an ONNX model and its external data ------------===//

#include "compiler/importer/OnnxModelFile.h"

#include "onnx/onnx_pb.h"

#include "google/protobuf/io/coded_stream.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Path.h"

#include <limits>

using namespace llvm;
using namespace llmc::importer;

namespace {
Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}
} // namespace

OnnxModelFile::~OnnxModelFile() = default;

Expected<std::unique_ptr<OnnxModelFile>> OnnxModelFile::open(StringRef path) {
  std::unique_ptr<OnnxModelFile> file(new OnnxModelFile());
  file->path = path.str();
  file->directory = sys::path::parent_path(path).str();
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer = MemoryBuffer::getFile(
      path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(path + ": cannot open: " + buffer.getError().message());
  file->modelBuffer = std::move(*buffer);
  size_t size = file->modelBuffer->getBufferSize();
  if (size > static_cast<size_t>(std::numeric_limits<int>::max()))
    return makeError(path + ": is " + Twine(size) +
                     " bytes; a protobuf message holds at most 2 GiB, so "
                     "weights this large must be saved as external data");
  if (size == 0)
    return makeError(path + ": is empty, not an ONNX model");
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(file->modelBuffer->getBufferStart()),
      static_cast<int>(size));
  stream.SetTotalBytesLimit(std::numeric_limits<int>::max());
  file->model = std::make_unique<onnx::ModelProto>();
  if (!file->model->ParseFromCodedStream(&stream) ||
      !stream.ConsumedEntireMessage())
    return makeError(path + ": not a valid ONNX model (the protobuf does "
                            "not parse: truncated or not an .onnx file)");
  if (!file->model->has_graph())
    return makeError(path + ": the model has no graph");
  return std::move(file);
}

Expected<ArrayRef<char>>
OnnxModelFile::getExternalData(const onnx::TensorProto &tensor) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
    const std::string &key = entry.key();
    StringRef value = entry.value();
    if (key == "location") {
      location = entry.value();
    } else if (key == "offset" || key == "length") {
      uint64_t number;
      if (value.getAsInteger(10, number))
        return makeError(path + ": tensor '" + tensor.name() +
                         "': external data " + key + " '" + value +
                         "' is not a non-negative integer");
      if (key == "offset")
        offset = number;
      else
        length = number;
    }
  }
  if (location.empty())
    return makeError(path + ": tensor '" + tensor.name() +
                     "': external data without a location");
  // The ONNX spec keeps external data beside the model: refuse absolute
  // paths and paths that climb out of the model's folder.
  if (sys::path::is_absolute(location) ||
      llvm::any_of(
          make_range(sys::path::begin(location), sys::path::end(location)),
          [](StringRef part) { return part == ".."; }))
    return makeError(path + ": tensor '" + tensor.name() +
                     "': external data location '" + location +
                     "' is outside the model's folder");

  auto it = externalFiles.find(location);
  if (it == externalFiles.end()) {
    SmallString<256> fullPath(directory);
    sys::path::append(fullPath, location);
    ErrorOr<std::unique_ptr<MemoryBuffer>> buffer = MemoryBuffer::getFile(
        fullPath, /*IsText=*/false, /*RequiresNullTerminator=*/false);
    if (!buffer)
      return makeError(path + ": tensor '" + tensor.name() +
                       "': cannot open external data file '" + fullPath +
                       "': " + buffer.getError().message());
    it = externalFiles.try_emplace(location, std::move(*buffer)).first;
  }
  const MemoryBuffer &data = *it->second;
  uint64_t fileSize = data.getBufferSize();
  uint64_t size =
      length ? *length : (offset <= fileSize ? fileSize - offset : 0);
  if (offset > fileSize || size > fileSize - offset)
    return makeError(path + ": tensor '" + tensor.name() +
                     "': external data at offset " + Twine(offset) +
                     " with length " + Twine(size) + " runs past the end of '" +
                     location + "' (" + Twine(fileSize) + " bytes)");
  return ArrayRef<char>(data.getBufferStart() + offset, size);
}
