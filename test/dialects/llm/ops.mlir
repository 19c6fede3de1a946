// RUN: llmc-opt %s --split-input-file | FileCheck %s
// RUN: llmc-opt %s --split-input-file | llmc-opt --split-input-file | FileCheck %s
// RUN: llmc-opt %s --split-input-file --mlir-print-op-generic | llmc-opt --split-input-file | FileCheck %s

// Tests that a LLaMA-style decoder block round-trips through every llm op.

// CHECK: module attributes {llm.kv_cache = #llm.kv_cache<layers = 2, kv_heads = 2, head_dim = 16, dtype = f32>}
module attributes {llm.kv_cache = #llm.kv_cache<layers = 2, kv_heads = 2, head_dim = 16, dtype = f32>} {
  // CHECK-LABEL: func.func @block
  func.func @block(%ids: tensor<?xi64>, %pos: tensor<?xi64>,
                   %table: tensor<300x64xf32>, %norm: tensor<64xf32>,
                   %wq: tensor<64x64xf32>, %bq: tensor<64xf32>,
                   %wk: tensor<32x64xf32>, %cos: tensor<512x8xf32>,
                   %sin: tensor<512x8xf32>, %head: tensor<300x64xf32>,
                   %q3: tensor<?x4x16xf32>, %k3: tensor<?x2x16xf32>,
                   %o2: tensor<?x64xf32>)
      -> (tensor<?x300xf32>, tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x4x16xf32>) {
    // CHECK: %[[H:.*]] = llm.embedding %{{.*}}[%{{.*}}] {scale = 8.000000e+00 : f64} : tensor<300x64xf32>, tensor<?xi64> -> tensor<?x64xf32>
    %h = llm.embedding %table[%ids] {scale = 8.0 : f64}
        : tensor<300x64xf32>, tensor<?xi64> -> tensor<?x64xf32>
    // CHECK: %[[N:.*]] = llm.rms_norm %[[H]], %{{.*}} {epsilon = 9.9999999999999995E-7 : f64} : tensor<?x64xf32>, tensor<64xf32>
    %n = llm.rms_norm %h, %norm {epsilon = 1.0e-6 : f64}
        : tensor<?x64xf32>, tensor<64xf32>
    // CHECK: llm.linear %[[N]], %{{.*}}, %{{.*}} : tensor<?x64xf32>, tensor<64x64xf32>, tensor<64xf32> -> tensor<?x64xf32>
    %q2 = llm.linear %n, %wq, %bq
        : tensor<?x64xf32>, tensor<64x64xf32>, tensor<64xf32> -> tensor<?x64xf32>
    // CHECK: llm.linear %[[N]], %{{.*}} : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
    %k2 = llm.linear %n, %wk : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
    // CHECK: llm.rope rotate_half %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x4x16xf32>, tensor<?xi64>, tensor<512x8xf32>
    %qr = llm.rope rotate_half %q3, %pos, %cos, %sin
        : tensor<?x4x16xf32>, tensor<?xi64>, tensor<512x8xf32>
    // CHECK: llm.rope interleaved
    %kr = llm.rope interleaved %k3, %pos, %cos, %sin
        : tensor<?x2x16xf32>, tensor<?xi64>, tensor<512x8xf32>
    // CHECK: llm.attention %{{.*}}, %{{.*}}, %{{.*}} {layer = 1 : i64, scale = 2.500000e-01 : f64, sliding_window = 256 : i64, softcap = 5.000000e+01 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
    %o = llm.attention %qr, %kr, %k3
        {layer = 1 : i64, scale = 0.25 : f64, sliding_window = 256 : i64,
         softcap = 50.0 : f64}
        : tensor<?x4x16xf32>, tensor<?x2x16xf32>
    // CHECK: llm.attention %{{.*}}, %{{.*}}, %{{.*}} rope interleaved(%{{.*}}, %{{.*}}, %{{.*}} : tensor<?xi64>, tensor<512x8xf32>, tensor<512x8xf32>) {layer = 1 : i64, scale = 2.500000e-01 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
    %ro = llm.attention %q3, %k3, %k3 rope interleaved(%pos, %cos, %sin
        : tensor<?xi64>, tensor<512x8xf32>, tensor<512x8xf32>)
        {layer = 1 : i64, scale = 0.25 : f64}
        : tensor<?x4x16xf32>, tensor<?x2x16xf32>
    // CHECK: %[[Y:.*]], %[[S:.*]] = llm.add_rms_norm %{{.*}}, %[[H]], %{{.*}} {epsilon = 9.9999999999999995E-7 : f64, unit_offset} : tensor<?x64xf32>, tensor<64xf32>
    %y, %s = llm.add_rms_norm %o2, %h, %norm {epsilon = 1.0e-6 : f64, unit_offset}
        : tensor<?x64xf32>, tensor<64xf32>
    // CHECK: llm.silu %[[Y]] : tensor<?x64xf32>
    %a = llm.silu %y : tensor<?x64xf32>
    // CHECK: llm.gelu tanh
    %g1 = llm.gelu tanh %a : tensor<?x64xf32>
    // CHECK: llm.gelu none
    %g2 = llm.gelu none %g1 : tensor<?x64xf32>
    // CHECK: llm.glu silu %{{.*}}, %{{.*}} : tensor<?x64xf32>
    %m = llm.glu silu %g2, %a : tensor<?x64xf32>
    // CHECK: llm.glu gelu_tanh
    %m2 = llm.glu gelu_tanh %m, %a : tensor<?x64xf32>
    // CHECK: llm.mul %{{.*}}, %{{.*}} : tensor<?x64xf32>
    %p = llm.mul %m2, %m : tensor<?x64xf32>
    // CHECK: llm.add %{{.*}}, %[[S]] : tensor<?x64xf32>
    %r = llm.add %p, %s : tensor<?x64xf32>
    // CHECK: llm.lm_head %{{.*}}, %{{.*}} {softcap = 3.000000e+01 : f64} : tensor<?x64xf32>, tensor<300x64xf32> -> tensor<?x300xf32>
    %logits = llm.lm_head %r, %head {softcap = 30.0 : f64}
        : tensor<?x64xf32>, tensor<300x64xf32> -> tensor<?x300xf32>
    return %logits, %q2, %k2, %o : tensor<?x300xf32>, tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x4x16xf32>
  }
}

