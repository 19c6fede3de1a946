// RUN: llmc-opt %s --split-input-file --llmc-raise-onnx --verify-diagnostics

// An op no pattern raises is reported with its node name.
func.func @main(%ids: tensor<?x?xi64> {onnx.name = "input_ids"}) -> (tensor<?x?x8xf32> {onnx.name = "logits"}) {
  %t = onnx.constant "table" dense<1.0> : tensor<16x8xf32>
  %e = onnx.node "Gather"(%t, %ids) {name = "embed", opset = 18 : i64} : (tensor<16x8xf32>, tensor<?x?xi64>) -> tensor<?x?x8xf32>
  // expected-error @+1 {{node 'odd' (Softplus): no pattern raises this op on activations}}
  %y = onnx.node "Softplus"(%e) {name = "odd", opset = 18 : i64} : (tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %y : tensor<?x?x8xf32>
}

// -----

// A graph input outside the Optimum/GenAI layout is named.
// expected-error @+1 {{graph input 'pixels' is not one of input_ids, position_ids, attention_mask, past_key_values.N.key/value}}
func.func @main(%x: tensor<?x?xf32> {onnx.name = "pixels"}) -> (tensor<?x?xf32> {onnx.name = "logits"}) {
  %y = onnx.node "Relu"(%x) {name = "relu", opset = 18 : i64} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// A MatMulNBits with act-order (g_idx) is refused by name.
func.func @main(%ids: tensor<?x?xi64> {onnx.name = "input_ids"}) -> (tensor<?x?x8xf32> {onnx.name = "logits"}) {
  %t = onnx.constant "table" dense<1.0> : tensor<16x32xf32>
  %e = onnx.node "Gather"(%t, %ids) {name = "embed", opset = 18 : i64} : (tensor<16x32xf32>, tensor<?x?xi64>) -> tensor<?x?x32xf32>
  %b = onnx.constant "b" dense<0> : tensor<8x1x16xui8>
  %s = onnx.constant "s" dense<1.0> : tensor<8xf32>
  %g = onnx.constant "g" dense<0> : tensor<32xi32>
  %none = onnx.none
  // expected-error @+1 {{node 'q' (MatMulNBits): uses g_idx (act-order), which is not supported}}
  %y = onnx.node "MatMulNBits"(%e, %b, %s, %none, %g) {attrs = {K = 32 : i64, N = 8 : i64, bits = 4 : i64, block_size = 32 : i64}, domain = "com.microsoft", name = "q", opset = 1 : i64} : (tensor<?x?x32xf32>, tensor<8x1x16xui8>, tensor<8xf32>, none, tensor<32xi32>) -> tensor<?x?x8xf32>
  return %y : tensor<?x?x8xf32>
}

// -----

// A Slice that leaves nothing of an activation's features is refused.
func.func @main(%ids: tensor<?x?xi64> {onnx.name = "input_ids"}) -> (tensor<?x?x0xf32> {onnx.name = "logits"}) {
  %t = onnx.constant "table" dense<1.0> : tensor<16x8xf32>
  %e = onnx.node "Gather"(%t, %ids) {name = "embed", opset = 17 : i64} : (tensor<16x8xf32>, tensor<?x?xi64>) -> tensor<?x?x8xf32>
  %start = onnx.constant "start" dense<[8]> : tensor<1xi64>
  %end = onnx.constant "end" dense<[16]> : tensor<1xi64>
  %axis = onnx.constant "axis" dense<[-1]> : tensor<1xi64>
  // expected-error @+1 {{node 'rest' (Slice): slices [8, 8) of an activation's last dim of 8}}
  %y = onnx.node "Slice"(%e, %start, %end, %axis) {name = "rest", opset = 17 : i64} : (tensor<?x?x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?x0xf32>
  return %y : tensor<?x?x0xf32>
}
