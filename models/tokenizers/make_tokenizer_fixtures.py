"""Small trained tokenizers in the styles of real model families, with reference encodings and
decodings from Hugging Face `tokenizers`: the runtime tokenizer's test fixtures.

    python3 -m venv /tmp/tokvenv && /tmp/tokvenv/bin/pip install tokenizers==0.23.3
    /tmp/tokvenv/bin/python models/tokenizers/make_tokenizer_fixtures.py \
        --out test/fixtures/tokenizers [--tinycode PATH/TO/tokenizer.json] [--retrain]

Needs only the `tokenizers` package (no hub access, no transformers); runs in seconds.

Each fixture is a folder with tokenizer.json and reference.json. An existing tokenizer.json is
kept (only its reference.json is made again) unless --retrain: training with a subword prefix
or suffix is not reproducible. The tokenizers are trained on a small mixed corpus written below
(English, code, a few non-Latin scripts) and then given the pipeline of the family they imitate:

    gpt2       ByteLevel pre-tokenizer with the GPT-2 regex, ByteLevel decoder, <|endoftext|>
    roberta    ByteLevel with add_prefix_space, RobertaProcessing (<s> A </s>), <mask> lstrip
    llama3     Split(Llama-3 regex) + ByteLevel(use_regex=False), ignore_merges, specials after
               the vocabulary, TemplateProcessing adding <|begin_of_text|>
    qwen2      NFC, Split(Qwen2 regex) + ByteLevel(use_regex=False), <|im_start|>/<|im_end|>
    o200k      Split(GPT-4o's o200k regex: case classes, \\p{M}) + ByteLevel, ignore_merges
    deepseek3  DeepSeek-V3's three Splits (digits, CJK ranges, punctuation/symbol classes) +
               ByteLevel, full-width special tokens, TemplateProcessing adding the BOS
    llama2     SentencePiece-style BPE: Prepend("▁") + Replace(" ", "▁") normalizer, no
               pre-tokenizer, byte_fallback with <0x00>..<0xFF>, <unk> fused, decoder
               Replace + ByteFallback + Fuse + Strip, TemplateProcessing adding <s>
    metaspace  Metaspace pre-tokenizer (prepend_scheme "first"), byte_fallback, decoder
               ByteFallback + Metaspace, as recent Mistral/Llama conversions
    bertlike   NFKD + StripAccents + Lowercase, Whitespace + Digits(individual), BPE with
               "##" continuing prefix and [UNK], no decoder, BertProcessing, added tokens with
               single_word and normalized
    cliplike   NFC + Replace(\\s+) + Lowercase + Strip, WhitespaceSplit + Punctuation + Digits,
               BPE with "</w>" suffix, BPEDecoder, RobertaProcessing, an rstrip added token
    tinycode   models/tinycode's real tokenizer (Llama-3 regex, 4096 tokens), copied

reference.json holds, for every text of the text set: the ids of encode(text,
add_special_tokens=True) and (False), and the decode of the first with skip_special_tokens
False and True. It also holds decode-only cases: id sequences that no encode gives (random ids,
lone byte tokens), with their decodes.
"""

import argparse
import json
import random
import shutil
from pathlib import Path

import tokenizers
from tokenizers import (AddedToken, Regex, Tokenizer, decoders, models, normalizers,
                        pre_tokenizers, processors, trainers)

GPT2_BYTE_ALPHABET = pre_tokenizers.ByteLevel.alphabet()

LLAMA3_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
                r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
O200K_REGEX = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+"
               r"(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+"
               r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}|"
               r" ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")
DEEPSEEK3_REGEXES = [
    r"\p{N}{1,3}",
    r"[一-龥぀-ゟ゠-ヿ]+",
    r"[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+|"
    r" ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
]
QWEN2_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|"
               r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")

# --- Training corpus ------------------------------------------------------------------------