// -----

// Tests that layer_norm takes an optional bias and lm_head may widen logits.

// CHECK-LABEL: func.func @gpt2_tail
func.func @gpt2_tail(%x: tensor<?x64xbf16>, %w: tensor<64xbf16>, %b: tensor<64xbf16>,
                     %head: tensor<300x64xbf16>) -> tensor<?x300xf32> {
  // CHECK: llm.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64} : tensor<?x64xbf16>, tensor<64xbf16>, tensor<64xbf16>
  %n = llm.layer_norm %x, %w, %b {epsilon = 1.0e-5 : f64}
      : tensor<?x64xbf16>, tensor<64xbf16>, tensor<64xbf16>
  // CHECK: llm.layer_norm %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64} : tensor<?x64xbf16>, tensor<64xbf16>
  %n2 = llm.layer_norm %n, %w {epsilon = 1.0e-5 : f64} : tensor<?x64xbf16>, tensor<64xbf16>
  // CHECK: llm.lm_head %{{.*}}, %{{.*}} : tensor<?x64xbf16>, tensor<300x64xbf16> -> tensor<?x300xf32>
  %l = llm.lm_head %n2, %head : tensor<?x64xbf16>, tensor<300x64xbf16> -> tensor<?x300xf32>
  return %l : tensor<?x300xf32>
}

// -----

// Tests that quantized weights, symmetric and with zero points, feed linear
// layers and print their type in full.

// CHECK-LABEL: func.func @quantized
func.func @quantized(%x: tensor<?x64xf16>, %q: tensor<128x64xi4>, %s: tensor<128x2xf16>,
                     %u: tensor<128x64xui4>, %z: tensor<128x2xui4>,
                     %q8: tensor<128x64xi8>, %s8: tensor<128x1xf32>)
    -> (tensor<?x128xf16>, tensor<?x128xf16>) {
  // CHECK: llm.quantized_weight %{{.*}}, %{{.*}} : tensor<128x64xi4>, tensor<128x2xf16> -> !llm.qweight<128x64, i4, group = 32, scale = f16>
  %w = llm.quantized_weight %q, %s : tensor<128x64xi4>, tensor<128x2xf16>
      -> !llm.qweight<128x64, i4, group = 32, scale = f16>
  // CHECK: llm.quantized_weight %{{.*}}, %{{.*}}, %{{.*}} : tensor<128x64xui4>, tensor<128x2xf16>, tensor<128x2xui4> -> !llm.qweight<128x64, ui4, group = 32, scale = f16, zero_point>
  %wz = llm.quantized_weight %u, %s, %z : tensor<128x64xui4>, tensor<128x2xf16>, tensor<128x2xui4>
      -> !llm.qweight<128x64, ui4, group = 32, scale = f16, zero_point>
  // CHECK: !llm.qweight<128x64, i8, group = 64, scale = f32>
  %w8 = llm.quantized_weight %q8, %s8 : tensor<128x64xi8>, tensor<128x1xf32>
      -> !llm.qweight<128x64, i8, group = 64, scale = f32>
  // CHECK: llm.linear %{{.*}}, %{{.*}} : tensor<?x64xf16>, !llm.qweight<128x64, i4, group = 32, scale = f16> -> tensor<?x128xf16>
  %y = llm.linear %x, %w : tensor<?x64xf16>, !llm.qweight<128x64, i4, group = 32, scale = f16>
      -> tensor<?x128xf16>
  %y2 = llm.linear %x, %wz : tensor<?x64xf16>,
      !llm.qweight<128x64, ui4, group = 32, scale = f16, zero_point> -> tensor<?x128xf16>
  return %y, %y2 : tensor<?x128xf16>, tensor<?x128xf16>
}

