//===- OnnxBase.td - onnx import-level dialect --------------*- tablegen -*-===//

#ifndef LLMC_DIALECTS_ONNX_ONNXBASE_TD
#define LLMC_DIALECTS_ONNX_ONNXBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Onnx_Dialect : Dialect {
  let name = "onnx";
  let cppNamespace = "::llmc::onnx_import";
  let summary = "ONNX nodes exactly as the model file has them";
  let description = [{
    The import-level form: the importer turns every ONNX node into one
    generic `onnx.node` that keeps its domain, op type, opset, name and
    attributes, so that any model imports, whatever ops it uses, and ops the
    compiler cannot raise are reported later with the node's name (as
    torch-mlir imports ONNX). Folding and raising rewrite these nodes into
    `llm` ops; none may remain after raising.
  }];
  let useDefaultTypePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerTypes();
  }];
}

class Onnx_Op<string mnemonic, list<Trait> traits = []>
    : Op<Onnx_Dialect, mnemonic, traits>;

def Onnx_UnknownType : TypeDef<Onnx_Dialect, "Unknown"> {
  let mnemonic = "unknown";
  let summary = "A value whose type the model file does not state";
  let description = [{
    ONNX files need not record the types of intermediate values, and ONNX
    shape inference does not know the ops of other domains. Such values
    import with this type; folding and raising work out what they are.

    ```mlir
    %y = onnx.node "GroupQueryAttention"(%q, %k, %v) {domain = "com.microsoft", opset = 1 : i64}
        : (tensor<?x?x64xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>) -> !onnx.unknown
    ```
  }];
}

#endif // LLMC_DIALECTS_ONNX_ONNXBASE_TD
