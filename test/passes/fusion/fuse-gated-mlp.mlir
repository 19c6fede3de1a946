// RUN: llmc-opt %s --split-input-file --llmc-fuse-gated-mlp | FileCheck %s

// Tests that a GLU of two bias-free linears of one input becomes one
// gated_linear with the gate weight first.

// CHECK-LABEL: func.func @swiglu
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xbf16>, %[[G:.*]]: tensor<80x64xbf16>, %[[U:.*]]: tensor<80x64xbf16>)
func.func @swiglu(%x: tensor<?x64xbf16>, %wg: tensor<80x64xbf16>, %wu: tensor<80x64xbf16>) -> tensor<?x80xbf16> {
  // CHECK-NOT: llm.linear
  // CHECK: %[[H:.*]] = llm.gated_linear silu %[[X]], %[[G]], %[[U]] : tensor<?x64xbf16>, tensor<80x64xbf16>, tensor<80x64xbf16> -> tensor<?x80xbf16>
  // CHECK-NOT: llm.glu
  %g = llm.linear %x, %wg : tensor<?x64xbf16>, tensor<80x64xbf16> -> tensor<?x80xbf16>
  %u = llm.linear %x, %wu : tensor<?x64xbf16>, tensor<80x64xbf16> -> tensor<?x80xbf16>
  %h = llm.glu silu %g, %u : tensor<?x80xbf16>
  // CHECK: return %[[H]]
  return %h : tensor<?x80xbf16>
}

// -----

// Tests that the activation is kept (GeGLU).

// CHECK-LABEL: func.func @geglu
func.func @geglu(%x: tensor<?x64xf32>, %wg: tensor<80x64xf32>, %wu: tensor<80x64xf32>) -> tensor<?x80xf32> {
  // CHECK: llm.gated_linear gelu_tanh
  %g = llm.linear %x, %wg : tensor<?x64xf32>, tensor<80x64xf32> -> tensor<?x80xf32>
  %u = llm.linear %x, %wu : tensor<?x64xf32>, tensor<80x64xf32> -> tensor<?x80xf32>
  %h = llm.glu gelu_tanh %g, %u : tensor<?x80xf32>
  return %h : tensor<?x80xf32>
}

// -----

// Tests that linears of different inputs are left alone.

// CHECK-LABEL: func.func @two_inputs
func.func @two_inputs(%x: tensor<?x64xf32>, %y: tensor<?x64xf32>, %wg: tensor<80x64xf32>, %wu: tensor<80x64xf32>) -> tensor<?x80xf32> {
  // CHECK-NOT: llm.gated_linear
  // CHECK: llm.glu silu
  %g = llm.linear %x, %wg : tensor<?x64xf32>, tensor<80x64xf32> -> tensor<?x80xf32>
  %u = llm.linear %y, %wu : tensor<?x64xf32>, tensor<80x64xf32> -> tensor<?x80xf32>
  %h = llm.glu silu %g, %u : tensor<?x80xf32>
  return %h : tensor<?x80xf32>
}

// -----

// Tests that a linear with a bias, or whose result has another user, is
// left alone.

// CHECK-LABEL: func.func @bias_or_users
func.func @bias_or_users(%x: tensor<?x64xf32>, %wg: tensor<80x64xf32>, %wu: tensor<80x64xf32>, %b: tensor<80xf32>)
    -> (tensor<?x80xf32>, tensor<?x80xf32>, tensor<?x80xf32>) {
  // CHECK-NOT: llm.gated_linear
  %g = llm.linear %x, %wg, %b : tensor<?x64xf32>, tensor<80x64xf32>, tensor<80xf32> -> tensor<?x80xf32>
  %u = llm.linear %x, %wu : tensor<?x64xf32>, tensor<80x64xf32> -> tensor<?x80xf32>
  %h = llm.glu silu %g, %u : tensor<?x80xf32>
  %g2 = llm.linear %x, %wg : tensor<?x64xf32>, tensor<80x64xf32> -> tensor<?x80xf32>
  %u2 = llm.linear %x, %wu : tensor<?x64xf32>, tensor<80x64xf32> -> tensor<?x80xf32>
  %h2 = llm.glu silu %g2, %u2 : tensor<?x80xf32>
  return %h, %h2, %g2 : tensor<?x80xf32>, tensor<?x80xf32>, tensor<?x80xf32>
}

// -----

// Tests that quantized weights made by llm.quantized_weight fuse as well
// (one integer GEMV reads both), and that a quantized weight passed in as an
// argument, which no kernel can lower, is left alone.