ENGLISH = """\
The quick brown fox jumps over the lazy dog. It's a sentence that uses every letter.
I'm sure they'll say it's fine, but we've seen what happens when you don't test the code.
A compiler turns programs into machine code; a tokenizer turns text into numbers.
Large language models read tokens, not characters, and each token is an index into a table.
She sells sea shells by the sea shore, and the shells she sells are surely sea shells.
In 1969, 600 million people watched the landing; in 2024 the numbers were 1234 and 5678.
The weather today is sunny with a high of 25 degrees and a low of 12 degrees.
Please don't forget to bring your umbrella, because it'll probably rain this afternoon.
Hello world! Hello, World. HELLO WORLD? hello-world: hello_world; "hello" 'world'
Reading, writing and arithmetic were the three subjects taught in the old schools.
The committee's decision was announced on Tuesday; nobody knew what they'd decided before.
Performance matters: the merge loop must not be quadratic for long words.
Streams of bytes become valid text only when every multi-byte sequence is complete.
"""

CODE = """\
def add(a, b):
    return a + b

def fibonacci(n):
    if n < 2:
        return n
    return fibonacci(n - 1) + fibonacci(n - 2)

class Tokenizer:
    def __init__(self, vocab):
        self.vocab = dict(vocab)

    def encode(self, text):
        return [self.vocab[c] for c in text if c in self.vocab]

for (int i = 0; i < n; ++i) {
    sum += values[i] * weights[i];
}
#include <stdio.h>
int main(void) {
    printf("hello, world\\n");
    return 0;
}
std::vector<int32_t> ids = tokenizer.encode(text, /*addSpecialTokens=*/true);
const x = await fetch("https://example.com/api?q=1&n=20");
if (x != nullptr && y >= 0) { return x->value; } else { return -1; }
SELECT name, COUNT(*) FROM users WHERE age > 30 GROUP BY name;
"""

OTHER_SCRIPTS = """\
Café, déjà vu, naïve, façade, Ångström, crème brûlée, São Paulo, Zürich, Straße.
El niño comió una manzana. ¿Dónde está la biblioteca? ¡Qué bueno!
中文文本处理是自然语言处理的重要部分。我们今天学习分词。
日本語のテキストもあります。東京は日本の首都です。
Привет, мир! Это простой текст на русском языке для обучения.
Γειά σου κόσμε! Η γλώσσα είναι ελληνική.
مرحبا بالعالم. هذه جملة باللغة العربية.
שלום עולם, זה טקסט בעברית.
Emoji: 😀 😂 👍 ❤️ 🎉 🚀
"""


def corpus_lines():
    lines = []
    for block in (ENGLISH, CODE, OTHER_SCRIPTS):
        lines.extend(block.splitlines(keepends=True))
    rng = random.Random(1234)
    words = ENGLISH.split()
    for _ in range(200):
        lines.append(" ".join(rng.choice(words) for _ in range(12)) + "\n")
    for _ in range(40):
        lines.append(f"x{rng.randint(0, 999)} = {rng.randint(0, 10**6)} + {rng.random():.4f}\n")
    # The corpus three times: enough pair counts for ~1000 merges.
    return lines * 3


# --- Text set -------------------------------------------------------------------------------

LONG_TEXT = (ENGLISH + CODE + OTHER_SCRIPTS) * 2 + "x" * 300 + " " * 50 + "\n" * 7

