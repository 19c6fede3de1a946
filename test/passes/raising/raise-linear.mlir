// RUN: llmc-opt %s --split-input-file --llmc-raise-onnx | FileCheck %s

// Tests that a bias added to a MatMul whose result has no known shape (as
// in TorchScript exports) joins it in one llm.linear, the bias checked
// against the weight's columns.
// CHECK-LABEL: func.func @forward
// CHECK-DAG: %[[B:.*]] = llm.constant "q.bias"
// CHECK-DAG: %[[WKN:.*]] = llm.constant "q.weight"
// CHECK-DAG: %[[W:.*]] = llm.transpose %[[WKN]]
// CHECK: %[[E:.*]] = llm.embedding
// CHECK: llm.linear %[[E]], %[[W]], %[[B]] : tensor<?x8xf32>, tensor<8x8xf32>, tensor<8xf32> -> tensor<?x8xf32>
// CHECK-NOT: llm.add
// CHECK-NOT: onnx.
func.func @main(%ids: tensor<?x?xi64> {onnx.name = "input_ids"}) -> (tensor<*xf32> {onnx.name = "logits"}) {
  %table = onnx.constant "embed" dense<0.5> : tensor<16x8xf32>
  %e = onnx.node "Gather"(%table, %ids) {name = "embed", opset = 17 : i64} : (tensor<16x8xf32>, tensor<?x?xi64>) -> tensor<*xf32>
  %w = onnx.constant "q.weight" dense<[[1.0, 0.5, 0.25, 2.0, 1.0, 0.5, 0.25, 2.0], [0.5, 1.0, 2.0, 0.25, 0.5, 1.0, 2.0, 0.25], [1.0, 0.5, 0.25, 2.0, 1.0, 0.5, 0.25, 2.0], [0.5, 1.0, 2.0, 0.25, 0.5, 1.0, 2.0, 0.25], [1.0, 0.5, 0.25, 2.0, 1.0, 0.5, 0.25, 2.0], [0.5, 1.0, 2.0, 0.25, 0.5, 1.0, 2.0, 0.25], [1.0, 0.5, 0.25, 2.0, 1.0, 0.5, 0.25, 2.0], [0.5, 1.0, 2.0, 0.25, 0.5, 1.0, 2.0, 0.25]]> : tensor<8x8xf32>
  %m = onnx.node "MatMul"(%e, %w) {name = "q", opset = 17 : i64} : (tensor<*xf32>, tensor<8x8xf32>) -> tensor<*xf32>
  %b = onnx.constant "q.bias" dense<[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]> : tensor<8xf32>
  %y = onnx.node "Add"(%b, %m) {name = "q_bias", opset = 17 : i64} : (tensor<8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %a = onnx.node "Attention"(%y, %y, %y) {attrs = {is_causal = 1 : i64, kv_num_heads = 2 : i64, q_num_heads = 2 : i64}, name = "attn", opset = 23 : i64} : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %head = onnx.constant "lm_head" dense<0.25> : tensor<8x16xf32>
  %logits = onnx.node "MatMul"(%a, %head) {name = "lm_head", opset = 17 : i64} : (tensor<*xf32>, tensor<8x16xf32>) -> tensor<*xf32>
  return %logits : tensor<*xf32>
}
