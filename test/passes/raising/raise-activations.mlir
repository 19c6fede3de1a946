// RUN: llmc-opt %s --split-input-file --llmc-raise-onnx | FileCheck %s

// Tests that SiLU spelled x * sigmoid(x) over values of unknown rank (as
// TorchScript exports leave them) is identified by evaluation.
// CHECK-LABEL: func.func @forward
// CHECK: %[[G:.*]] = llm.linear
// CHECK: %[[Y:.*]] = llm.silu %[[G]] : tensor<?x8xf32>
// CHECK: llm.reshape %[[Y]]
// CHECK-NOT: onnx.
func.func @main(%ids: tensor<?x?xi64> {onnx.name = "input_ids"}) -> (tensor<*xf32> {onnx.name = "logits"}) {
  %table = onnx.constant "embed" dense<0.5> : tensor<16x8xf32>
  %e = onnx.node "Gather"(%table, %ids) {name = "embed", opset = 17 : i64} : (tensor<16x8xf32>, tensor<?x?xi64>) -> tensor<*xf32>
  %w = onnx.constant "gate" dense<[[1.0, 0.5, 0.25, 2.0, 1.0, 0.5, 0.25, 2.0], [0.5, 1.0, 2.0, 0.25, 0.5, 1.0, 2.0, 0.25], [1.0, 0.5, 0.25, 2.0, 1.0, 0.5, 0.25, 2.0], [0.5, 1.0, 2.0, 0.25, 0.5, 1.0, 2.0, 0.25], [1.0, 0.5, 0.25, 2.0, 1.0, 0.5, 0.25, 2.0], [0.5, 1.0, 2.0, 0.25, 0.5, 1.0, 2.0, 0.25], [1.0, 0.5, 0.25, 2.0, 1.0, 0.5, 0.25, 2.0], [0.5, 1.0, 2.0, 0.25, 0.5, 1.0, 2.0, 0.25]]> : tensor<8x8xf32>
  %g = onnx.node "MatMul"(%e, %w) {name = "gate", opset = 17 : i64} : (tensor<*xf32>, tensor<8x8xf32>) -> tensor<*xf32>
  %s = onnx.node "Sigmoid"(%g) {name = "sigmoid", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %y = onnx.node "Mul"(%g, %s) {name = "silu", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %a = onnx.node "Attention"(%y, %y, %y) {attrs = {is_causal = 1 : i64, kv_num_heads = 2 : i64, q_num_heads = 2 : i64}, name = "attn", opset = 23 : i64} : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %head = onnx.constant "lm_head" dense<0.25> : tensor<8x16xf32>
  %logits = onnx.node "MatMul"(%a, %head) {name = "lm_head", opset = 17 : i64} : (tensor<*xf32>, tensor<8x16xf32>) -> tensor<*xf32>
  return %logits : tensor<*xf32>
}