COMMON_TEXTS = [
    "",
    " ",
    "Hello world",
    "Hello, world! How are you doing today?",
    " leading space",
    "   three leading spaces and trailing   ",
    "tabs\tand\t\ttabs\t",
    "line one\nline two\n\nline four\n",
    "windows\r\nline\r\nendings\r\n\r\n",
    "mixed \t \n whitespace \n\n\t  runs    \n",
    "I'm sure they'll say it's John's; we've seen 'em. DON'T YOU'RE I'D WE'LL",
    "The number 1234567890123 and 3.14159 and 42 and 007 and 1,000,000",
    "def add(a, b):\n    return a + b  # sum\n",
    "for (int i = 0; i < n; ++i) { x[i] = y[i] * 2; }",
    "\t\tif (x) {\n\t\t\treturn;\n\t\t}",
    "Café déjà vu, naïve façade, Ångström, Straße",
    "e\u0301 decomposed vs \u00e9 composed, A\u030a and \u212b, \ufb01 ligature, \u2460 circled",
    "中文文本和日本語のテキスト",
    "Привет, мир! Γειά σου κόσμε",
    "مرحبا بالعالم",
    "emoji 😀👍🏽 family 👨\u200d👩\u200d👧\u200d👦 flag 🇫🇷 rainbow 🏳️\u200d🌈",
    "not in training: 한국어 텍스트 ไทย हिन्दी ᚠᛇᚻ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "a" * 80,
    "abababababababababababababababab",
    "ababababababababab",
    "x ababababababababab",
    "\n",
    "   ",
    "a   ",
    " \n \r\n\r\n  \r\n\t",
    "\u00a0non-breaking\u00a0space and \u3000 ideographic space",
    "zero\u200bwidth and \ufeff BOM and \u2028 line separator",
    "nul\x00char and \x07 bell and \x1b[31m escape",
    "<0x41> literal byte token text and <unk> and <s> and </s>",
    "URL https://example.com/a/b?c=d&e=f#g and email a.b@c.de",
    "!!!???...;;;---+++===",
    "ÀÉÎÕÜ àéîõü İstanbul ǅ ß ẞ",
    LONG_TEXT,
]


def special_texts(specials):
    texts = []
    if specials:
        joined = "".join(specials)
        texts.append(joined)
        texts.append(" ".join(specials))
        texts.append(f"{specials[0]}Hello{specials[-1]} world {specials[0]} again")
        texts.append(f"text before {specials[-1]}\n\nand after{specials[0]}")
        texts.append(f"partial {specials[0][:-1]} token")
    return texts


def chat_texts(name):
    if name in ("llama3", "tinycode"):
        return ["<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n"
                "What is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
                "4<|eot_id|>"]
    if name == "qwen2":
        return ["<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
                "<|im_start|>assistant\n<think>\nhmm\n</think>\n\n4<|im_end|>"]
    if name in ("llama2", "metaspace"):
        return ["<s>[INST] What is 2+2? [/INST] 4 </s><s>[INST] Thanks [/INST]"]
    if name == "roberta":
        return ["The capital of France is <mask>.", "Paris is<mask>   <mask>!"]
    if name == "bertlike":
        return ["[CLS] the capital is [MASK] . [SEP]", "Hello World and hello  world",
                "xhello world", "say HELLO WORLD!", "hellohello world", "Héllo wörld"]
    if name == "cliplike":
        return ["a photo of a <|endoftext|>   cat", "<|startoftext|>A Dog<|endoftext|>",
                "[img]   after image [img]"]
    return []


# --- Tokenizers -----------------------------------------------------------------------------


def bpe_trainer(vocab_size, special_tokens=(), **kwargs):
    return trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(special_tokens),
                               show_progress=False, **kwargs)


def edit_json(tok, edit):
    """Returns a tokenizer made from tok's JSON after edit(dict) changed it."""
    data = json.loads(tok.to_str())
    edit(data)
    return Tokenizer.from_str(json.dumps(data))


def make_gpt2():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    tok.train_from_iterator(corpus_lines(), bpe_trainer(
        1000, ["<|endoftext|>"], initial_alphabet=GPT2_BYTE_ALPHABET))
    return tok


def make_roberta():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(corpus_lines(), bpe_trainer(
        700, ["<s>", "<pad>", "</s>", "<unk>"], initial_alphabet=GPT2_BYTE_ALPHABET))
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, normalized=False)])
    tok.post_processor = processors.RobertaProcessing(
        ("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>")))
    return tok