// CHECK-LABEL: func.func @quantized
func.func @quantized(%x: tensor<?x64xf32>, %qg: tensor<80x64xi4>, %sg: tensor<80x2xf32>,
                     %qu: tensor<80x64xi4>, %su: tensor<80x2xf32>,
                     %q: !llm.qweight<80x64, i4, group = 32, scale = f32>) -> (tensor<?x80xf32>, tensor<?x80xf32>) {
  // CHECK: %[[G:.*]] = llm.quantized_weight
  // CHECK: %[[U:.*]] = llm.quantized_weight
  // CHECK: llm.gated_linear silu %{{.*}}, %[[G]], %[[U]] : tensor<?x64xf32>, !llm.qweight<80x64, i4, group = 32, scale = f32>, !llm.qweight<80x64, i4, group = 32, scale = f32> -> tensor<?x80xf32>
  // CHECK: llm.linear
  // CHECK: llm.linear
  // CHECK: llm.glu silu
  %wg = llm.quantized_weight %qg, %sg : tensor<80x64xi4>, tensor<80x2xf32> -> !llm.qweight<80x64, i4, group = 32, scale = f32>
  %wu = llm.quantized_weight %qu, %su : tensor<80x64xi4>, tensor<80x2xf32> -> !llm.qweight<80x64, i4, group = 32, scale = f32>
  %g = llm.linear %x, %wg : tensor<?x64xf32>, !llm.qweight<80x64, i4, group = 32, scale = f32> -> tensor<?x80xf32>
  %u = llm.linear %x, %wu : tensor<?x64xf32>, !llm.qweight<80x64, i4, group = 32, scale = f32> -> tensor<?x80xf32>
  %h = llm.glu silu %g, %u : tensor<?x80xf32>
  %g2 = llm.linear %x, %q : tensor<?x64xf32>, !llm.qweight<80x64, i4, group = 32, scale = f32> -> tensor<?x80xf32>
  %u2 = llm.linear %x, %q : tensor<?x64xf32>, !llm.qweight<80x64, i4, group = 32, scale = f32> -> tensor<?x80xf32>
  %h2 = llm.glu silu %g2, %u2 : tensor<?x80xf32>
  return %h, %h2 : tensor<?x80xf32>, tensor<?x80xf32>
}

// -----

// Tests that a quantized gate and a float up projection stay apart.

// CHECK-LABEL: func.func @mixed
func.func @mixed(%x: tensor<?x64xf32>, %qg: tensor<80x64xi4>, %sg: tensor<80x2xf32>, %wu: tensor<80x64xf32>) -> tensor<?x80xf32> {
  // CHECK-NOT: llm.gated_linear
  // CHECK: llm.glu silu
  %wg = llm.quantized_weight %qg, %sg : tensor<80x64xi4>, tensor<80x2xf32> -> !llm.qweight<80x64, i4, group = 32, scale = f32>
  %g = llm.linear %x, %wg : tensor<?x64xf32>, !llm.qweight<80x64, i4, group = 32, scale = f32> -> tensor<?x80xf32>
  %u = llm.linear %x, %wu : tensor<?x64xf32>, tensor<80x64xf32> -> tensor<?x80xf32>
  %h = llm.glu silu %g, %u : tensor<?x80xf32>
  return %h : tensor<?x80xf32>
}

// -----

// Tests that a gate with a fused residual or an up projection with a fused
// norm stays apart: the gated op has no residual, and its norm would have
// to be both linears'.

// CHECK-LABEL: func.func @fused_linears
func.func @fused_linears(%x: tensor<?x64xf32>, %r: tensor<?x80xf32>, %g: tensor<64xf32>,
                         %wg: tensor<80x64xf32>, %wu: tensor<80x64xf32>) -> (tensor<?x80xf32>, tensor<?x80xf32>) {
  // CHECK-NOT: llm.gated_linear
  // CHECK: llm.glu silu
  // CHECK: llm.glu silu
  %g1 = llm.linear %x, %wg residual(%r : tensor<?x80xf32>) : tensor<?x64xf32>, tensor<80x64xf32> -> tensor<?x80xf32>
  %u1 = llm.linear %x, %wu : tensor<?x64xf32>, tensor<80x64xf32> -> tensor<?x80xf32>
  %h1 = llm.glu silu %g1, %u1 : tensor<?x80xf32>
  %g2 = llm.linear %x, %wg : tensor<?x64xf32>, tensor<80x64xf32> -> tensor<?x80xf32>
  %u2 = llm.linear %x, %wu norm(%g : tensor<64xf32>) {norm_epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, tensor<80x64xf32> -> tensor<?x80xf32>
  %h2 = llm.glu silu %g2, %u2 : tensor<?x80xf32>
  return %h1, %h2 : tensor<?x80xf32>, tensor<?x80xf32>
}