// -----

// Tests that a group that does not divide K leaves a last partial group.

// CHECK-LABEL: func.func @partial_group
func.func @partial_group(%q: tensor<8x40xi4>, %s: tensor<8x2xf32>)
    -> !llm.qweight<8x40, i4, group = 32, scale = f32> {
  // CHECK: !llm.qweight<8x40, i4, group = 32, scale = f32>
  %w = llm.quantized_weight %q, %s : tensor<8x40xi4>, tensor<8x2xf32>
      -> !llm.qweight<8x40, i4, group = 32, scale = f32>
  return %w : !llm.qweight<8x40, i4, group = 32, scale = f32>
}

// -----

// Tests the constant and layout ops raising produces.

// CHECK-LABEL: func.func @layout
func.func @layout(%x: tensor<?x64xf16>) -> (tensor<?x4x8xf32>, tensor<64x32xf32>) {
  // CHECK: %[[W:.*]] = llm.constant "w" dense<1.000000e+00> : tensor<32x64xf32>
  %w = llm.constant "w" dense<1.0> : tensor<32x64xf32>
  // CHECK: llm.transpose %[[W]] : tensor<32x64xf32> -> tensor<64x32xf32>
  %wt = llm.transpose %w : tensor<32x64xf32> -> tensor<64x32xf32>
  // CHECK: llm.convert %{{.*}} : tensor<?x64xf16> -> tensor<?x64xf32>
  %c = llm.convert %x : tensor<?x64xf16> -> tensor<?x64xf32>
  // CHECK: llm.slice %{{.*}}[16, 32] : tensor<?x64xf32> -> tensor<?x32xf32>
  %s = llm.slice %c [16, 32] : tensor<?x64xf32> -> tensor<?x32xf32>
  // CHECK: llm.scale %{{.*}} {factor = 2.500000e-01 : f64} : tensor<?x32xf32>
  %m = llm.scale %s {factor = 0.25 : f64} : tensor<?x32xf32>
  // CHECK: llm.reshape %{{.*}} : tensor<?x32xf32> -> tensor<?x4x8xf32>
  %r = llm.reshape %m : tensor<?x32xf32> -> tensor<?x4x8xf32>
  return %r, %wt : tensor<?x4x8xf32>, tensor<64x32xf32>
}

// -----

// Tests the fused forms of the linear layers: a residual added to the
// result, and an RMS norm of the input, on each linear-family op.

// CHECK-LABEL: func.func @fused_linears
func.func @fused_linears(%x: tensor<?x64xf32>, %r: tensor<?x32xf32>,
                         %g: tensor<64xf32>, %w: tensor<32x64xf32>,
                         %b: tensor<32xf32>, %head: tensor<300x64xf32>)
    -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x300xf32>) {
  // CHECK: llm.linear %{{.*}}, %{{.*}}, %{{.*}} residual(%{{.*}} : tensor<?x32xf32>) norm(%{{.*}} : tensor<64xf32>) {norm_epsilon = 1.000000e-05 : f64, norm_unit_offset} : tensor<?x64xf32>, tensor<32x64xf32>, tensor<32xf32> -> tensor<?x32xf32>
  %y = llm.linear %x, %w, %b residual(%r : tensor<?x32xf32>) norm(%g : tensor<64xf32>) {norm_epsilon = 1.0e-5 : f64, norm_unit_offset}
      : tensor<?x64xf32>, tensor<32x64xf32>, tensor<32xf32> -> tensor<?x32xf32>
  // CHECK: llm.linear_group %{{.*}}, [%{{.*}}, %{{.*}}] norm(%{{.*}} : tensor<64xf32>) {norm_epsilon = 1.000000e-05 : f64}
  %q, %k = llm.linear_group %x, [%w, %w] norm(%g : tensor<64xf32>) {norm_epsilon = 1.0e-5 : f64}
      : tensor<?x64xf32>, [tensor<32x64xf32>, tensor<32x64xf32>] -> tensor<?x32xf32>, tensor<?x32xf32>
  // CHECK: llm.gated_linear silu %{{.*}}, %{{.*}}, %{{.*}} norm(%{{.*}} : tensor<64xf32>) {norm_epsilon = 1.000000e-05 : f64}
  %h = llm.gated_linear silu %x, %w, %w norm(%g : tensor<64xf32>) {norm_epsilon = 1.0e-5 : f64}
      : tensor<?x64xf32>, tensor<32x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  // CHECK: llm.lm_head %{{.*}}, %{{.*}} norm(%{{.*}} : tensor<64xf32>) {norm_epsilon = 1.000000e-05 : f64, softcap = 3.000000e+01 : f64}
  %l = llm.lm_head %x, %head norm(%g : tensor<64xf32>) {norm_epsilon = 1.0e-5 : f64, softcap = 30.0 : f64}
      : tensor<?x64xf32>, tensor<300x64xf32> -> tensor<?x300xf32>
  return %y, %q, %k, %h, %l : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x300xf32>
}