LLAMA3_SPECIALS = ["<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>",
                   "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]

# Words put straight into the vocabulary, without merges that make them: with ignore_merges a
# pre-token equal to one of them is that one token; without, it is what the merges make.
UNMERGEABLE_WORDS = ["Ġsupercalifragilisticexpialidocious", "Ġantidisestablishmentarianism",
                     "ababababababababab", "Ġababababababababab"]


def make_llama3():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(corpus_lines(), bpe_trainer(
        1200, initial_alphabet=GPT2_BYTE_ALPHABET))

    def edit(data):
        model = data["model"]
        model["ignore_merges"] = True
        for word in UNMERGEABLE_WORDS:
            model["vocab"].setdefault(word, len(model["vocab"]))
    tok = edit_json(tok, edit)
    tok.add_special_tokens(LLAMA3_SPECIALS)
    bos = "<|begin_of_text|>"
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single=f"{bos} $A", pair=f"{bos} $A {bos} $B:1",
                                      special_tokens=[(bos, tok.token_to_id(bos))]),
    ])
    return tok


def make_qwen2():
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False,
                                     use_regex=False)
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False,
                                              use_regex=False)
    tok.train_from_iterator(corpus_lines(), bpe_trainer(
        1100, initial_alphabet=GPT2_BYTE_ALPHABET))
    tok.add_special_tokens(["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    tok.add_tokens([AddedToken("<think>", normalized=False, special=False),
                    AddedToken("</think>", normalized=False, special=False)])
    return tok


def make_o200k():
    tok = Tokenizer(models.BPE(ignore_merges=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(O200K_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(corpus_lines(), bpe_trainer(
        900, ["<|endoftext|>", "<|endofprompt|>"], initial_alphabet=GPT2_BYTE_ALPHABET))
    return tok


def make_deepseek3():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Split(Regex(r), behavior="isolated", invert=False)
         for r in DEEPSEEK3_REGEXES]
        + [pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True,
                                    use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(corpus_lines(), bpe_trainer(
        900, initial_alphabet=GPT2_BYTE_ALPHABET))
    tok.add_special_tokens(["<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"])
    bos = "<｜begin▁of▁sentence｜>"
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A", pair=f"{bos} $A {bos} $B:1",
        special_tokens=[(bos, tok.token_to_id(bos))])
    return tok


def with_byte_tokens(tok, specials):
    """Rebuilds a trained SentencePiece-style tokenizer with <0x00>..<0xFF> in its vocabulary
    right after the specials, as Llama-2's has them (vocabulary tokens, not added tokens)."""
    data = json.loads(tok.to_str())
    old = sorted(data["model"]["vocab"].items(), key=lambda item: item[1])
    vocab = {}
    for token in specials:
        vocab[token] = len(vocab)
    for byte in range(256):
        vocab[f"<0x{byte:02X}>"] = len(vocab)
    for token, _ in old:
        if token not in vocab:
            vocab[token] = len(vocab)
    data["model"]["vocab"] = vocab
    data["added_tokens"] = []
    new = Tokenizer.from_str(json.dumps(data))
    new.add_special_tokens(specials)
    return new


def make_llama2():
    specials = ["<unk>", "<s>", "</s>"]
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"),
                                           normalizers.Replace(" ", "▁")])
    # Training splits before each "▁" so that merges stay within words, as SentencePiece's do;
    # the tokenizer then runs, as Llama-2's, with no pre-tokenizer at all.
    tok.pre_tokenizer = pre_tokenizers.Split("▁", behavior="merged_with_next")
    tok.train_from_iterator(corpus_lines(), bpe_trainer(1000, specials))
    tok = with_byte_tokens(tok, specials)
    tok.pre_tokenizer = None
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(),
                                     decoders.Fuse(), decoders.Strip(" ", 1, 0)])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A <s> $B:1", special_tokens=[("<s>", 1)])
    return tok


def make_metaspace():
    specials = ["<unk>", "<s>", "</s>"]
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first",
                                                 split=True)
    tok.train_from_iterator(corpus_lines(), bpe_trainer(900, specials))
    tok = with_byte_tokens(tok, specials)
    tok.decoder = decoders.Sequence([decoders.ByteFallback(),
                                     decoders.Metaspace(replacement="▁",
                                                        prepend_scheme="first")])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A <s> $B:1", special_tokens=[("<s>", 1)])
    return tok


