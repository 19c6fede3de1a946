//===- ArtifactWriter.cpp - writes the sections of an .llmc file ----------===//

#include "compiler/artifact/ArtifactWriter.h"

#include "runtime/src/artifact/ArtifactFormat.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace llmc::artifact {

llvm::Expected<std::unique_ptr<ArtifactWriter>>
ArtifactWriter::create(llvm::StringRef path) {
  std::unique_ptr<ArtifactWriter> w(new ArtifactWriter());
  w->path = path.str();
  w->temporaryPath = w->path + ".partial";
  w->fd = ::open(w->temporaryPath.c_str(),
                 O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (w->fd < 0)
    return llvm::createStringError("cannot write '" + w->temporaryPath +
                                   "': " + std::strerror(errno));
  // The header is written last; reserve its place.
  FileHeader blank{};
  if (llvm::Error e = w->writeRaw(&blank, sizeof blank))
    return std::move(e);
  w->hashState = XXH3_createState();
  return w;
}

ArtifactWriter::~ArtifactWriter() {
  if (hashState)
    XXH3_freeState(static_cast<XXH3_state_t *>(hashState));
  if (fd >= 0) {
    ::close(fd);
    ::unlink(temporaryPath.c_str());
  }
}

llvm::Error ArtifactWriter::failure(const llvm::Twine &what) {
  return llvm::createStringError("cannot write '" + temporaryPath +
                                 "': " + what);
}

llvm::Error ArtifactWriter::writeRaw(const void *data, uint64_t size) {
  const char *p = static_cast<const char *>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return failure(std::strerror(errno));
    p += n;
    size -= uint64_t(n);
    position += uint64_t(n);
  }
  return llvm::Error::success();
}

llvm::Error ArtifactWriter::padFileTo(uint64_t alignment) {
  static const uint8_t zeros[4096] = {};
  uint64_t pad = (alignment - position % alignment) % alignment;
  while (pad > 0) {
    uint64_t n = std::min<uint64_t>(pad, sizeof zeros);
    if (llvm::Error e = writeRaw(zeros, n))
      return e;
    pad -= n;
  }
  return llvm::Error::success();
}

llvm::Error ArtifactWriter::beginSection(llvm::StringRef name) {
  if (inSection || name.size() >= sizeof(SectionEntry::name))
    return failure("bad section '" + name + "'");
  if (llvm::Error e = padFileTo(kSectionAlignment))
    return e;
  current = Entry{name.str(), position, 0, 0};
  XXH3_64bits_reset(static_cast<XXH3_state_t *>(hashState));
  inSection = true;
  return llvm::Error::success();
}

llvm::Error ArtifactWriter::write(llvm::ArrayRef<uint8_t> bytes) {
  XXH3_64bits_update(static_cast<XXH3_state_t *>(hashState), bytes.data(),
                     bytes.size());
  current.size += bytes.size();
  return writeRaw(bytes.data(), bytes.size());
}

llvm::Error ArtifactWriter::alignSection(uint64_t alignment) {
  std::vector<uint8_t> zeros((alignment - current.size % alignment) %
                             alignment);
  return write(zeros);
}

llvm::Error ArtifactWriter::endSection() {
  current.hash = XXH3_64bits_digest(static_cast<XXH3_state_t *>(hashState));
  entries.push_back(current);
  inSection = false;
  return llvm::Error::success();
}

llvm::Error ArtifactWriter::finish() {
  if (inSection)
    return failure("a section is still open");
  if (llvm::Error e = padFileTo(8))
    return e;
  std::vector<SectionEntry> table(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    SectionEntry &t = table[i];
    std::memset(&t, 0, sizeof t);
    std::memcpy(t.name, entries[i].name.data(), entries[i].name.size());
    t.offset = entries[i].offset;
    t.size = entries[i].size;
    t.hash = entries[i].hash;
  }
  FileHeader h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.versionMajor = kVersionMajor;
  h.versionMinor = kVersionMinor;
  h.sectionTableOffset = position;
  h.sectionCount = uint32_t(table.size());
  h.sectionTableHash =
      XXH3_64bits(table.data(), table.size() * sizeof(SectionEntry));
  if (llvm::Error e =
          writeRaw(table.data(), table.size() * sizeof(SectionEntry)))
    return e;
  h.fileSize = position;
  h.headerHash = XXH3_64bits(&h, offsetof(FileHeader, headerHash));
  if (::pwrite(fd, &h, sizeof h, 0) != ssize_t(sizeof h))
    return failure(std::strerror(errno));
  ::close(fd);
  fd = -1;
  if (std::error_code ec = llvm::sys::fs::rename(temporaryPath, path)) {
    ::unlink(temporaryPath.c_str());
    return llvm::createStringError("cannot write '" + path +
                                   "': " + ec.message());
  }
  return llvm::Error::success();
}

} // namespace llmc::artifact
