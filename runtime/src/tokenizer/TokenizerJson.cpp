//===- TokenizerJson.cpp - Reading tokenizer.json -------------------------===//
//
// nlohmann::json throws; every exception stops here and becomes the error
// string, so nothing escapes the tokenizer library.
//
//===----------------------------------------------------------------------===//

#include "tokenizer/TokenizerJson.h"

#include "tokenizer/Unicode.h"

#include <limits>
#include <nlohmann/json.hpp>

namespace llmc::tokenizer {

namespace {

using Json = nlohmann::json;

/// Reads typed members with messages that say where a problem is.
class JsonReader {
public:
  JsonReader(std::string_view sourceName, std::string &error)
      : sourceName(sourceName), error(error) {}

  /// Records the first failure; always returns false.
  bool fail(const std::string &path, const std::string &message) {
    if (error.empty())
      error = sourceName + ": " + (path.empty() ? "" : path + ": ") + message;
    return false;
  }

  /// The member `key` of `object`, or null when it is absent or JSON null.
  static const Json *member(const Json &object, const char *key) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null())
      return nullptr;
    return &*it;
  }

  /// The member `key` of `object`; records that it is missing when it is
  /// absent or JSON null.
  const Json *require(const Json &object, const char *key,
                      const std::string &path) {
    const Json *value = member(object, key);
    if (!value)
      fail(join(path, key), "missing");
    return value;
  }

  bool expectObject(const Json &value, const std::string &path) {
    return value.is_object() || fail(path, "expected an object");
  }

  bool expectArray(const Json &value, const std::string &path) {
    return value.is_array() || fail(path, "expected an array");
  }

  /// Reads an optional string member; `out` keeps its value when absent.
  bool readString(const Json &object, const char *key, const std::string &path,
                  std::string &out) {
    const Json *value = member(object, key);
    if (!value)
      return true;
    if (!value->is_string())
      return fail(join(path, key), "expected a string");
    out = value->get<std::string>();
    return true;
  }

  bool requireString(const Json &object, const char *key,
                     const std::string &path, std::string &out) {
    return require(object, key, path) && readString(object, key, path, out);
  }

  bool readBool(const Json &object, const char *key, const std::string &path,
                bool &out) {
    const Json *value = member(object, key);
    if (!value)
      return true;
    if (!value->is_boolean())
      return fail(join(path, key), "expected true or false");
    out = value->get<bool>();
    return true;
  }

  bool readCount(const Json &object, const char *key, const std::string &path,
                 size_t &out) {
    const Json *value = member(object, key);
    if (!value)
      return true;
    if (!value->is_number_unsigned())
      return fail(join(path, key), "expected a non-negative integer");
    out = value->get<size_t>();
    return true;
  }

  bool readId(const Json &value, const std::string &path, int32_t &out) {
    if (!value.is_number_integer() || value.get<int64_t>() < 0 ||
        value.get<int64_t>() > std::numeric_limits<int32_t>::max())
      return fail(path, "expected a token id (an integer from 0 to 2^31-1)");
    out = static_cast<int32_t>(value.get<int64_t>());
    return true;
  }

  /// Reads a string member of exactly one character.
  bool readCharacter(const Json &object, const char *key,
                     const std::string &path, uint32_t &out) {
    std::string text;
    bool present = member(object, key) != nullptr;
    if (!readString(object, key, path, text))
      return false;
    if (!present)
      return true;
    // nlohmann_json has checked that the string is well-formed UTF-8.
    if (text.empty() || utf8CharLength(text, 0) != text.size())
      return fail(join(path, key), "expected a single character");
    size_t pos = 0;
    out = decodeUtf8(text, pos);
    return true;
  }

  /// Reads {"String": literal} or {"Regex": pattern}.
  bool readPattern(const Json &object, const char *key, const std::string &path,
                   Pattern &out) {
    std::string patternPath = join(path, key);
    const Json *value = require(object, key, path);
    if (!value || !expectObject(*value, patternPath))
      return false;
    if (const Json *literal = member(*value, "String")) {
      if (!literal->is_string())
        return fail(patternPath + ".String", "expected a string");
      out = Pattern::literal(literal->get<std::string>());
      return true;
    }
    if (const Json *regex = member(*value, "Regex")) {
      if (!regex->is_string())
        return fail(patternPath + ".Regex", "expected a string");
      std::string message;
      std::shared_ptr<const Regex> compiled(
          Regex::compile(regex->get<std::string>(), message));
      if (!compiled)
        return fail(patternPath + ".Regex", message);
      out = Pattern::regex(std::move(compiled));
      return true;
    }
    return fail(patternPath, "expected {\"String\": ...} or {\"Regex\": ...}");
  }