def make_bertlike():
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.BPE(unk_token="[UNK]", continuing_subword_prefix="##"))
    tok.normalizer = normalizers.Sequence([normalizers.NFKD(), normalizers.StripAccents(),
                                           normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Whitespace(),
                                                 pre_tokenizers.Digits(individual_digits=True)])
    tok.train_from_iterator(corpus_lines(), bpe_trainer(
        800, specials, continuing_subword_prefix="##", limit_alphabet=120))
    # "hello world" only as a word of its own; "hello" anywhere, but where "hello world" is
    # found and refused, the search goes on after it (Aho-Corasick, leftmost-longest).
    tok.add_tokens([AddedToken("hello world", single_word=True, normalized=True),
                    AddedToken("hello", normalized=True)])
    tok.post_processor = processors.BertProcessing(
        ("[SEP]", tok.token_to_id("[SEP]")), ("[CLS]", tok.token_to_id("[CLS]")))
    return tok


def make_cliplike():
    tok = Tokenizer(models.BPE(unk_token="<|unk|>", end_of_word_suffix="</w>"))
    tok.normalizer = normalizers.Sequence([
        normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase(),
        normalizers.Strip()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(behavior="isolated"),
        pre_tokenizers.Digits(individual_digits=False)])
    tok.decoder = decoders.BPEDecoder(suffix="</w>")
    tok.train_from_iterator(corpus_lines(), bpe_trainer(
        800, ["<|unk|>", "<|startoftext|>", "<|endoftext|>"], end_of_word_suffix="</w>",
        limit_alphabet=150))
    tok.add_tokens([AddedToken("[img]", rstrip=True, lstrip=False, normalized=False)])
    tok.post_processor = processors.RobertaProcessing(
        ("<|endoftext|>", tok.token_to_id("<|endoftext|>")),
        ("<|startoftext|>", tok.token_to_id("<|startoftext|>")))
    return tok


MAKERS = {
    "gpt2": make_gpt2,
    "roberta": make_roberta,
    "llama3": make_llama3,
    "qwen2": make_qwen2,
    "o200k": make_o200k,
    "deepseek3": make_deepseek3,
    "llama2": make_llama2,
    "metaspace": make_metaspace,
    "bertlike": make_bertlike,
    "cliplike": make_cliplike,
}

# --- References -----------------------------------------------------------------------------


def byte_token_ids(tok):
    ids = {b: tok.token_to_id(f"<0x{b:02X}>") for b in range(256)}
    return ids if all(v is not None for v in ids.values()) else None


def decode_only_sequences(tok, name):
    """Id sequences that encode never gives: decoders must still match."""
    rng = random.Random(name)
    size = tok.get_vocab_size(with_added_tokens=True)
    sequences = [[rng.randrange(size) for _ in range(24)] for _ in range(6)]
    byte_ids = byte_token_ids(tok)
    if byte_ids is not None:
        hello = tok.encode("Hello", add_special_tokens=False).ids
        # A complete 3-byte character, a lone lead byte, an invalid group, a valid group
        # followed by a stray continuation byte, an incomplete character at the end.
        sequences.append([byte_ids[0xE4], byte_ids[0xB8], byte_ids[0xAD]] + hello)
        sequences.append(hello + [byte_ids[0xE4]] + hello)
        sequences.append([byte_ids[0x41], byte_ids[0xE4], byte_ids[0x42]] + hello)
        sequences.append([byte_ids[0xE4], byte_ids[0xB8], byte_ids[0xAD], byte_ids[0x80]])
        sequences.append(hello + [byte_ids[0xF0], byte_ids[0x9F], byte_ids[0x98]])
    else:
        # Byte-level: single-byte tokens of a split character, and a stray continuation byte.
        def byte_level_id(b):
            return tok.token_to_id(GPT2_BYTES_TO_CHARS[b])
        hello = tok.encode("Hello", add_special_tokens=False).ids
        ids = [byte_level_id(b) for b in "中".encode()]
        if all(i is not None for i in ids):
            sequences.append(ids[:2] + hello + ids)
            sequences.append(hello + [byte_level_id(0x80)] + hello + ids[:1])
    return sequences


