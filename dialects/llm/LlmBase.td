//===- LlmBase.td - llm dialect definition ------------------*- tablegen -*-===//
//
// The graph-level dialect: what raising produces from any exporter's graph and
// what the optimization passes (quantization, pruning, fusion, partitioning)
// rewrite. Values are tensors of the T new tokens of one forward call, laid
// out flat as [T, ...]; the KV cache is runtime-managed state described on the
// module, not a value.
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_DIALECTS_LLM_LLMBASE_TD
#define LLMC_DIALECTS_LLM_LLMBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Llm_Dialect : Dialect {
  let name = "llm";
  let cppNamespace = "::llmc::llm";
  let summary = "Graph-level operations of decoder-only language models";
  let description = [{
    The `llm` dialect holds the high-level operations every decoder-only
    language model is built from: embedding, linear (with 16-bit or quantized
    weights), RMS and layer normalization, rotary position embedding,
    attention over the runtime-managed KV cache, activations, gated
    activations and the language-model head.

    One forward function serves prefill, decode, batches and speculative
    verification: its activations are `[T, ...]` tensors over the T new tokens
    of the call, and attention reads and appends the cache of its layer. The
    cache is described once on the module by a `#llm.kv_cache` attribute.

    ```mlir
    module attributes {llm.kv_cache = #llm.kv_cache<layers = 2, kv_heads = 2,
                                                   head_dim = 16, dtype = f32>} {
      ...
    }
    ```
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
    void registerTypes();

    /// The module attribute that describes the KV cache.
    static constexpr ::llvm::StringLiteral getKvCacheAttrName() {
      return ::llvm::StringLiteral("llm.kv_cache");
    }
  }];
}

class Llm_Op<string mnemonic, list<Trait> traits = []>
    : Op<Llm_Dialect, mnemonic, traits>;

class Llm_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Llm_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

class Llm_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Llm_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

#endif // LLMC_DIALECTS_LLM_LLMBASE_TD