  bool readBehavior(const Json &object, const std::string &path,
                    SplitBehavior &out) {
    std::string name;
    if (!readString(object, "behavior", path, name))
      return false;
    if (name.empty())
      return true;
    static const std::pair<const char *, SplitBehavior> behaviors[] = {
        {"Removed", SplitBehavior::Removed},
        {"Isolated", SplitBehavior::Isolated},
        {"MergedWithPrevious", SplitBehavior::MergedWithPrevious},
        {"MergedWithNext", SplitBehavior::MergedWithNext},
        {"Contiguous", SplitBehavior::Contiguous},
    };
    for (const auto &[known, behavior] : behaviors) {
      if (name == known) {
        out = behavior;
        return true;
      }
    }
    return fail(join(path, "behavior"),
                "split behavior '" + name + "' is not supported");
  }

  /// Metaspace's prepend_scheme, or the add_prefix_space of older files.
  bool readPrependScheme(const Json &object, const std::string &path,
                         PrependScheme &out) {
    std::string name;
    if (!readString(object, "prepend_scheme", path, name))
      return false;
    if (name.empty()) {
      bool addPrefixSpace = true;
      if (!readBool(object, "add_prefix_space", path, addPrefixSpace))
        return false;
      out = addPrefixSpace ? PrependScheme::Always : PrependScheme::Never;
      return true;
    }
    if (name == "always")
      out = PrependScheme::Always;
    else if (name == "never")
      out = PrependScheme::Never;
    else if (name == "first")
      out = PrependScheme::First;
    else
      return fail(join(path, "prepend_scheme"),
                  "prepend scheme '" + name + "' is not supported");
    return true;
  }

  /// Reads the "type" of a component object.
  bool readType(const Json &object, const std::string &path,
                std::string &type) {
    return expectObject(object, path) &&
           requireString(object, "type", path, type);
  }

  static std::string join(const std::string &path, const std::string &key) {
    return path.empty() ? key : path + "." + key;
  }
  static std::string index(const std::string &path, size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }

private:
  std::string sourceName;
  std::string &error;
};

/// Reads each element of the array `list` at `path` with `readElement` and
/// appends it to `out`.
template <typename T, typename ReadElement>
bool readArray(JsonReader &reader, const Json &list, const std::string &path,
               ReadElement readElement, std::vector<T> &out) {
  if (!reader.expectArray(list, path))
    return false;
  for (size_t i = 0; i < list.size(); ++i) {
    T element;
    if (!readElement(reader, list[i], JsonReader::index(path, i), element))
      return false;
    out.push_back(std::move(element));
  }
  return true;
}

/// readArray of the required member `key` of `object`, e.g. the list of a
/// "Sequence" component.
template <typename T, typename ReadElement>
bool readArrayMember(JsonReader &reader, const Json &object, const char *key,
                     const std::string &path, ReadElement readElement,
                     std::vector<T> &out) {
  const Json *list = reader.require(object, key, path);
  return list && readArray(reader, *list, JsonReader::join(path, key),
                           readElement, out);
}

/// Reads a "Sequence" component: each element of its list `key` with
/// `readElement`, joined by `createSequence`.
template <typename T>
bool readSequence(
    JsonReader &reader, const Json &json, const std::string &path,
    const char *key,
    bool (*readElement)(JsonReader &, const Json &, const std::string &,
                        std::unique_ptr<T> &),
    std::unique_ptr<T> (*createSequence)(std::vector<std::unique_ptr<T>>),
    std::unique_ptr<T> &out) {
  std::vector<std::unique_ptr<T>> elements;
  if (!readArrayMember(reader, json, key, path, readElement, elements))
    return false;
  out = createSequence(std::move(elements));
  return true;
}

/// JsonReader::readId as an element reader for readArray.
bool readTokenId(JsonReader &reader, const Json &value, const std::string &path,
                 int32_t &id) {
  return reader.readId(value, path, id);
}

// --- Normalizers ----------------------------------------------------------

