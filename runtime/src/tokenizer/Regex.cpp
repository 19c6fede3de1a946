//===- Regex.cpp - PCRE2 regular expressions ------------------------------===//

#define PCRE2_CODE_UNIT_WIDTH 8

#include "tokenizer/Regex.h"

#include "tokenizer/Unicode.h"

#include <pcre2.h>

namespace llmc::tokenizer {

namespace {

/// Owns a match data block for one search.
struct MatchData {
  explicit MatchData(const pcre2_code *code)
      : data(pcre2_match_data_create_from_pattern(code, nullptr)) {}
  ~MatchData() { pcre2_match_data_free(data); }
  MatchData(const MatchData &) = delete;
  MatchData &operator=(const MatchData &) = delete;
  pcre2_match_data *data;
};

/// Searches from `start`; returns PCRE2's result code. A JIT stack overflow
/// (very long runs for some patterns) is retried with the interpreter, which
/// keeps its backtracking state on the heap.
int search(const pcre2_code *code, std::string_view text, size_t start,
           uint32_t options, pcre2_match_data *data) {
  auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  int rc = pcre2_match(code, subject, text.size(), start,
                       options | PCRE2_NO_UTF_CHECK, data, nullptr);
  if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
    rc =
        pcre2_match(code, subject, text.size(), start,
                    options | PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, data, nullptr);
  return rc;
}

} // namespace

std::unique_ptr<Regex> Regex::compile(std::string_view pattern,
                                      std::string &error) {
  int errorCode = 0;
  PCRE2_SIZE errorOffset = 0;
  pcre2_code *code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()),
                                   pattern.size(), PCRE2_UTF | PCRE2_UCP,
                                   &errorCode, &errorOffset, nullptr);
  if (!code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(errorCode, message, sizeof(message));
    error = "cannot compile regex: " +
            std::string(reinterpret_cast<const char *>(message)) +
            " at offset " + std::to_string(errorOffset);
    return nullptr;
  }
  // Without JIT support PCRE2 interprets the pattern; both give the same
  // matches.
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  return std::unique_ptr<Regex>(new Regex(code));
}

Regex::~Regex() { pcre2_code_free(code); }

std::vector<std::pair<size_t, size_t>>
Regex::findAll(std::string_view text) const {
  std::vector<std::pair<size_t, size_t>> matches;
  MatchData match(code);
  if (!match.data)
    return matches;
  size_t searchFrom = 0;
  bool matchedBefore = false;
  size_t lastMatchEnd = 0;
  while (searchFrom <= text.size()) {
    if (search(code, text, searchFrom, 0, match.data) < 0)
      break;
    PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(match.data);
    size_t start = ovector[0];
    size_t end = ovector[1];
    if (start == end && matchedBefore && lastMatchEnd == end) {
      if (searchFrom >= text.size())
        break;
      searchFrom += utf8CharLength(text, searchFrom);
      continue;
    }
    matches.emplace_back(start, end);
    searchFrom = end;
    lastMatchEnd = end;
    matchedBefore = true;
  }
  return matches;
}

bool Regex::matchesAt(std::string_view text, size_t pos) const {
  MatchData match(code);
  return match.data && search(code, text, pos, PCRE2_ANCHORED, match.data) >= 0;
}

} // namespace llmc::tokenizer
