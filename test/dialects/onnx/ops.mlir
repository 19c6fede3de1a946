// RUN: llmc-opt %s --split-input-file | FileCheck %s
// RUN: llmc-opt %s --split-input-file | llmc-opt --split-input-file | FileCheck %s

// Tests that nodes of any domain keep their op type, opset, name and
// attributes, and that left-out optional inputs are onnx.none values.

// CHECK-LABEL: func.func @nodes
func.func @nodes(%x: tensor<?x?x64xf32>, %w: tensor<64x64xf32>, %g: tensor<64xf32>)
    -> (tensor<?x?x64xf32>, tensor<?x?x64xf32>) {
  // CHECK: onnx.node "MatMul"(%{{.*}}, %{{.*}}) {name = "/model/layers.0/attn/q_proj/MatMul", opset = 21 : i64} : (tensor<?x?x64xf32>, tensor<64x64xf32>) -> tensor<?x?x64xf32>
  %y = onnx.node "MatMul"(%x, %w)
      {domain = "", name = "/model/layers.0/attn/q_proj/MatMul", opset = 21 : i64}
      : (tensor<?x?x64xf32>, tensor<64x64xf32>) -> tensor<?x?x64xf32>
  // CHECK: %[[NONE:.*]] = onnx.none
  %none = onnx.none
  // CHECK: onnx.node "SkipSimplifiedLayerNormalization"(%{{.*}}, %{{.*}}, %{{.*}}, %[[NONE]]) {attrs = {epsilon = 9.99999997E-7 : f32, perm = [0, 2, 1], proto = tensor<2xf16>, t = dense<1.000000e+00> : tensor<2xf32>}, domain = "com.microsoft", opset = 1 : i64}
  %n:2 = onnx.node "SkipSimplifiedLayerNormalization"(%y, %x, %g, %none)
      {domain = "com.microsoft", opset = 1 : i64,
       attrs = {epsilon = 1.0e-6 : f32, perm = [0, 2, 1],
                t = dense<1.0> : tensor<2xf32>, proto = tensor<2xf16>}}
      : (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<64xf32>, none)
      -> (tensor<?x?x64xf32>, tensor<?x?x64xf32>)
  return %n#0, %n#1 : tensor<?x?x64xf32>, tensor<?x?x64xf32>
}

// -----

// Tests that a node may have no inputs and several outputs.

// CHECK-LABEL: func.func @constant
func.func @constant() -> tensor<3xi64> {
  // CHECK: onnx.node "Constant"() {attrs = {value = dense<[1, 2, 3]> : tensor<3xi64>}, name = "c", opset = 18 : i64} : () -> tensor<3xi64>
  %c = onnx.node "Constant"() {attrs = {value = dense<[1, 2, 3]> : tensor<3xi64>}, name = "c", opset = 18 : i64}
      : () -> tensor<3xi64>
  return %c : tensor<3xi64>
}
