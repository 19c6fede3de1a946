//===- ArtifactFormat.h - the .llmc file layout -----------------*- C++ -*-===//
//
// The on-disk layout of an .llmc artifact, shared by the compiler's writer
// and the runtime's loader (docs/artifact.md describes it for users):
//
//   FileHeader            at offset 0
//   sections              each at a multiple of kSectionAlignment
//   SectionEntry[count]   the section table, at header.sectionTableOffset
//
// All integers are little-endian. Every section, the table and the header
// carry an XXH3-64 hash, so a flipped byte anywhere is found at load time.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_ARTIFACT_ARTIFACTFORMAT_H
#define LLMC_RUNTIME_ARTIFACT_ARTIFACTFORMAT_H

#include <cstdint>

namespace llmc::artifact {

/// "LLMCART" and a NUL.
inline constexpr char kMagic[8] = {'L', 'L', 'M', 'C', 'A', 'R', 'T', '\0'};
/// A loader reads files of its own major version and any minor version up to
/// its own; a new minor version only adds sections or JSON keys.
inline constexpr uint32_t kVersionMajor = 1;
inline constexpr uint32_t kVersionMinor = 0;
/// Sections start on page boundaries so that weights can be mmapped.
inline constexpr uint64_t kSectionAlignment = 4096;
/// Each tensor in the weights section starts on a cache-line boundary.
inline constexpr uint64_t kTensorAlignment = 64;

struct FileHeader {
  char magic[8];
  uint32_t versionMajor;
  uint32_t versionMinor;
  uint64_t fileSize;
  uint64_t sectionTableOffset;
  uint32_t sectionCount;
  uint32_t reserved;
  /// XXH3-64 of the section table.
  uint64_t sectionTableHash;
  /// XXH3-64 of the bytes of this header before this field.
  uint64_t headerHash;
};
static_assert(sizeof(FileHeader) == 56, "FileHeader layout");

struct SectionEntry {
  /// NUL-padded, e.g. "manifest", "plan", "weights", "tokenizer".
  char name[24];
  uint64_t offset;
  uint64_t size;
  /// XXH3-64 of the section's bytes.
  uint64_t hash;
};
static_assert(sizeof(SectionEntry) == 48, "SectionEntry layout");

/// Section names.
inline constexpr const char *kManifestSection = "manifest";
inline constexpr const char *kPlanSection = "plan";
inline constexpr const char *kWeightsSection = "weights";
inline constexpr const char *kTokenizerSection = "tokenizer";
inline constexpr const char *kGenerationSection = "generation";
inline constexpr const char *kCudaFatbinSection = "cuda_fatbin";

} // namespace llmc::artifact

#endif // LLMC_RUNTIME_ARTIFACT_ARTIFACTFORMAT_H
