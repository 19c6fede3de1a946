//===- OnnxOps.td - onnx import-level operations ------------*- tablegen -*-===//

#ifndef LLMC_DIALECTS_ONNX_ONNXOPS_TD
#define LLMC_DIALECTS_ONNX_ONNXOPS_TD

include "dialects/onnx/OnnxBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/IR/CommonAttrConstraints.td"

def Onnx_NodeOp : Onnx_Op<"node"> {
  let summary = "One ONNX node, kept as it came";
  let description = [{
    `op_type`, `domain` ("" for the default ONNX domain), the `opset` the
    model imports for that domain and the node `name` come from the
    NodeProto; `attrs` holds its attributes: integers as i64, floats as f32,
    strings, tensors as elements attributes, lists as arrays and type
    protos as types. Optional inputs the node leaves out are `onnx.none`
    values.

    ```mlir
    %y = onnx.node "MatMul"(%x, %w)
        {domain = "", name = "/model/layers.0/attn/q_proj/MatMul", opset = 21 : i64}
        : (tensor<?x?x64xf32>, tensor<64x64xf32>) -> tensor<?x?x64xf32>
    %n = onnx.node "SimplifiedLayerNormalization"(%x, %g)
        {attrs = {axis = -1 : i64, epsilon = 9.99999997E-7 : f32},
         domain = "", name = "/model/layers.0/input_layernorm", opset = 21 : i64}
        : (tensor<?x?x64xf32>, tensor<64xf32>) -> tensor<?x?x64xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$inputs, StrAttr:$op_type,
                       DefaultValuedStrAttr<StrAttr, "">:$domain,
                       I64Attr:$opset,
                       DefaultValuedStrAttr<StrAttr, "">:$name,
                       OptionalAttr<DictionaryAttr>:$attrs);
  let results = (outs Variadic<AnyType>:$outputs);
  let assemblyFormat = [{
    $op_type `(` $inputs `)` attr-dict `:` functional-type($inputs, $outputs)
  }];
  let hasVerifier = 1;
}

def Onnx_ConstantOp : Onnx_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "An initializer of the ONNX graph";
  let description = [{
    A named tensor of the graph: its data is a `dense_resource` blob that
    points into the memory-mapped model or external-data file, so importing
    copies no weights (data stored in typed fields is converted once into a
    blob of its own). 4-bit types keep ONNX's packing: two values a byte,
    the low nibble first.

    ```mlir
    %w = onnx.constant "model.layers.0.attn.q_proj.weight" dense_resource<w0> : tensor<64x64xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, ElementsAttr:$value);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$name $value attr-dict";
  let hasFolder = 1;
}

def Onnx_NoneOp : Onnx_Op<"none", [Pure]> {
  let summary = "Stands for an optional ONNX input that is left out";
  let description = [{
    ONNX marks a skipped optional input by an empty name; the importer passes
    this value in its place so inputs keep their positions.

    ```mlir
    %none = onnx.none
    ```
  }];
  let results = (outs NoneType:$result);
  let assemblyFormat = "attr-dict";
}

#endif // LLMC_DIALECTS_ONNX_ONNXOPS_TD
