// RUN: llmc-opt %s --split-input-file --verify-diagnostics

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects a non-empty op_type}}
  %y = onnx.node ""(%x) {opset = 21 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects an opset version >= 1, got 0}}
  %y = onnx.node "Relu"(%x) {opset = 0 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects attribute 'axis' to be an integer, float, string, tensor, type or a list of them, got unit}}
  %y = onnx.node "Softmax"(%x) {opset = 21 : i64, attrs = {axis}} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects attribute 'perm' to be an integer, float, string, tensor, type or a list of them, got [0, unit]}}
  %y = onnx.node "Transpose"(%x) {opset = 21 : i64, attrs = {perm = [0, unit]}} : (tensor<4xf32>) -> tensor<4xf32>
  return
}
