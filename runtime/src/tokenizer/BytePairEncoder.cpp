//===- BytePairEncoder.cpp - The BPE model --------------------------------===//

#include "tokenizer/BytePairEncoder.h"

#include "tokenizer/Unicode.h"

#include <algorithm>
#include <cstdio>
#include <queue>

namespace llmc::tokenizer {

std::unique_ptr<BytePairEncoder>
BytePairEncoder::create(BytePairEncoderOptions options, std::string &error) {
  std::unique_ptr<BytePairEncoder> model(new BytePairEncoder());
  int32_t maxId = -1;
  for (const auto &[token, id] : options.vocab) {
    if (id < 0) {
      error =
          "vocab: token '" + token + "' has negative id " + std::to_string(id);
      return nullptr;
    }
    maxId = std::max(maxId, id);
  }
  // Tokens are kept in an array by id; real vocabs are dense.
  if (maxId >= 0 &&
      static_cast<size_t>(maxId) > 2 * options.vocab.size() + 1024) {
    error = "vocab: id " + std::to_string(maxId) +
            " is far beyond the number of tokens (" +
            std::to_string(options.vocab.size()) + ")";
    return nullptr;
  }
  model->tokens.resize(static_cast<size_t>(maxId + 1));
  model->hasToken.resize(static_cast<size_t>(maxId + 1));
  model->vocab.reserve(options.vocab.size());
  for (auto &[token, id] : options.vocab) {
    model->tokens[id] = token;
    model->hasToken[id] = true;
    model->vocab[std::move(token)] = id;
  }

  size_t prefixLength = options.continuingSubwordPrefix.size();
  model->merges.reserve(options.merges.size());
  for (size_t rank = 0; rank < options.merges.size(); ++rank) {
    const auto &[left, right] = options.merges[rank];
    const std::string merged =
        left + (right.size() >= prefixLength ? right.substr(prefixLength)
                                             : std::string());
    for (const std::string *token : {&left, &right, &merged}) {
      if (!model->vocab.count(*token)) {
        error = "merges[" + std::to_string(rank) + "]: token '" + *token +
                "' is not in the vocab";
        return nullptr;
      }
    }
    // A pair listed twice keeps its last rank, as a Rust HashMap collects it.
    model->merges[pairKey(model->vocab[left], model->vocab[right])] = {
        static_cast<uint32_t>(rank), model->vocab[merged]};
  }

  if (options.unkToken) {
    auto it = model->vocab.find(*options.unkToken);
    if (it == model->vocab.end()) {
      error = "unk_token: '" + *options.unkToken + "' is not in the vocab";
      return nullptr;
    }
    model->unkId = it->second;
  }
  if (options.byteFallback) {
    model->byteIds.assign(256, -1);
    for (unsigned byte = 0; byte < 256; ++byte) {
      char name[8];
      std::snprintf(name, sizeof(name), "<0x%02X>", byte);
      auto it = model->vocab.find(name);
      if (it != model->vocab.end())
        model->byteIds[byte] = it->second;
    }
  }
  model->continuingSubwordPrefix = std::move(options.continuingSubwordPrefix);
  model->endOfWordSuffix = std::move(options.endOfWordSuffix);
  model->fuseUnk = options.fuseUnk;
  model->ignoreMerges = options.ignoreMerges;
  return model;
}

const BytePairEncoder::Merge *BytePairEncoder::findMerge(int32_t left,
                                                         int32_t right) const {
  auto it = merges.find(pairKey(left, right));
  return it == merges.end() ? nullptr : &it->second;
}

int32_t BytePairEncoder::tokenToId(std::string_view token) const {
  auto it = vocab.find(std::string(token));
  return it == vocab.end() ? -1 : it->second;
}

const std::string *BytePairEncoder::idToToken(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= tokens.size() || !hasToken[id])
    return nullptr;
  return &tokens[id];
}