bool readNormalizer(JsonReader &reader, const Json &json,
                    const std::string &path, std::unique_ptr<Normalizer> &out) {
  std::string type;
  if (!reader.readType(json, path, type))
    return false;
  if (type == "Sequence")
    return readSequence(reader, json, path, "normalizers", readNormalizer,
                        createSequenceNormalizer, out);
  if (type == "Prepend") {
    std::string prefix;
    if (!reader.requireString(json, "prepend", path, prefix))
      return false;
    out = createPrependNormalizer(std::move(prefix));
    return true;
  }
  if (type == "Replace") {
    Pattern pattern = Pattern::literal("");
    std::string content;
    if (!reader.readPattern(json, "pattern", path, pattern) ||
        !reader.requireString(json, "content", path, content))
      return false;
    out = createReplaceNormalizer(std::move(pattern), std::move(content));
    return true;
  }
  static const std::pair<const char *, NormalizationForm> forms[] = {
      {"NFC", NormalizationForm::NFC},
      {"NFD", NormalizationForm::NFD},
      {"NFKC", NormalizationForm::NFKC},
      {"NFKD", NormalizationForm::NFKD},
  };
  for (const auto &[name, form] : forms) {
    if (type == name) {
      out = createUnicodeNormalizer(form);
      return true;
    }
  }
  if (type == "Lowercase") {
    out = createLowercaseNormalizer();
    return true;
  }
  if (type == "Strip") {
    bool left = true;
    bool right = true;
    if (!reader.readBool(json, "strip_left", path, left) ||
        !reader.readBool(json, "strip_right", path, right))
      return false;
    out = createStripNormalizer(left, right);
    return true;
  }
  if (type == "StripAccents") {
    out = createStripAccentsNormalizer();
    return true;
  }
  if (type == "ByteLevel") {
    out = createByteLevelNormalizer();
    return true;
  }
  return reader.fail(path, "normalizer type '" + type +
                               "' is not supported (supported: Sequence, "
                               "Prepend, Replace, NFC, NFD, NFKC, NFKD, "
                               "Lowercase, Strip, StripAccents, ByteLevel)");
}

// --- Pre-tokenizers -------------------------------------------------------

bool readPreTokenizer(JsonReader &reader, const Json &json,
                      const std::string &path,
                      std::unique_ptr<PreTokenizer> &out) {
  std::string type;
  if (!reader.readType(json, path, type))
    return false;
  if (type == "Sequence")
    return readSequence(reader, json, path, "pretokenizers", readPreTokenizer,
                        createSequencePreTokenizer, out);
  if (type == "Split") {
    Pattern pattern = Pattern::literal("");
    SplitBehavior behavior = SplitBehavior::Removed;
    bool invert = false;
    if (!reader.readPattern(json, "pattern", path, pattern) ||
        !reader.readBehavior(json, path, behavior) ||
        !reader.readBool(json, "invert", path, invert))
      return false;
    out = createSplitPreTokenizer(std::move(pattern), behavior, invert);
    return true;
  }
  if (type == "ByteLevel") {
    bool addPrefixSpace = true;
    bool useRegex = true;
    if (!reader.readBool(json, "add_prefix_space", path, addPrefixSpace) ||
        !reader.readBool(json, "use_regex", path, useRegex))
      return false;
    out = createByteLevelPreTokenizer(addPrefixSpace, useRegex);
    return true;
  }
  if (type == "Metaspace") {
    uint32_t replacement = 0x2581; // '▁'
    PrependScheme scheme = PrependScheme::Always;
    bool split = true;
    if (!reader.readCharacter(json, "replacement", path, replacement) ||
        !reader.readPrependScheme(json, path, scheme) ||
        !reader.readBool(json, "split", path, split))
      return false;
    out = createMetaspacePreTokenizer(replacement, scheme, split);
    return true;
  }
  if (type == "Digits") {
    bool individualDigits = false;
    if (!reader.readBool(json, "individual_digits", path, individualDigits))
      return false;
    out = createDigitsPreTokenizer(individualDigits);
    return true;
  }
  if (type == "Whitespace") {
    out = createWhitespacePreTokenizer();
    return true;
  }
  if (type == "WhitespaceSplit") {
    out = createWhitespaceSplitPreTokenizer();
    return true;
  }
  if (type == "Punctuation") {
    SplitBehavior behavior = SplitBehavior::Isolated;
    if (!reader.readBehavior(json, path, behavior))
      return false;
    out = createPunctuationPreTokenizer(behavior);
    return true;
  }
  return reader.fail(path, "pre_tokenizer type '" + type +
                               "' is not supported (supported: Sequence, "
                               "Split, ByteLevel, Metaspace, Digits, "
                               "Whitespace, WhitespaceSplit, Punctuation)");
}

