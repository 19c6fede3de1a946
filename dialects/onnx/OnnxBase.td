//===- OnnxBase.td - onnx import-level dialect --------------*- tablegen -*-===//

#ifndef LLMC_DIALECTS_ONNX_ONNXBASE_TD
#define LLMC_DIALECTS_ONNX_ONNXBASE_TD

include "mlir/IR/OpBase.td"

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
}

class Onnx_Op<string mnemonic, list<Trait> traits = []>
    : Op<Onnx_Dialect, mnemonic, traits>;

#endif // LLMC_DIALECTS_ONNX_ONNXBASE_TD
