//===- Artifact.h - a loaded .llmc file -------------------------*- C++ -*-===//
//
// Maps an .llmc file read-only and checks it before anything reads it: the
// magic, the version, the header and section-table hashes, that every
// section lies inside the file, and (unless told not to) every section's
// hash. A bad file is a status naming the file and what is wrong with it.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_ARTIFACT_ARTIFACT_H
#define LLMC_RUNTIME_ARTIFACT_ARTIFACT_H

#include "llmc/llmc.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace llmc::artifact {

/// A read-only view of one section's bytes, valid while the Artifact lives.
struct SectionView {
  const uint8_t *data = nullptr;
  uint64_t size = 0;
  std::string_view text() const {
    return {reinterpret_cast<const char *>(data), size};
  }
};

class Artifact {
public:
  /// Maps and checks `path`. `verifyHashes` = false skips the per-section
  /// hashes (the header and table are always checked).
  static llmc_status_t open(const std::string &path, bool verifyHashes,
                            std::unique_ptr<Artifact> &out);
  ~Artifact();
  Artifact(const Artifact &) = delete;
  Artifact &operator=(const Artifact &) = delete;

  /// The named section, or an empty view when the file has none.
  SectionView section(std::string_view name) const;
  bool hasSection(std::string_view name) const;
  const std::string &path() const { return path_; }
  uint64_t fileSize() const { return size_; }
  uint32_t versionMajor() const { return versionMajor_; }
  uint32_t versionMinor() const { return versionMinor_; }
  /// Names and sizes of the sections, in file order.
  std::vector<std::pair<std::string, uint64_t>> sections() const;

private:
  Artifact() = default;
  struct Section {
    std::string name;
    uint64_t offset, size;
  };
  std::string path_;
  const uint8_t *base_ = nullptr;
  uint64_t size_ = 0;
  uint32_t versionMajor_ = 0, versionMinor_ = 0;
  std::vector<Section> sections_;
};

} // namespace llmc::artifact

#endif // LLMC_RUNTIME_ARTIFACT_ARTIFACT_H
