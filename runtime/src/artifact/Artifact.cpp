//===- Artifact.cpp - mapping and checking an .llmc file ------------------===//

#include "artifact/Artifact.h"

#include "artifact/ArtifactFormat.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace llmc::artifact {
namespace {

llmc_status_t corrupt(const std::string &path, const std::string &what) {
  return llmc_status_make(LLMC_STATUS_DATA_LOSS,
                          "%s: %s (the artifact is corrupted or truncated; "
                          "compile it again)",
                          path.c_str(), what.c_str());
}

} // namespace

llmc_status_t Artifact::open(const std::string &path, bool verifyHashes,
                             std::unique_ptr<Artifact> &out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return llmc_status_make(
        errno == ENOENT ? LLMC_STATUS_NOT_FOUND : LLMC_STATUS_INVALID_ARGUMENT,
        "%s: cannot open: %s", path.c_str(), std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return llmc_status_make(LLMC_STATUS_INVALID_ARGUMENT,
                            "%s: not a regular file", path.c_str());
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size < sizeof(FileHeader)) {
    ::close(fd);
    return corrupt(path, "file of " + std::to_string(size) +
                             " bytes is shorter than the header");
  }
  void *map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED)
    return llmc_status_make(LLMC_STATUS_OUT_OF_MEMORY, "%s: cannot map: %s",
                            path.c_str(), std::strerror(errno));
  std::unique_ptr<Artifact> a(new Artifact());
  a->path_ = path;
  a->base_ = static_cast<const uint8_t *>(map);
  a->size_ = size;

  FileHeader h;
  std::memcpy(&h, a->base_, sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0)
    return llmc_status_make(LLMC_STATUS_INVALID_ARGUMENT,
                            "%s: not an .llmc artifact (bad magic bytes)",
                            path.c_str());
  // The version first: another format version may lay out its header
  // differently.
  if (h.versionMajor != kVersionMajor || h.versionMinor > kVersionMinor)
    return llmc_status_make(
        LLMC_STATUS_UNIMPLEMENTED,
        "%s: artifact format version %u.%u, but this runtime reads %u.0 to "
        "%u.%u; compile the model again with a matching llmc",
        path.c_str(), h.versionMajor, h.versionMinor, kVersionMajor,
        kVersionMajor, kVersionMinor);
  if (XXH3_64bits(a->base_, offsetof(FileHeader, headerHash)) != h.headerHash)
    return corrupt(path, "header checksum mismatch");
  if (h.fileSize != size)
    return corrupt(path, "file is " + std::to_string(size) +
                             " bytes but its header says " +
                             std::to_string(h.fileSize));
  uint64_t tableBytes = uint64_t(h.sectionCount) * sizeof(SectionEntry);
  if (h.sectionCount > 1024 || h.sectionTableOffset > size ||
      tableBytes > size - h.sectionTableOffset)
    return corrupt(path, "section table lies outside the file");
  const uint8_t *table = a->base_ + h.sectionTableOffset;
  if (XXH3_64bits(table, tableBytes) != h.sectionTableHash)
    return corrupt(path, "section table checksum mismatch");
  for (uint32_t i = 0; i < h.sectionCount; ++i) {
    SectionEntry e;
    std::memcpy(&e, table + i * sizeof(SectionEntry), sizeof e);
    std::string name(e.name, strnlen(e.name, sizeof e.name));
    if (e.offset > size || e.size > size - e.offset)
      return corrupt(path, "section '" + name + "' (offset " +
                               std::to_string(e.offset) + ", " +
                               std::to_string(e.size) +
                               " bytes) lies outside the file");
    if (verifyHashes && XXH3_64bits(a->base_ + e.offset, e.size) != e.hash)
      return corrupt(path, "section '" + name + "' checksum mismatch");
    a->sections_.push_back({std::move(name), e.offset, e.size});
  }
  a->versionMajor_ = h.versionMajor;
  a->versionMinor_ = h.versionMinor;
  out = std::move(a);
  return nullptr;
}

Artifact::~Artifact() {
  if (base_)
    munmap(const_cast<uint8_t *>(base_), size_);
}

SectionView Artifact::section(std::string_view name) const {
  for (const Section &s : sections_)
    if (s.name == name)
      return {base_ + s.offset, s.size};
  return {};
}

bool Artifact::hasSection(std::string_view name) const {
  for (const Section &s : sections_)
    if (s.name == name)
      return true;
  return false;
}

std::vector<std::pair<std::string, uint64_t>> Artifact::sections() const {
  std::vector<std::pair<std::string, uint64_t>> result;
  for (const Section &s : sections_)
    result.emplace_back(s.name, s.size);
  return result;
}

} // namespace llmc::artifact