// --- Model ----------------------------------------------------------------

bool readMerge(JsonReader &reader, const Json &merge, const std::string &path,
               std::pair<std::string, std::string> &out) {
  if (merge.is_string()) {
    // The older "left right" form.
    std::string text = merge.get<std::string>();
    size_t space = text.find(' ');
    if (space == std::string::npos)
      return reader.fail(path, "expected \"left right\"");
    out = {text.substr(0, space), text.substr(space + 1)};
    return true;
  }
  if (merge.is_array() && merge.size() == 2 && merge[0].is_string() &&
      merge[1].is_string()) {
    out = {merge[0].get<std::string>(), merge[1].get<std::string>()};
    return true;
  }
  return reader.fail(path, "expected \"left right\" or [\"left\", \"right\"]");
}

bool readModel(JsonReader &reader, const Json &json, const std::string &path,
               std::unique_ptr<BytePairEncoder> &out) {
  if (!reader.expectObject(json, path))
    return false;
  std::string type;
  if (!reader.readString(json, "type", path, type))
    return false;
  // Files from before the "type" tag tell models apart by their fields.
  if (type.empty() && JsonReader::member(json, "merges"))
    type = "BPE";
  if (type.empty())
    return reader.fail(JsonReader::join(path, "type"),
                       "missing, and no \"merges\" to make it BPE");
  if (type != "BPE")
    return reader.fail(path, "model type '" + type +
                                 "' is not supported (supported: BPE)");

  BytePairEncoderOptions options;
  if (const Json *dropout = JsonReader::member(json, "dropout")) {
    if (!dropout->is_number())
      return reader.fail(JsonReader::join(path, "dropout"),
                         "expected a number or null");
    if (dropout->get<double>() != 0.0)
      return reader.fail(JsonReader::join(path, "dropout"),
                         "BPE dropout is not supported (encoding would be "
                         "random)");
  }

  const Json *vocab = reader.require(json, "vocab", path);
  std::string vocabPath = JsonReader::join(path, "vocab");
  if (!vocab || !reader.expectObject(*vocab, vocabPath))
    return false;
  options.vocab.reserve(vocab->size());
  for (const auto &[token, idJson] : vocab->items()) {
    int32_t id;
    if (!reader.readId(idJson, vocabPath + "[\"" + token + "\"]", id))
      return false;
    options.vocab.emplace_back(token, id);
  }

  if (const Json *merges = JsonReader::member(json, "merges"))
    if (!readArray(reader, *merges, JsonReader::join(path, "merges"), readMerge,
                   options.merges))
      return false;

  std::string unkToken;
  if (!reader.readString(json, "unk_token", path, unkToken) ||
      !reader.readString(json, "continuing_subword_prefix", path,
                         options.continuingSubwordPrefix) ||
      !reader.readString(json, "end_of_word_suffix", path,
                         options.endOfWordSuffix) ||
      !reader.readBool(json, "fuse_unk", path, options.fuseUnk) ||
      !reader.readBool(json, "byte_fallback", path, options.byteFallback) ||
      !reader.readBool(json, "ignore_merges", path, options.ignoreMerges))
    return false;
  if (JsonReader::member(json, "unk_token"))
    options.unkToken = unkToken;

  std::string message;
  out = BytePairEncoder::create(std::move(options), message);
  if (!out) {
    // The model's messages start with the member they are about.
    size_t colon = message.find(": ");
    return reader.fail(JsonReader::join(path, message.substr(0, colon)),
                       message.substr(colon + 2));
  }
  return true;
}

// --- Added tokens ---------------------------------------------------------