namespace {

/// A token of a word being merged, in a doubly linked list over an array.
/// A symbol merged into its left neighbour gets length 0.
struct Symbol {
  int32_t id;
  int32_t prev;
  int32_t next;
  size_t length;
};

/// A pair that may merge; the queue pops the lowest rank, then the leftmost.
struct Candidate {
  uint32_t rank;
  int32_t pos;
  int32_t newId;
  bool operator<(const Candidate &other) const {
    return rank != other.rank ? rank > other.rank : pos > other.pos;
  }
};

void appendSymbol(std::vector<Symbol> &symbols, int32_t id, size_t length) {
  auto count = static_cast<int32_t>(symbols.size());
  if (!symbols.empty())
    symbols.back().next = count;
  symbols.push_back({id, count - 1, -1, length});
}

} // namespace

void BytePairEncoder::encodeWord(std::string_view word,
                                 std::vector<int32_t> &ids) const {
  if (word.empty())
    return;
  if (ignoreMerges) {
    int32_t id = tokenToId(word);
    if (id >= 0) {
      ids.push_back(id);
      return;
    }
  }

  // The word's characters as tokens, with the unknown token (fused or not)
  // or byte tokens for those the vocab lacks.
  std::vector<Symbol> symbols;
  symbols.reserve(word.size());
  int32_t pendingUnkId = -1;
  size_t pendingUnkLength = 0;
  std::string piece;
  for (size_t pos = 0; pos < word.size();) {
    size_t start = pos;
    size_t length = utf8CharLength(word, pos);
    pos += length;
    piece.clear();
    if (start != 0)
      piece += continuingSubwordPrefix;
    piece.append(word, start, length);
    if (pos >= word.size())
      piece += endOfWordSuffix;

    auto it = vocab.find(piece);
    if (it != vocab.end()) {
      if (pendingUnkId >= 0) {
        appendSymbol(symbols, pendingUnkId, pendingUnkLength);
        pendingUnkId = -1;
      }
      appendSymbol(symbols, it->second, length);
      continue;
    }
    if (!byteIds.empty()) {
      bool allBytes = true;
      for (char c : piece)
        allBytes = allBytes && byteIds[static_cast<uint8_t>(c)] >= 0;
      if (allBytes) {
        for (char c : piece)
          appendSymbol(symbols, byteIds[static_cast<uint8_t>(c)], 1);
        continue;
      }
    }
    if (unkId < 0)
      continue; // Hugging Face drops what it cannot spell.
    if (pendingUnkId >= 0 && fuseUnk) {
      pendingUnkLength += length;
      continue;
    }
    if (pendingUnkId >= 0)
      appendSymbol(symbols, pendingUnkId, pendingUnkLength);
    pendingUnkId = unkId;
    pendingUnkLength = length;
  }
  if (pendingUnkId >= 0)
    appendSymbol(symbols, pendingUnkId, pendingUnkLength);

  std::vector<Candidate> heap;
  heap.reserve(symbols.size());
  for (size_t i = 0; i + 1 < symbols.size(); ++i)
    if (const Merge *merge = findMerge(symbols[i].id, symbols[i + 1].id))
      heap.push_back({merge->rank, static_cast<int32_t>(i), merge->newId});
  std::priority_queue<Candidate> queue(std::less<Candidate>(), std::move(heap));
  while (!queue.empty()) {
    Candidate top = queue.top();
    queue.pop();
    Symbol &left = symbols[top.pos];
    if (left.length == 0 || left.next < 0)
      continue;
    Symbol &right = symbols[left.next];
    // Skip a stale entry: the pair changed since it was queued.
    const Merge *merge = findMerge(left.id, right.id);
    if (!merge || merge->newId != top.newId)
      continue;

    left.id = top.newId;
    left.length += right.length;
    left.next = right.next;
    right.length = 0;
    if (left.next >= 0)
      symbols[left.next].prev = top.pos;

    if (left.prev >= 0)
      if (const Merge *before = findMerge(symbols[left.prev].id, left.id))
        queue.push({before->rank, left.prev, before->newId});
    if (left.next >= 0)
      if (const Merge *after = findMerge(left.id, symbols[left.next].id))
        queue.push({after->rank, top.pos, after->newId});
  }

  for (const Symbol &symbol : symbols)
    if (symbol.length != 0)
      ids.push_back(symbol.id);
}

} // namespace llmc::tokenizer
