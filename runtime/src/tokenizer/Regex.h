//===- Regex.h - PCRE2 regular expressions ----------------------*- C++ -*-===//
//
// The regexes of tokenizer.json are written for Oniguruma (Unicode classes,
// lookahead, inline flags). PCRE2 with UTF and UCP reads them the same; this
// wrapper iterates matches with Oniguruma's rule for empty matches.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_TOKENIZER_REGEX_H
#define LLMC_RUNTIME_TOKENIZER_REGEX_H

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct pcre2_real_code_8;

namespace llmc::tokenizer {

/// A compiled regex. Immutable; matching is thread-safe.
class Regex {
public:
  /// Compiles `pattern` (UTF-8, Unicode classes); on failure returns null and
  /// sets `error` to PCRE2's message and the offset.
  static std::unique_ptr<Regex> compile(std::string_view pattern,
                                        std::string &error);
  ~Regex();
  Regex(const Regex &) = delete;
  Regex &operator=(const Regex &) = delete;

  /// The [start, end) byte ranges of the matches in well-formed UTF-8 `text`,
  /// left to right and not overlapping. An empty match right where the
  /// previous match ended is skipped, as Oniguruma's iterator does.
  std::vector<std::pair<size_t, size_t>> findAll(std::string_view text) const;

  /// Whether the regex matches well-formed UTF-8 `text` starting exactly at
  /// byte `pos`.
  bool matchesAt(std::string_view text, size_t pos) const;

private:
  explicit Regex(pcre2_real_code_8 *code) : code(code) {}
  pcre2_real_code_8 *code;
};

} // namespace llmc::tokenizer

#endif // LLMC_RUNTIME_TOKENIZER_REGEX_H