def gpt2_bytes_to_chars():
    bs = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
          + list(range(ord("®"), ord("ÿ") + 1)))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


GPT2_BYTES_TO_CHARS = gpt2_bytes_to_chars()


def reference(tok, name):
    specials = [t.content for t in tok.get_added_tokens_decoder().values() if t.special]
    texts = COMMON_TEXTS + special_texts(specials) + chat_texts(name)
    cases = []
    for text in texts:
        ids = tok.encode(text, add_special_tokens=True).ids
        cases.append({
            "text": text,
            "ids": ids,
            "ids_without_special": tok.encode(text, add_special_tokens=False).ids,
            "decode": tok.decode(ids, skip_special_tokens=False),
            "decode_skip_special": tok.decode(ids, skip_special_tokens=True),
        })
    decode_cases = []
    for ids in decode_only_sequences(tok, name):
        decode_cases.append({
            "ids": ids,
            "decode": tok.decode(ids, skip_special_tokens=False),
            "decode_skip_special": tok.decode(ids, skip_special_tokens=True),
        })
    added = {t.content: i for i, t in tok.get_added_tokens_decoder().items()}
    return {
        "made_by": f"models/tokenizers/make_tokenizer_fixtures.py, tokenizers "
                   f"{tokenizers.__version__}",
        "vocab_size": tok.get_vocab_size(with_added_tokens=True),
        "added_tokens": added,
        "special_tokens": sorted(added[s] for s in specials),
        "encode_cases": cases,
        "decode_cases": decode_cases,
    }


def write_reference(path, ref):
    """Writes ref as JSON with one case a line: readable diffs, small files."""
    def dump(value):
        return json.dumps(value, ensure_ascii=False)
    lines = ["{"]
    for i, (key, value) in enumerate(ref.items()):
        comma = "," if i + 1 < len(ref) else ""
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f" {dump(key)}: [")
            lines.extend(f"  {dump(case)}{',' if j + 1 < len(value) else ''}"
                         for j, case in enumerate(value))
            lines.append(f" ]{comma}")
        else:
            lines.append(f" {dump(key)}: {dump(value)}{comma}")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_fixture(out, name, tok):
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tokenizer.json").write_text(tok.to_str(pretty=True) + "\n", encoding="utf-8")
    write_fixture_from_file(out, name)


def write_fixture_from_file(out, name):
    """Writes the references of out/name/tokenizer.json: of exactly what is committed."""
    folder = out / name
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    ref = reference(tok, name)
    write_reference(folder / "reference.json", ref)
    print(f"{name}: vocab {ref['vocab_size']}, {len(ref['encode_cases'])} encode cases, "
          f"{len(ref['decode_cases'])} decode cases")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("test/fixtures/tokenizers"))
    parser.add_argument("--tinycode", type=Path,
                        default=Path("models/tinycode/target/tokenizer.json"))
    parser.add_argument("--retrain", action="store_true",
                        help="train the tokenizers again even where tokenizer.json exists")
    args = parser.parse_args()
    for name, make in MAKERS.items():
        # Training with a subword prefix or suffix is not reproducible (the trainer adds the
        # prefixed alphabet in hash-map order), so an existing tokenizer.json is kept and only
        # its references are made again, unless --retrain.
        if (args.out / name / "tokenizer.json").exists() and not args.retrain:
            write_fixture_from_file(args.out, name)
        else:
            write_fixture(args.out, name, make())
    if args.tinycode.exists():
        folder = args.out / "tinycode"
        folder.mkdir(parents=True, exist_ok=True)
        if args.tinycode.resolve() != (folder / "tokenizer.json").resolve():
            shutil.copyfile(args.tinycode, folder / "tokenizer.json")
        write_fixture_from_file(args.out, "tinycode")
    else:
        print(f"skipping tinycode: {args.tinycode} not found")


if __name__ == "__main__":
    main()
