//===- StatusTest.cpp - llmc_status_t -------------------------------------===//

#include "llmc/llmc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace {

TEST(Status, OkIsNull) {
  EXPECT_EQ(llmc_status_make(LLMC_STATUS_OK, "ignored"), nullptr);
  EXPECT_EQ(llmc_status_code(nullptr), LLMC_STATUS_OK);
  EXPECT_STREQ(llmc_status_message(nullptr), "");
  llmc_status_free(nullptr);
}

TEST(Status, CarriesCodeAndFormattedMessage) {
  llmc_status_t status = llmc_status_make(
      LLMC_STATUS_DATA_LOSS, "section '%s' checksum mismatch at offset %d",
      "weights", 4096);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(llmc_status_code(status), LLMC_STATUS_DATA_LOSS);
  EXPECT_STREQ(llmc_status_message(status),
               "section 'weights' checksum mismatch at offset 4096");
  llmc_status_free(status);
}

TEST(Status, LongMessagesAreNotTruncated) {
  std::string path(5000, 'x');
  llmc_status_t status =
      llmc_status_make(LLMC_STATUS_NOT_FOUND, "no file '%s'", path.c_str());
  EXPECT_EQ(std::strlen(llmc_status_message(status)), path.size() + 10);
  llmc_status_free(status);
}

TEST(Status, EveryCodeHasADistinctName) {
  const llmc_status_code_t codes[] = {LLMC_STATUS_OK,
                                      LLMC_STATUS_INVALID_ARGUMENT,
                                      LLMC_STATUS_NOT_FOUND,
                                      LLMC_STATUS_DATA_LOSS,
                                      LLMC_STATUS_OUT_OF_MEMORY,
                                      LLMC_STATUS_OUT_OF_RANGE,
                                      LLMC_STATUS_UNIMPLEMENTED,
                                      LLMC_STATUS_UNAVAILABLE,
                                      LLMC_STATUS_INTERNAL};
  for (llmc_status_code_t a : codes) {
    EXPECT_STRNE(llmc_status_code_name(a), "unknown");
    for (llmc_status_code_t b : codes)
      if (a != b) {
        EXPECT_STRNE(llmc_status_code_name(a), llmc_status_code_name(b));
      }
  }
  EXPECT_STREQ(llmc_status_code_name(static_cast<llmc_status_code_t>(99)),
               "unknown");
}

TEST(Version, IsSemantic) {
  std::string version = llmc_runtime_version();
  EXPECT_EQ(std::count(version.begin(), version.end(), '.'), 2) << version;
}

} // namespace
