//===- Unicode.cpp - UTF-8 and character properties -----------------------===//

#include "tokenizer/Unicode.h"

#include "tokenizer/Regex.h"

#include <utf8proc.h>

namespace llmc::tokenizer {

namespace {

/// The length of a well-formed sequence whose lead byte is `lead` and the
/// range its second byte must lie in; 0 for a byte that cannot lead one.
struct LeadByte {
  unsigned length;
  unsigned char secondMin;
  unsigned char secondMax;
};

LeadByte classifyLead(unsigned char lead) {
  if (lead >= 0xC2 && lead <= 0xDF)
    return {2, 0x80, 0xBF};
  if (lead == 0xE0)
    return {3, 0xA0, 0xBF};
  if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF)
    return {3, 0x80, 0xBF};
  if (lead == 0xED)
    return {3, 0x80, 0x9F};
  if (lead == 0xF0)
    return {4, 0x90, 0xBF};
  if (lead >= 0xF1 && lead <= 0xF3)
    return {4, 0x80, 0xBF};
  if (lead == 0xF4)
    return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

/// The number of bytes of a well-formed character at `text[pos]`, or 0 when
/// the bytes there are not one.
size_t wellFormedLength(std::string_view text, size_t pos) {
  auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80)
    return 1;
  LeadByte info = classifyLead(lead);
  if (info.length == 0 || pos + info.length > text.size())
    return 0;
  auto second = static_cast<unsigned char>(text[pos + 1]);
  if (second < info.secondMin || second > info.secondMax)
    return 0;
  for (unsigned i = 2; i < info.length; ++i) {
    auto next = static_cast<unsigned char>(text[pos + i]);
    if (next < 0x80 || next > 0xBF)
      return 0;
  }
  return info.length;
}

utf8proc_category_t category(uint32_t codePoint) {
  return utf8proc_category(static_cast<utf8proc_int32_t>(codePoint));
}

} // namespace

bool isValidUtf8(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    size_t length = wellFormedLength(text, pos);
    if (length == 0)
      return false;
    pos += length;
  }
  return true;
}

std::string toValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t length = wellFormedLength(text, pos);
    if (length != 0) {
      out.append(text.substr(pos, length));
      pos += length;
      continue;
    }
    // Replace the maximal subpart: the lead byte and the continuation bytes
    // that could still have completed it.
    appendUtf8(out, kReplacementCharacter);
    LeadByte info = classifyLead(static_cast<unsigned char>(text[pos]));
    size_t end = pos + 1;
    if (info.length != 0 && end < text.size()) {
      auto second = static_cast<unsigned char>(text[end]);
      if (second >= info.secondMin && second <= info.secondMax) {
        ++end;
        while (end < pos + info.length && end < text.size()) {
          auto next = static_cast<unsigned char>(text[end]);
          if (next < 0x80 || next > 0xBF)
            break;
          ++end;
        }
      }
    }
    pos = end;
  }
  return out;
}

size_t utf8CharLength(std::string_view text, size_t pos) {
  auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80)
    return 1;
  if (lead < 0xE0)
    return 2;
  if (lead < 0xF0)
    return 3;
  return 4;
}

uint32_t decodeUtf8(std::string_view text, size_t &pos) {
  auto byte = [&](size_t i) {
    return static_cast<uint32_t>(static_cast<unsigned char>(text[pos + i]));
  };
  uint32_t lead = byte(0);
  uint32_t codePoint;
  size_t length = utf8CharLength(text, pos);
  switch (length) {
  case 1:
    codePoint = lead;
    break;
  case 2:
    codePoint = ((lead & 0x1F) << 6) | (byte(1) & 0x3F);
    break;
  case 3:
    codePoint =
        ((lead & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
    break;
  default:
    codePoint = ((lead & 0x07) << 18) | ((byte(1) & 0x3F) << 12) |
                ((byte(2) & 0x3F) << 6) | (byte(3) & 0x3F);
    break;
  }
  pos += length;
  return codePoint;
}

void appendUtf8(std::string &out, uint32_t codePoint) {
  if (codePoint < 0x80) {
    out.push_back(static_cast<char>(codePoint));
  } else if (codePoint < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (codePoint >> 6)));
    out.push_back(static_cast<char>(0x80 | (codePoint & 0x3F)));
  } else if (codePoint < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (codePoint >> 12)));
    out.push_back(static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (codePoint & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (codePoint >> 18)));
    out.push_back(static_cast<char>(0x80 | ((codePoint >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (codePoint & 0x3F)));
  }
}

bool endsWithReplacementCharacter(std::string_view text) {
  constexpr std::string_view replacement = "\xEF\xBF\xBD";
  return text.size() >= replacement.size() &&
         text.substr(text.size() - replacement.size()) == replacement;
}

bool isWhitespace(uint32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool isAlphanumeric(uint32_t codePoint) {
  if (codePoint < 0x80)
    return (codePoint >= '0' && codePoint <= '9') ||
           (codePoint >= 'a' && codePoint <= 'z') ||
           (codePoint >= 'A' && codePoint <= 'Z');
  if (isNumeric(codePoint))
    return true;
  // Alphabetic is a derived property that utf8proc does not carry; PCRE2
  // knows it.
  static const std::unique_ptr<Regex> alphabetic = [] {
    std::string error;
    return Regex::compile("\\p{Alphabetic}", error);
  }();
  std::string text;
  appendUtf8(text, codePoint);
  return alphabetic && alphabetic->matchesAt(text, 0);
}

bool isNumeric(uint32_t codePoint) {
  switch (category(codePoint)) {
  case UTF8PROC_CATEGORY_ND:
  case UTF8PROC_CATEGORY_NL:
  case UTF8PROC_CATEGORY_NO:
    return true;
  default:
    return false;
  }
}

bool isPunctuation(uint32_t codePoint) {
  if (codePoint < 0x80)
    return (codePoint >= 0x21 && codePoint <= 0x2F) ||
           (codePoint >= 0x3A && codePoint <= 0x40) ||
           (codePoint >= 0x5B && codePoint <= 0x60) ||
           (codePoint >= 0x7B && codePoint <= 0x7E);
  switch (category(codePoint)) {
  case UTF8PROC_CATEGORY_PC:
  case UTF8PROC_CATEGORY_PD:
  case UTF8PROC_CATEGORY_PS:
  case UTF8PROC_CATEGORY_PE:
  case UTF8PROC_CATEGORY_PI:
  case UTF8PROC_CATEGORY_PF:
  case UTF8PROC_CATEGORY_PO:
    return true;
  default:
    return false;
  }
}

bool isCombiningMark(uint32_t codePoint) {
  switch (category(codePoint)) {
  case UTF8PROC_CATEGORY_MN:
  case UTF8PROC_CATEGORY_MC:
  case UTF8PROC_CATEGORY_ME:
    return true;
  default:
    return false;
  }
}

void appendLowercase(std::string &out, uint32_t codePoint) {
  // The one unconditional lowercase mapping of more than one code point in
  // SpecialCasing.txt; utf8proc gives only the simple mappings.
  if (codePoint == 0x130) {
    out += "i\xCC\x87";
    return;
  }
  appendUtf8(out, static_cast<uint32_t>(utf8proc_tolower(
                      static_cast<utf8proc_int32_t>(codePoint))));
}

} // namespace llmc::tokenizer
