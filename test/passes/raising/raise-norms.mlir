// RUN: llmc-opt %s --split-input-file --llmc-raise-onnx | FileCheck %s

// Tests that RMS norm spelled out over values of unknown rank (TorchScript
// leaves the residual stream's rank out) becomes llm.rms_norm: the eps is
// read beside the ReduceMean, not by evaluating the mean.
// CHECK-LABEL: func.func @forward
// CHECK: %[[W:.*]] = llm.constant "norm.weight"
// CHECK: %[[E:.*]] = llm.embedding
// CHECK: llm.rms_norm %[[E]], %[[W]] {epsilon = 9.9999997473787516E-6 : f64} : tensor<?x8xf32>, tensor<8xf32>
// CHECK-NOT: onnx.
func.func @main(%ids: tensor<?x?xi64> {onnx.name = "input_ids"}) -> (tensor<*xf32> {onnx.name = "logits"}) {
  %table = onnx.constant "embed" dense<0.5> : tensor<16x8xf32>
  %e = onnx.node "Gather"(%table, %ids) {name = "embed", opset = 17 : i64} : (tensor<16x8xf32>, tensor<?x?xi64>) -> tensor<*xf32>
  %two = onnx.node "Constant"() {attrs = {value = dense<2.0> : tensor<f32>}, name = "two", opset = 17 : i64} : () -> tensor<f32>
  %sq = onnx.node "Pow"(%e, %two) {name = "pow", opset = 17 : i64} : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %mean = onnx.node "ReduceMean"(%sq) {attrs = {axes = [-1], keepdims = 1 : i64}, name = "mean", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %eps = onnx.node "Constant"() {attrs = {value = dense<1.0e-5> : tensor<f32>}, name = "eps", opset = 17 : i64} : () -> tensor<f32>
  %var = onnx.node "Add"(%mean, %eps) {name = "add_eps", opset = 17 : i64} : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %sqrt = onnx.node "Sqrt"(%var) {name = "sqrt", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %one = onnx.node "Constant"() {attrs = {value = dense<1.0> : tensor<f32>}, name = "one", opset = 17 : i64} : () -> tensor<f32>
  %inv = onnx.node "Div"(%one, %sqrt) {name = "inv", opset = 17 : i64} : (tensor<f32>, tensor<*xf32>) -> tensor<*xf32>
  %n = onnx.node "Mul"(%e, %inv) {name = "normalize", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %w = onnx.constant "norm.weight" dense<[1.0, 1.5, 2.0, 0.5, 1.0, 1.5, 2.0, 0.5]> : tensor<8xf32>
  %y = onnx.node "Mul"(%w, %n) {name = "weigh", opset = 17 : i64} : (tensor<8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %a = onnx.node "Attention"(%y, %y, %y) {attrs = {is_causal = 1 : i64, q_num_heads = 2 : i64, kv_num_heads = 2 : i64}, name = "attn", opset = 23 : i64} : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %head = onnx.constant "lm_head" dense<0.25> : tensor<8x16xf32>
  %logits = onnx.node "MatMul"(%a, %head) {name = "lm_head", opset = 23 : i64} : (tensor<*xf32>, tensor<8x16xf32>) -> tensor<*xf32>
  return %logits : tensor<*xf32>
}

// -----

// Tests that a ReduceMean over axis 2 of a value of unknown rank is taken
// as over the last axis when the activation squared has rank 3.
// CHECK-LABEL: func.func @forward
// CHECK: %[[E:.*]] = llm.embedding
// CHECK: llm.rms_norm %[[E]], %{{.*}} {epsilon = 9.9999997473787516E-6 : f64}
// CHECK-NOT: onnx.
func.func @main(%ids: tensor<?x?xi64> {onnx.name = "input_ids"}) -> (tensor<*xf32> {onnx.name = "logits"}) {
  %table = onnx.constant "embed" dense<0.5> : tensor<16x8xf32>
  %e = onnx.node "Gather"(%table, %ids) {name = "embed", opset = 17 : i64} : (tensor<16x8xf32>, tensor<?x?xi64>) -> tensor<*xf32>
  %two = onnx.node "Constant"() {attrs = {value = dense<2.0> : tensor<f32>}, name = "two", opset = 17 : i64} : () -> tensor<f32>
  %sq = onnx.node "Pow"(%e, %two) {name = "pow", opset = 17 : i64} : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %mean = onnx.node "ReduceMean"(%sq) {attrs = {axes = [2], keepdims = 1 : i64}, name = "mean", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %eps = onnx.node "Constant"() {attrs = {value = dense<1.0e-5> : tensor<f32>}, name = "eps", opset = 17 : i64} : () -> tensor<f32>
  %var = onnx.node "Add"(%mean, %eps) {name = "add_eps", opset = 17 : i64} : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %sqrt = onnx.node "Sqrt"(%var) {name = "sqrt", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %one = onnx.node "Constant"() {attrs = {value = dense<1.0> : tensor<f32>}, name = "one", opset = 17 : i64} : () -> tensor<f32>
  %inv = onnx.node "Div"(%one, %sqrt) {name = "inv", opset = 17 : i64} : (tensor<f32>, tensor<*xf32>) -> tensor<*xf32>
  %n = onnx.node "Mul"(%e, %inv) {name = "normalize", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %w = onnx.constant "norm.weight" dense<[1.0, 1.5, 2.0, 0.5, 1.0, 1.5, 2.0, 0.5]> : tensor<8xf32>
  %y = onnx.node "Mul"(%w, %n) {name = "weigh", opset = 17 : i64} : (tensor<8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %a = onnx.node "Attention"(%y, %y, %y) {attrs = {is_causal = 1 : i64, q_num_heads = 2 : i64, kv_num_heads = 2 : i64}, name = "attn", opset = 23 : i64} : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %head = onnx.constant "lm_head" dense<0.25> : tensor<8x16xf32>
  %logits = onnx.node "MatMul"(%a, %head) {name = "lm_head", opset = 23 : i64} : (tensor<*xf32>, tensor<8x16xf32>) -> tensor<*xf32>
  return %logits : tensor<*xf32>
}
