//===- LlmAttrs.td - llm dialect attributes and enums -------*- tablegen -*-===//

#ifndef LLMC_DIALECTS_LLM_LLMATTRS_TD
#define LLMC_DIALECTS_LLM_LLMATTRS_TD

include "dialects/llm/LlmBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

def Llm_KvCacheAttr : Llm_Attr<"KvCache", "kv_cache"> {
  let summary = "The shape of the runtime-managed KV cache";
  let description = [{
    Set on the module as `llm.kv_cache`: how many layers keep a cache, how
    many key/value heads each has, their head dimension and the element type
    the cache stores. Attention ops name their layer; the runtime allocates
    and pages the cache from this description.

    ```mlir
    #llm.kv_cache<layers = 32, kv_heads = 8, head_dim = 128, dtype = bf16>
    ```
  }];
  let parameters = (ins
    "int64_t":$layers,
    "int64_t":$kv_heads,
    "int64_t":$head_dim,
    "::mlir::Type":$dtype
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Llm_RopeStyleAttr : I32EnumAttr<"RopeStyle", "how rotary embedding pairs dims", [
    I32EnumAttrCase<"rotate_half", 0>,
    I32EnumAttrCase<"interleaved", 1>
  ]> {
  let cppNamespace = "::llmc::llm";
}

def Llm_GeluApproximationAttr : I32EnumAttr<"GeluApproximation",
    "how gelu is computed", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"tanh", 1>
  ]> {
  let cppNamespace = "::llmc::llm";
}

def Llm_GateActivationAttr : I32EnumAttr<"GateActivation",
    "the activation of a gated linear unit", [
    I32EnumAttrCase<"silu", 0>,
    I32EnumAttrCase<"gelu_tanh", 1>,
    I32EnumAttrCase<"gelu_erf", 2>
  ]> {
  let cppNamespace = "::llmc::llm";
}

#endif // LLMC_DIALECTS_LLM_LLMATTRS_TD
