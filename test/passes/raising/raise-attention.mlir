// RUN: llmc-opt %s --split-input-file --llmc-raise-onnx="max-positions=64" | FileCheck %s

// Tests that a causal mask built from the Shape of the token ids viewed as
// [1, -1] (GPT-2's TorchScript export) is evaluated, with stand-in ids for
// the view that has no symbolic shape.
// CHECK-LABEL: func.func @forward
// CHECK: %[[X:.*]] = llm.reshape
// CHECK: llm.attention %[[X]], %[[X]], %[[X]] {layer = 0 : i64, scale = 0.353553{{[0-9]+}} : f64} : tensor<?x2x8xf32>, tensor<?x2x8xf32>
// CHECK-NOT: onnx.
func.func @main(%ids: tensor<?x?xi64> {onnx.name = "input_ids"}, %mask: tensor<?x?xi64> {onnx.name = "attention_mask"}, %pk: tensor<?x2x?x8xf32> {onnx.name = "past_key_values.0.key"}, %pv: tensor<?x2x?x8xf32> {onnx.name = "past_key_values.0.value"}) -> (tensor<*xf32> {onnx.name = "logits"}) {
  %row = onnx.constant "row" dense<[1, -1]> : tensor<2xi64>
  %ids2 = onnx.node "Reshape"(%ids, %row) {name = "ids_view", opset = 17 : i64} : (tensor<?x?xi64>, tensor<2xi64>) -> tensor<*xi64>
  %table = onnx.constant "embed" dense<0.5> : tensor<16x16xf32>
  %e = onnx.node "Gather"(%table, %ids2) {name = "embed", opset = 17 : i64} : (tensor<16x16xf32>, tensor<*xi64>) -> tensor<*xf32>
  %heads = onnx.constant "heads" dense<[1, -1, 2, 8]> : tensor<4xi64>
  %x4 = onnx.node "Reshape"(%e, %heads) {name = "split_heads", opset = 17 : i64} : (tensor<*xf32>, tensor<4xi64>) -> tensor<*xf32>
  %x = onnx.node "Transpose"(%x4) {attrs = {perm = [0, 2, 1, 3]}, name = "heads_first", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %k = onnx.node "Concat"(%pk, %x) {attrs = {axis = -2 : i64}, name = "present_key", opset = 17 : i64} : (tensor<?x2x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %v = onnx.node "Concat"(%pv, %x) {attrs = {axis = -2 : i64}, name = "present_value", opset = 17 : i64} : (tensor<?x2x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %kt = onnx.node "Transpose"(%k) {attrs = {perm = [0, 1, 3, 2]}, name = "keys_t", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %qk = onnx.node "MatMul"(%x, %kt) {name = "qk", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<1x2x?x?xf32>
  %sc = onnx.constant "scale" dense<0.353553385> : tensor<f32>
  %scores = onnx.node "Mul"(%qk, %sc) {name = "scale", opset = 17 : i64} : (tensor<1x2x?x?xf32>, tensor<f32>) -> tensor<1x2x?x?xf32>
  %one = onnx.constant "one" dense<1> : tensor<i64>
  %zero = onnx.constant "zero" dense<0> : tensor<i64>
  %ax0 = onnx.constant "ax0" dense<[0]> : tensor<1xi64>
  %ax1 = onnx.constant "ax1" dense<[1]> : tensor<1xi64>
  %is = onnx.node "Shape"(%ids2) {name = "ids_shape", opset = 17 : i64} : (tensor<*xi64>) -> tensor<2xi64>
  %s = onnx.node "Gather"(%is, %one) {attrs = {axis = 0 : i64}, name = "new_len", opset = 17 : i64} : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
  %ms = onnx.node "Shape"(%mask) {name = "mask_shape", opset = 17 : i64} : (tensor<?x?xi64>) -> tensor<2xi64>
  %t = onnx.node "Gather"(%ms, %one) {attrs = {axis = 0 : i64}, name = "total_len", opset = 17 : i64} : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
  %p = onnx.node "Sub"(%t, %s) {name = "past_len", opset = 17 : i64} : (tensor<i64>, tensor<i64>) -> tensor<i64>
  %rows = onnx.node "Range"(%p, %t, %one) {name = "query_pos", opset = 17 : i64} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %cols = onnx.node "Range"(%zero, %t, %one) {name = "key_pos", opset = 17 : i64} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %r2 = onnx.node "Unsqueeze"(%rows, %ax1) {name = "query_col", opset = 17 : i64} : (tensor<?xi64>, tensor<1xi64>) -> tensor<?x1xi64>
  %c2 = onnx.node "Unsqueeze"(%cols, %ax0) {name = "key_row", opset = 17 : i64} : (tensor<?xi64>, tensor<1xi64>) -> tensor<1x?xi64>
  %causal = onnx.node "LessOrEqual"(%c2, %r2) {name = "causal", opset = 17 : i64} : (tensor<1x?xi64>, tensor<?x1xi64>) -> tensor<?x?xi1>
  %open = onnx.constant "open" dense<0.0> : tensor<f32>
  %shut = onnx.constant "shut" dense<-1.0e+09> : tensor<f32>
  %bias = onnx.node "Where"(%causal, %open, %shut) {name = "mask_bias", opset = 17 : i64} : (tensor<?x?xi1>, tensor<f32>, tensor<f32>) -> tensor<?x?xf32>
  %masked = onnx.node "Add"(%scores, %bias) {name = "masked", opset = 17 : i64} : (tensor<1x2x?x?xf32>, tensor<?x?xf32>) -> tensor<*xf32>
  %probs = onnx.node "Softmax"(%masked) {attrs = {axis = -1 : i64}, name = "softmax", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %o = onnx.node "MatMul"(%probs, %v) {name = "pv", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %ot = onnx.node "Transpose"(%o) {attrs = {perm = [0, 2, 1, 3]}, name = "tokens_first", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %flat = onnx.constant "flat" dense<[1, -1, 16]> : tensor<3xi64>
  %of = onnx.node "Reshape"(%ot, %flat) {name = "merge_heads", opset = 17 : i64} : (tensor<*xf32>, tensor<3xi64>) -> tensor<*xf32>
  %head = onnx.constant "lm_head" dense<0.25> : tensor<16x16xf32>
  %logits = onnx.node "MatMul"(%of, %head) {name = "lm_head", opset = 17 : i64} : (tensor<*xf32>, tensor<16x16xf32>) -> tensor<*xf32>
  return %logits : tensor<*xf32>
}

// -----

// Tests that soft-capped scores, cap * tanh(s * QK^T / cap), over values of
// unknown rank (Gemma-2's TorchScript export) are identified by evaluation.
// CHECK-LABEL: func.func @forward
// CHECK: %[[X:.*]] = llm.reshape
// CHECK: llm.attention %[[X]], %[[X]], %[[X]] {layer = 0 : i64, scale = 0.2{{[0-9]+}} : f64, softcap = 5.000000e+01 : f64}
// CHECK-NOT: onnx.
func.func @main(%ids: tensor<?x?xi64> {onnx.name = "input_ids"}, %mask: tensor<?x?xi64> {onnx.name = "attention_mask"}, %pk: tensor<?x2x?x8xf32> {onnx.name = "past_key_values.0.key"}, %pv: tensor<?x2x?x8xf32> {onnx.name = "past_key_values.0.value"}) -> (tensor<*xf32> {onnx.name = "logits"}) {
  %row = onnx.constant "row" dense<[1, -1]> : tensor<2xi64>
  %ids2 = onnx.node "Reshape"(%ids, %row) {name = "ids_view", opset = 17 : i64} : (tensor<?x?xi64>, tensor<2xi64>) -> tensor<*xi64>
  %table = onnx.constant "embed" dense<0.5> : tensor<16x16xf32>
  %e = onnx.node "Gather"(%table, %ids2) {name = "embed", opset = 17 : i64} : (tensor<16x16xf32>, tensor<*xi64>) -> tensor<*xf32>
  %heads = onnx.constant "heads" dense<[1, -1, 2, 8]> : tensor<4xi64>
  %x4 = onnx.node "Reshape"(%e, %heads) {name = "split_heads", opset = 17 : i64} : (tensor<*xf32>, tensor<4xi64>) -> tensor<*xf32>
  %x = onnx.node "Transpose"(%x4) {attrs = {perm = [0, 2, 1, 3]}, name = "heads_first", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %k = onnx.node "Concat"(%pk, %x) {attrs = {axis = -2 : i64}, name = "present_key", opset = 17 : i64} : (tensor<?x2x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %v = onnx.node "Concat"(%pv, %x) {attrs = {axis = -2 : i64}, name = "present_value", opset = 17 : i64} : (tensor<?x2x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %kt = onnx.node "Transpose"(%k) {attrs = {perm = [0, 1, 3, 2]}, name = "keys_t", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %qk = onnx.node "MatMul"(%x, %kt) {name = "qk", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %sc = onnx.node "Constant"() {attrs = {value = dense<0.25> : tensor<f32>}, name = "scale_value", opset = 17 : i64} : () -> tensor<f32>
  %cap = onnx.node "Constant"() {attrs = {value = dense<50.0> : tensor<f32>}, name = "cap_value", opset = 17 : i64} : () -> tensor<f32>
  %scaled = onnx.node "Mul"(%qk, %sc) {name = "scale", opset = 17 : i64} : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %shrunk = onnx.node "Div"(%scaled, %cap) {name = "uncap", opset = 17 : i64} : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %tanh = onnx.node "Tanh"(%shrunk) {name = "tanh", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %scores = onnx.node "Mul"(%tanh, %cap) {name = "cap", opset = 17 : i64} : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %one = onnx.constant "one" dense<1> : tensor<i64>
  %zero = onnx.constant "zero" dense<0> : tensor<i64>
  %ax0 = onnx.constant "ax0" dense<[0]> : tensor<1xi64>
  %ax1 = onnx.constant "ax1" dense<[1]> : tensor<1xi64>
  %is = onnx.node "Shape"(%ids2) {name = "ids_shape", opset = 17 : i64} : (tensor<*xi64>) -> tensor<2xi64>
  %s = onnx.node "Gather"(%is, %one) {attrs = {axis = 0 : i64}, name = "new_len", opset = 17 : i64} : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
  %ms = onnx.node "Shape"(%mask) {name = "mask_shape", opset = 17 : i64} : (tensor<?x?xi64>) -> tensor<2xi64>
  %t = onnx.node "Gather"(%ms, %one) {attrs = {axis = 0 : i64}, name = "total_len", opset = 17 : i64} : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
  %p = onnx.node "Sub"(%t, %s) {name = "past_len", opset = 17 : i64} : (tensor<i64>, tensor<i64>) -> tensor<i64>
  %rows = onnx.node "Range"(%p, %t, %one) {name = "query_pos", opset = 17 : i64} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %cols = onnx.node "Range"(%zero, %t, %one) {name = "key_pos", opset = 17 : i64} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %r2 = onnx.node "Unsqueeze"(%rows, %ax1) {name = "query_col", opset = 17 : i64} : (tensor<?xi64>, tensor<1xi64>) -> tensor<?x1xi64>
  %c2 = onnx.node "Unsqueeze"(%cols, %ax0) {name = "key_row", opset = 17 : i64} : (tensor<?xi64>, tensor<1xi64>) -> tensor<1x?xi64>
  %causal = onnx.node "LessOrEqual"(%c2, %r2) {name = "causal", opset = 17 : i64} : (tensor<1x?xi64>, tensor<?x1xi64>) -> tensor<?x?xi1>
  %open = onnx.constant "open" dense<0.0> : tensor<f32>
  %shut = onnx.constant "shut" dense<-1.0e+09> : tensor<f32>
  %bias = onnx.node "Where"(%causal, %open, %shut) {name = "mask_bias", opset = 17 : i64} : (tensor<?x?xi1>, tensor<f32>, tensor<f32>) -> tensor<?x?xf32>
  %masked = onnx.node "Add"(%scores, %bias) {name = "masked", opset = 17 : i64} : (tensor<*xf32>, tensor<?x?xf32>) -> tensor<*xf32>
  %probs = onnx.node "Softmax"(%masked) {attrs = {axis = -1 : i64}, name = "softmax", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %o = onnx.node "MatMul"(%probs, %v) {name = "pv", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %ot = onnx.node "Transpose"(%o) {attrs = {perm = [0, 2, 1, 3]}, name = "tokens_first", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %flat = onnx.constant "flat" dense<[1, -1, 16]> : tensor<3xi64>
  %of = onnx.node "Reshape"(%ot, %flat) {name = "merge_heads", opset = 17 : i64} : (tensor<*xf32>, tensor<3xi64>) -> tensor<*xf32>
  %head = onnx.constant "lm_head" dense<0.25> : tensor<16x16xf32>
  %logits = onnx.node "MatMul"(%of, %head) {name = "lm_head", opset = 17 : i64} : (tensor<*xf32>, tensor<16x16xf32>) -> tensor<*xf32>
  return %logits : tensor<*xf32>
}