bool readAddedToken(JsonReader &reader, const Json &entry,
                    const std::string &path, AddedToken &token) {
  if (!reader.expectObject(entry, path))
    return false;
  const Json *id = reader.require(entry, "id", path);
  return id && reader.readId(*id, JsonReader::join(path, "id"), token.id) &&
         reader.requireString(entry, "content", path, token.content) &&
         reader.readBool(entry, "single_word", path, token.singleWord) &&
         reader.readBool(entry, "lstrip", path, token.lstrip) &&
         reader.readBool(entry, "rstrip", path, token.rstrip) &&
         reader.readBool(entry, "normalized", path, token.normalized) &&
         reader.readBool(entry, "special", path, token.special);
}

// --- Post-processors ------------------------------------------------------

/// Reads a ["token", id] pair of RobertaProcessing and BertProcessing.
bool readTokenPair(JsonReader &reader, const Json &json, const char *key,
                   const std::string &path, int32_t &id) {
  const Json *pair = reader.require(json, key, path);
  if (!pair)
    return false;
  std::string pairPath = JsonReader::join(path, key);
  if (!pair->is_array() || pair->size() != 2 || !(*pair)[0].is_string())
    return reader.fail(pairPath, "expected [\"token\", id]");
  return reader.readId((*pair)[1], pairPath + "[1]", id);
}

/// Reads one piece of a template: {"Sequence": ...} or {"SpecialToken": ...},
/// whose ids come from `special`, the template's special_tokens at
/// `specialPath` (null when it has none).
bool readTemplatePiece(JsonReader &reader, const Json &entry,
                       const std::string &path, const Json *special,
                       const std::string &specialPath, TemplatePiece &piece) {
  if (!reader.expectObject(entry, path))
    return false;
  if (JsonReader::member(entry, "Sequence")) {
    piece.isSequence = true;
    return true;
  }
  const Json *token = JsonReader::member(entry, "SpecialToken");
  if (!token)
    return reader.fail(path,
                       "expected {\"Sequence\": ...} or {\"SpecialToken\": "
                       "...}");
  std::string name;
  if (!reader.expectObject(*token, path + ".SpecialToken") ||
      !reader.requireString(*token, "id", path + ".SpecialToken", name))
    return false;
  const Json *definition =
      special ? JsonReader::member(*special, name.c_str()) : nullptr;
  if (!definition)
    return reader.fail(path,
                       "special token '" + name + "' is not in special_tokens");
  std::string definitionPath = specialPath + "[\"" + name + "\"]";
  return reader.expectObject(*definition, definitionPath) &&
         readArrayMember(reader, *definition, "ids", definitionPath,
                         readTokenId, piece.ids);
}

bool readTemplate(JsonReader &reader, const Json &json, const std::string &path,
                  std::vector<TemplatePiece> &out) {
  const Json *special = JsonReader::member(json, "special_tokens");
  std::string specialPath = JsonReader::join(path, "special_tokens");
  if (special && !reader.expectObject(*special, specialPath))
    return false;
  auto readPiece = [special, &specialPath](
                       JsonReader &reader, const Json &entry,
                       const std::string &entryPath, TemplatePiece &piece) {
    return readTemplatePiece(reader, entry, entryPath, special, specialPath,
                             piece);
  };
  return readArrayMember(reader, json, "single", path, readPiece, out);
}

bool readPostProcessor(JsonReader &reader, const Json &json,
                       const std::string &path,
                       std::unique_ptr<PostProcessor> &out) {
  std::string type;
  if (!reader.readType(json, path, type))
    return false;
  if (type == "TemplateProcessing") {
    std::vector<TemplatePiece> single;
    if (!readTemplate(reader, json, path, single))
      return false;
    out = createTemplatePostProcessor(std::move(single));
    return true;
  }
  if (type == "RobertaProcessing" || type == "BertProcessing") {
    int32_t cls;
    int32_t sep;
    if (!readTokenPair(reader, json, "cls", path, cls) ||
        !readTokenPair(reader, json, "sep", path, sep))
      return false;
    out = createWrapPostProcessor({cls}, {sep});
    return true;
  }
  if (type == "ByteLevel") {
    out = createIdentityPostProcessor();
    return true;
  }
  if (type == "Sequence")
    return readSequence(reader, json, path, "processors", readPostProcessor,
                        createSequencePostProcessor, out);
  return reader.fail(path, "post_processor type '" + type +
                               "' is not supported (supported: "
                               "TemplateProcessing, RobertaProcessing, "
                               "BertProcessing, ByteLevel, Sequence)");
}

// --- Decoders -------------------------------------------------------------

