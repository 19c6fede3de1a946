//===- ArtifactWriter.h - writes the sections of an .llmc file --*- C++ -*-===//
//
// Streams sections into a temporary file beside the destination, hashing
// as it goes, then writes the section table and header and renames the file
// into place, so a failed compile never leaves a half-written artifact.
// The layout is runtime/src/artifact/ArtifactFormat.h.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_COMPILER_ARTIFACT_ARTIFACTWRITER_H
#define LLMC_COMPILER_ARTIFACT_ARTIFACTWRITER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace llmc::artifact {

class ArtifactWriter {
public:
  static llvm::Expected<std::unique_ptr<ArtifactWriter>>
  create(llvm::StringRef path);
  ~ArtifactWriter();

  /// Starts a section at the next page boundary.
  llvm::Error beginSection(llvm::StringRef name);
  llvm::Error write(llvm::ArrayRef<uint8_t> bytes);
  llvm::Error write(llvm::StringRef text) {
    return write(llvm::ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>(text.data()), text.size()));
  }
  /// Pads the current section with zeros to a multiple of `alignment`.
  llvm::Error alignSection(uint64_t alignment);
  /// Bytes written to the current section so far.
  uint64_t sectionSize() const { return current.size; }
  llvm::Error endSection();
  /// Writes the table and header and moves the file into place.
  llvm::Error finish();

private:
  struct Entry {
    std::string name;
    uint64_t offset = 0, size = 0, hash = 0;
  };
  ArtifactWriter() = default;
  llvm::Error writeRaw(const void *data, uint64_t size);
  llvm::Error padFileTo(uint64_t alignment);
  llvm::Error failure(const llvm::Twine &what);

  std::string path, temporaryPath;
  int fd = -1;
  uint64_t position = 0;
  bool inSection = false;
  Entry current;
  void *hashState = nullptr;
  std::vector<Entry> entries;
};

} // namespace llmc::artifact

#endif // LLMC_COMPILER_ARTIFACT_ARTIFACTWRITER_H