bool readDecoder(JsonReader &reader, const Json &json, const std::string &path,
                 std::unique_ptr<Decoder> &out) {
  std::string type;
  if (!reader.readType(json, path, type))
    return false;
  if (type == "Sequence")
    return readSequence(reader, json, path, "decoders", readDecoder,
                        createSequenceDecoder, out);
  if (type == "ByteLevel") {
    out = createByteLevelDecoder();
    return true;
  }
  if (type == "Metaspace") {
    uint32_t replacement = 0x2581; // '▁'
    PrependScheme scheme = PrependScheme::Always;
    if (!reader.readCharacter(json, "replacement", path, replacement) ||
        !reader.readPrependScheme(json, path, scheme))
      return false;
    out = createMetaspaceDecoder(replacement, scheme);
    return true;
  }
  if (type == "ByteFallback") {
    out = createByteFallbackDecoder();
    return true;
  }
  if (type == "Fuse") {
    out = createFuseDecoder();
    return true;
  }
  if (type == "Strip") {
    uint32_t content = ' ';
    size_t start = 0;
    size_t stop = 0;
    if (!reader.readCharacter(json, "content", path, content) ||
        !reader.readCount(json, "start", path, start) ||
        !reader.readCount(json, "stop", path, stop))
      return false;
    out = createStripDecoder(content, start, stop);
    return true;
  }
  if (type == "Replace") {
    Pattern pattern = Pattern::literal("");
    std::string content;
    if (!reader.readPattern(json, "pattern", path, pattern) ||
        !reader.requireString(json, "content", path, content))
      return false;
    out = createReplaceDecoder(std::move(pattern), std::move(content));
    return true;
  }
  if (type == "BPEDecoder") {
    std::string suffix = "</w>";
    if (!reader.readString(json, "suffix", path, suffix))
      return false;
    out = createBpeSuffixDecoder(std::move(suffix));
    return true;
  }
  return reader.fail(path, "decoder type '" + type +
                               "' is not supported (supported: Sequence, "
                               "ByteLevel, Metaspace, ByteFallback, Fuse, "
                               "Strip, Replace, BPEDecoder)");
}

bool readTokenizer(JsonReader &reader, const Json &root,
                   TokenizerParts &parts) {
  if (!root.is_object())
    return reader.fail("", "expected a JSON object at the top level");
  if (const Json *normalizer = JsonReader::member(root, "normalizer"))
    if (!readNormalizer(reader, *normalizer, "normalizer", parts.normalizer))
      return false;
  if (const Json *preTokenizer = JsonReader::member(root, "pre_tokenizer"))
    if (!readPreTokenizer(reader, *preTokenizer, "pre_tokenizer",
                          parts.preTokenizer))
      return false;
  const Json *model = reader.require(root, "model", "");
  if (!model || !readModel(reader, *model, "model", parts.model))
    return false;
  if (const Json *postProcessor = JsonReader::member(root, "post_processor"))
    if (!readPostProcessor(reader, *postProcessor, "post_processor",
                           parts.postProcessor))
      return false;
  if (const Json *decoder = JsonReader::member(root, "decoder"))
    if (!readDecoder(reader, *decoder, "decoder", parts.decoder))
      return false;
  if (const Json *added = JsonReader::member(root, "added_tokens"))
    if (!readArray(reader, *added, "added_tokens", readAddedToken,
                   parts.addedTokens))
      return false;
  return true;
}

} // namespace

bool parseTokenizerJson(std::string_view json, std::string_view sourceName,
                        TokenizerParts &parts, std::string &error) {
  error.clear();
  JsonReader reader(sourceName, error);
  try {
    Json root = Json::parse(json.begin(), json.end());
    return readTokenizer(reader, root, parts);
  } catch (const Json::parse_error &e) {
    // what() is "[json.exception.parse_error.101] parse error at line 3,
    // column 7: ..."; the bracketed id means nothing to a user.
    std::string message = e.what();
    size_t bracket = message.find("] ");
    if (bracket != std::string::npos)
      message = message.substr(bracket + 2);
    // The message quotes the input, which may be ill-formed UTF-8.
    return reader.fail("", "malformed JSON: " + toValidUtf8(message));
  } catch (const std::exception &e) {
    return reader.fail("", std::string("cannot read: ") + e.what());
  }
}

} // namespace llmc::tokenizer
