// RUN: llmc-opt %s --split-input-file --verify-diagnostics

// Tests that the kv cache attribute needs a positive layer count.
// expected-error @+1 {{expects a positive number of layers, got 0}}
module attributes {llm.kv_cache = #llm.kv_cache<layers = 0, kv_heads = 2, head_dim = 16, dtype = f32>} {}

// -----

// Tests that the kv cache attribute needs positive kv heads.
// expected-error @+1 {{expects a positive number of kv heads, got -1}}
module attributes {llm.kv_cache = #llm.kv_cache<layers = 2, kv_heads = -1, head_dim = 16, dtype = f32>} {}

// -----

// Tests that the kv cache attribute needs a positive head dim.
// expected-error @+1 {{expects a positive head dim, got 0}}
module attributes {llm.kv_cache = #llm.kv_cache<layers = 2, kv_heads = 2, head_dim = 0, dtype = f32>} {}

// -----

// Tests that the kv cache stores floats.
// expected-error @+1 {{expects a float cache element type, got 'i32'}}
module attributes {llm.kv_cache = #llm.kv_cache<layers = 2, kv_heads = 2, head_dim = 16, dtype = i32>} {}

// -----

// Tests that llm.kv_cache belongs on a module only.
module {
  // expected-error @+1 {{'llm.kv_cache' is only valid on a module}}
  func.func @f() attributes {llm.kv_cache = #llm.kv_cache<layers = 2, kv_heads = 2, head_dim = 16, dtype = f32>} {
    return
  }
}

// -----

// Tests that llm.kv_cache must be a kv cache attribute.
// expected-error @+1 {{expects 'llm.kv_cache' to be a #llm.kv_cache attribute, got 3 : i64}}
module attributes {llm.kv_cache = 3 : i64} {}

// -----

// Tests that unknown llm attributes are refused.
// expected-error @+1 {{has unknown llm dialect attribute 'llm.foo'}}
module attributes {llm.foo = 1 : i64} {}

// -----

// Tests that a quantized weight is two-dimensional.
// expected-error @+1 {{expects a quantized weight of rank 2, got rank 3}}
func.func @f(%w: !llm.qweight<2x64x64, i4, group = 32, scale = f16>)

// -----

// Tests that a quantized weight has a positive shape.
// expected-error @+1 {{expects a static positive shape, got 0x64}}
func.func @f(%w: !llm.qweight<0x64, i4, group = 32, scale = f16>)

// -----

// Tests that quantized storage is 4 or 8 bits.
// expected-error @+1 {{expects 4- or 8-bit integer storage, got 'i3'}}
func.func @f(%w: !llm.qweight<64x64, i3, group = 32, scale = f16>)

// -----

// Tests that the group size is positive.
// expected-error @+1 {{expects a positive group size, got 0}}
func.func @f(%w: !llm.qweight<64x64, i4, group = 0, scale = f16>)

// -----

// Tests that unsigned storage needs zero points.
// expected-error @+1 {{expects signed storage without zero points (symmetric quantization), got 'ui4'}}
func.func @f(%w: !llm.qweight<64x64, ui4, group = 32, scale = f16>)

// -----

func.func @f(%q: tensor<64x32xi4>, %s: tensor<64x2xf16>) {
  // expected-error @+1 {{expects values of shape [64, 64], got [64, 32]}}
  %w = llm.quantized_weight %q, %s : tensor<64x32xi4>, tensor<64x2xf16>
      -> !llm.qweight<64x64, i4, group = 32, scale = f16>
  return
}

// -----

func.func @f(%q: tensor<64x64xi8>, %s: tensor<64x2xf16>) {
  // expected-error @+1 {{expects values of element type 'i4', got 'i8'}}
  %w = llm.quantized_weight %q, %s : tensor<64x64xi8>, tensor<64x2xf16>
      -> !llm.qweight<64x64, i4, group = 32, scale = f16>
  return
}

// -----

func.func @f(%q: tensor<64x64xi4>, %s: tensor<64x4xf16>) {
  // expected-error @+1 {{expects scales of shape [64, 2], got [64, 4]}}
  %w = llm.quantized_weight %q, %s : tensor<64x64xi4>, tensor<64x4xf16>
      -> !llm.qweight<64x64, i4, group = 32, scale = f16>
  return
}

// -----

func.func @f(%q: tensor<64x64xi4>, %s: tensor<64x2xf32>) {
  // expected-error @+1 {{expects scales of element type 'f16', got 'f32'}}
  %w = llm.quantized_weight %q, %s : tensor<64x64xi4>, tensor<64x2xf32>
      -> !llm.qweight<64x64, i4, group = 32, scale = f16>
  return
}

// -----

func.func @f(%q: tensor<64x64xui4>, %s: tensor<64x2xf16>) {
  // expected-error @+1 {{expects zero points, as its type has zero_point}}
  %w = llm.quantized_weight %q, %s : tensor<64x64xui4>, tensor<64x2xf16>
      -> !llm.qweight<64x64, ui4, group = 32, scale = f16, zero_point>
  return
}

// -----

func.func @f(%q: tensor<64x64xi4>, %s: tensor<64x2xf16>, %z: tensor<64x2xi4>) {
  // expected-error @+1 {{has zero points but its type has none}}
  %w = llm.quantized_weight %q, %s, %z : tensor<64x64xi4>, tensor<64x2xf16>, tensor<64x2xi4>
      -> !llm.qweight<64x64, i4, group = 32, scale = f16>
  return
}

// -----

func.func @f(%q: tensor<64x64xui4>, %s: tensor<64x2xf16>, %z: tensor<64x1xui4>) {
  // expected-error @+1 {{expects zero points of shape [64, 2], got [64, 1]}}
  %w = llm.quantized_weight %q, %s, %z : tensor<64x64xui4>, tensor<64x2xf16>, tensor<64x1xui4>
      -> !llm.qweight<64x64, ui4, group = 32, scale = f16, zero_point>
  return
}

// -----

func.func @f(%q: tensor<64x64xui4>, %s: tensor<64x2xf16>, %z: tensor<64x2xui8>) {
  // expected-error @+1 {{expects zero points of element type 'ui4', got 'ui8'}}
  %w = llm.quantized_weight %q, %s, %z : tensor<64x64xui4>, tensor<64x2xf16>, tensor<64x2xui8>
      -> !llm.qweight<64x64, ui4, group = 32, scale = f16, zero_point>
  return
}

// -----

func.func @f(%t: tensor<2x300x64xf32>, %ids: tensor<?xi64>) {
  // expected-error @+1 {{expects table of rank 2, got 3}}
  %h = llm.embedding %t[%ids] : tensor<2x300x64xf32>, tensor<?xi64> -> tensor<?x64xf32>
  return
}

// -----

func.func @f(%t: tensor<300x64xf32>, %ids: tensor<?xi64>) {
  // expected-error @+1 {{expects result of rank 2, got 3}}
  %h = llm.embedding %t[%ids] : tensor<300x64xf32>, tensor<?xi64> -> tensor<1x?x64xf32>
  return
}

// -----

func.func @f(%t: tensor<300x64xf32>, %ids: tensor<4xi64>) {
  // expected-error @+1 {{expects one result row per id, got 5 rows for 4 ids}}
  %h = llm.embedding %t[%ids] : tensor<300x64xf32>, tensor<4xi64> -> tensor<5x64xf32>
  return
}

// -----

func.func @f(%t: tensor<300x64xf32>, %ids: tensor<?xi64>) {
  // expected-error @+1 {{expects result width 32 to match the table width 64}}
  %h = llm.embedding %t[%ids] : tensor<300x64xf32>, tensor<?xi64> -> tensor<?x32xf32>
  return
}

// -----

func.func @f(%t: tensor<300x64xf32>, %ids: tensor<?xi64>) {
  // expected-error @+1 {{expects result element type 'f16' to match the table's 'f32'}}
  %h = llm.embedding %t[%ids] : tensor<300x64xf32>, tensor<?xi64> -> tensor<?x64xf16>
  return
}

// -----

func.func @f(%t: tensor<300x64xf32>, %ids: tensor<?xi64>) {
  // expected-error @+1 {{expects a positive scale, got -1}}
  %h = llm.embedding %t[%ids] {scale = -1.0 : f64} : tensor<300x64xf32>, tensor<?xi64> -> tensor<?x64xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<2x32x64xf32>) {
  // expected-error @+1 {{expects weight of rank 2, got 3}}
  %y = llm.linear %x, %w : tensor<?x64xf32>, tensor<2x32x64xf32> -> tensor<?x32xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<32x64xf16>) {
  // expected-error @+1 {{expects weight element type 'f16' to match the input's 'f32'}}
  %y = llm.linear %x, %w : tensor<?x64xf32>, tensor<32x64xf16> -> tensor<?x32xf32>
  return
}

// -----

func.func @f(%x: tensor<f32>, %w: tensor<32x64xf32>) {
  // expected-error @+1 {{expects input of rank >= 1}}
  %y = llm.linear %x, %w : tensor<f32>, tensor<32x64xf32> -> tensor<?x32xf32>
  return
}

// -----

func.func @f(%x: tensor<?x48xf32>, %w: tensor<32x64xf32>) {
  // expected-error @+1 {{expects input feature dim 48 to match weight dim 1 (64)}}
  %y = llm.linear %x, %w : tensor<?x48xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<32x64xf32>) {
  // expected-error @+1 {{expects result of rank 2, got 3}}
  %y = llm.linear %x, %w : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<1x?x32xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %w: tensor<32x64xf32>) {
  // expected-error @+1 {{expects result shape [5, 32] to keep the input's leading dims [4, 64]}}
  %y = llm.linear %x, %w : tensor<4x64xf32>, tensor<32x64xf32> -> tensor<5x32xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<32x64xf32>) {
  // expected-error @+1 {{expects result feature dim 16 to match weight dim 0 (32)}}
  %y = llm.linear %x, %w : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x16xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf16>, %w: !llm.qweight<32x64, i4, group = 32, scale = f16>) {
  // expected-error @+1 {{expects result element type 'f32' to match the input's 'f16'}}
  %y = llm.linear %x, %w : tensor<?x64xf16>, !llm.qweight<32x64, i4, group = 32, scale = f16> -> tensor<?x32xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<32x64xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{expects bias of shape [32], got [64]}}
  %y = llm.linear %x, %w, %b : tensor<?x64xf32>, tensor<32x64xf32>, tensor<64xf32> -> tensor<?x32xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<32x64xf32>, %b: tensor<32xf16>) {
  // expected-error @+1 {{expects bias element type 'f16' to match the input's 'f32'}}
  %y = llm.linear %x, %w, %b : tensor<?x64xf32>, tensor<32x64xf32>, tensor<32xf16> -> tensor<?x32xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<32x64xf32>, %r: tensor<?x16xf32>) {
  // expected-error @+1 {{expects residual of the result's type 'tensor<?x32xf32>', got 'tensor<?x16xf32>'}}
  %y = llm.linear %x, %w residual(%r : tensor<?x16xf32>) : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<32x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{expects norm_epsilon with its norm weight}}
  %y = llm.linear %x, %w norm(%g : tensor<64xf32>) : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<32x64xf32>) {
  // expected-error @+1 {{has norm_epsilon or norm_unit_offset without a norm weight}}
  %y = llm.linear %x, %w {norm_epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<32x64xf32>, %g: tensor<32xf32>) {
  // expected-error @+1 {{expects norm weight of shape [64], got [32]}}
  %y = llm.gated_linear silu %x, %w, %w norm(%g : tensor<32xf32>) {norm_epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, tensor<32x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<32x64xf32>, %g: tensor<64xf16>) {
  // expected-error @+1 {{expects norm weight element type 'f16' to match the input's 'f32'}}
  %q, %k = llm.linear_group %x, [%w, %w] norm(%g : tensor<64xf16>) {norm_epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, [tensor<32x64xf32>, tensor<32x64xf32>] -> tensor<?x32xf32>, tensor<?x32xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<300x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{expects a positive norm_epsilon, got 0}}
  %y = llm.lm_head %x, %w norm(%g : tensor<64xf32>) {norm_epsilon = 0.0 : f64} : tensor<?x64xf32>, tensor<300x64xf32> -> tensor<?x300xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<300x64xf32>) {
  // expected-error @+1 {{expects a positive softcap, got 0}}
  %y = llm.lm_head %x, %w {softcap = 0.0 : f64} : tensor<?x64xf32>, tensor<300x64xf32> -> tensor<?x300xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<300x32xf32>) {
  // expected-error @+1 {{expects input feature dim 64 to match weight dim 1 (32)}}
  %y = llm.lm_head %x, %w : tensor<?x64xf32>, tensor<300x32xf32> -> tensor<?x300xf32>
  return
}

// -----

func.func @f(%x: tensor<f32>, %w: tensor<64xf32>) {
  // expected-error @+1 {{expects input of rank >= 1}}
  %y = llm.rms_norm %x, %w {epsilon = 1.0e-5 : f64} : tensor<f32>, tensor<64xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<32xf32>) {
  // expected-error @+1 {{expects weight of shape [64], got [32]}}
  %y = llm.rms_norm %x, %w {epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, tensor<32xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<64xf16>) {
  // expected-error @+1 {{expects weight element type 'f16' to match the input's 'f32'}}
  %y = llm.rms_norm %x, %w {epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, tensor<64xf16>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<64xf32>) {
  // expected-error @+1 {{expects a positive epsilon, got 0}}
  %y = llm.rms_norm %x, %w {epsilon = 0.0 : f64} : tensor<?x64xf32>, tensor<64xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<64x1xf32>) {
  // expected-error @+1 {{expects weight of shape [64], got [64, 1]}}
  %y, %s = llm.add_rms_norm %x, %x, %w {epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, tensor<64x1xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<64xf32>) {
  // expected-error @+1 {{expects a positive epsilon, got -1}}
  %y, %s = llm.add_rms_norm %x, %x, %w {epsilon = -1.0 : f64} : tensor<?x64xf32>, tensor<64xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<64xf32>, %b: tensor<63xf32>) {
  // expected-error @+1 {{expects bias of shape [64], got [63]}}
  %y = llm.layer_norm %x, %w, %b {epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, tensor<64xf32>, tensor<63xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %w: tensor<64xf32>) {
  // expected-error @+1 {{expects a positive epsilon, got 0}}
  %y = llm.layer_norm %x, %w {epsilon = 0.0 : f64} : tensor<?x64xf32>, tensor<64xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %p: tensor<?xi64>, %c: tensor<512x8xf32>) {
  // expected-error @+1 {{expects input of rank 3 [tokens, heads, head_dim], got rank 2}}
  %y = llm.rope rotate_half %x, %p, %c, %c : tensor<?x64xf32>, tensor<?xi64>, tensor<512x8xf32>
  return
}

// -----

func.func @f(%x: tensor<4x4x16xf32>, %p: tensor<3xi64>, %c: tensor<512x8xf32>) {
  // expected-error @+1 {{expects one position per token, got 3 positions for 4 tokens}}
  %y = llm.rope rotate_half %x, %p, %c, %c : tensor<4x4x16xf32>, tensor<3xi64>, tensor<512x8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x16xf32>, %p: tensor<?xi64>, %c: tensor<8xf32>) {
  // expected-error @+1 {{expects cos and sin tables of rank 2, got rank 1}}
  %y = llm.rope rotate_half %x, %p, %c, %c : tensor<?x4x16xf32>, tensor<?xi64>, tensor<8xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x16xf32>, %p: tensor<?xi64>, %c: tensor<512x?xf32>) {
  // expected-error @+1 {{expects a static positive table width, got [512, ?]}}
  %y = llm.rope rotate_half %x, %p, %c, %c : tensor<?x4x16xf32>, tensor<?xi64>, tensor<512x?xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4x16xf32>, %p: tensor<?xi64>, %c: tensor<512x16xf32>) {
  // expected-error @+1 {{expects rotary dim (2 x 16 = 32) at most the head dim (16)}}
  %y = llm.rope rotate_half %x, %p, %c, %c : tensor<?x4x16xf32>, tensor<?xi64>, tensor<512x16xf32>
  return
}

// -----

func.func @f(%q: tensor<?x64xf32>, %k: tensor<?x2x16xf32>) {
  // expected-error @+1 {{expects query of rank 3 [tokens, heads, head_dim], got rank 2}}
  %o = llm.attention %q, %k, %k {layer = 0 : i64, scale = 0.25 : f64} : tensor<?x64xf32>, tensor<?x2x16xf32>
  return
}

// -----

func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x32xf32>) {
  // expected-error @+1 {{expects key and value of rank 3 [tokens, kv_heads, head_dim], got rank 2}}
  %o = llm.attention %q, %k, %k {layer = 0 : i64, scale = 0.25 : f64} : tensor<?x4x16xf32>, tensor<?x32xf32>
  return
}

// -----

func.func @f(%q: tensor<3x4x16xf32>, %k: tensor<2x2x16xf32>) {
  // expected-error @+1 {{expects as many key/value tokens (2) as query tokens (3)}}
  %o = llm.attention %q, %k, %k {layer = 0 : i64, scale = 0.25 : f64} : tensor<3x4x16xf32>, tensor<2x2x16xf32>
  return
}

// -----

func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x2x8xf32>) {
  // expected-error @+1 {{expects key head dim 8 to match the query head dim 16}}
  %o = llm.attention %q, %k, %k {layer = 0 : i64, scale = 0.25 : f64} : tensor<?x4x16xf32>, tensor<?x2x8xf32>
  return
}

// -----

func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %p: tensor<?xi64>, %c: tensor<64x4xf32>) {
  // expected-error @+1 {{expects rope tables of head_dim / 2 columns, got [64, 4] for head dim 16}}
  %o = llm.attention %q, %k, %k rope rotate_half(%p, %c, %c : tensor<?xi64>, tensor<64x4xf32>, tensor<64x4xf32>) {layer = 0 : i64, scale = 0.25 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
  return
}

// -----

func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %p: tensor<?xi64>, %c: tensor<64x8xf32>) {
  // expected-error @+1 {{expects the rope style, positions, cos and sin together or none of them}}
  %o = "llm.attention"(%q, %k, %k, %p, %c, %c) <{layer = 0 : i64, scale = 0.25 : f64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1>}> : (tensor<?x4x16xf32>, tensor<?x2x16xf32>, tensor<?x2x16xf32>, tensor<?xi64>, tensor<64x8xf32>, tensor<64x8xf32>) -> tensor<?x4x16xf32>
  return
}

// -----

func.func @f(%q: tensor<?x?x16xf32>, %k: tensor<?x2x16xf32>) {
  // expected-error @+1 {{expects static head counts}}
  %o = llm.attention %q, %k, %k {layer = 0 : i64, scale = 0.25 : f64} : tensor<?x?x16xf32>, tensor<?x2x16xf32>
  return
}

// -----

func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x3x16xf32>) {
  // expected-error @+1 {{expects query heads (4) to be a multiple of key/value heads (3)}}
  %o = llm.attention %q, %k, %k {layer = 0 : i64, scale = 0.25 : f64} : tensor<?x4x16xf32>, tensor<?x3x16xf32>
  return
}

// -----

func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf16>) {
  // expected-error @+1 {{expects key element type 'f16' to match the query's 'f32'}}
  %o = llm.attention %q, %k, %k {layer = 0 : i64, scale = 0.25 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf16>
  return
}

// -----

func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>) {
  // expected-error @+1 {{expects a non-negative layer, got -1}}
  %o = llm.attention %q, %k, %k {layer = -1 : i64, scale = 0.25 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
  return
}

// -----

func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>) {
  // expected-error @+1 {{expects a positive scale, got 0}}
  %o = llm.attention %q, %k, %k {layer = 0 : i64, scale = 0.0 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
  return
}

// -----

func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>) {
  // expected-error @+1 {{expects a positive softcap, got -5}}
  %o = llm.attention %q, %k, %k {layer = 0 : i64, scale = 0.25 : f64, softcap = -5.0 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
  return
}

// -----

func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>) {
  // expected-error @+1 {{expects a positive sliding window, got 0}}
  %o = llm.attention %q, %k, %k {layer = 0 : i64, scale = 0.25 : f64, sliding_window = 0 : i64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
  return
}

// -----

module attributes {llm.kv_cache = #llm.kv_cache<layers = 2, kv_heads = 2, head_dim = 16, dtype = f32>} {
  func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>) {
    // expected-error @+1 {{expects layer 2 below the module's 2 cache layers}}
    %o = llm.attention %q, %k, %k {layer = 2 : i64, scale = 0.25 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
    return
  }
}

// -----

module attributes {llm.kv_cache = #llm.kv_cache<layers = 2, kv_heads = 2, head_dim = 16, dtype = f32>} {
  func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x4x16xf32>) {
    // expected-error @+1 {{expects 2 key/value heads as the module's kv cache has, got 4}}
    %o = llm.attention %q, %k, %k {layer = 0 : i64, scale = 0.25 : f64} : tensor<?x4x16xf32>, tensor<?x4x16xf32>
    return
  }
}

// -----

module attributes {llm.kv_cache = #llm.kv_cache<layers = 2, kv_heads = 2, head_dim = 32, dtype = f32>} {
  func.func @f(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>) {
    // expected-error @+1 {{expects head dim 32 as the module's kv cache has, got 16}}
    %o = llm.attention %q, %k, %k {layer = 0 : i64, scale = 0.25 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
    return
  }
}

// -----

func.func @f(%w: tensor<2x3x4xf32>) {
  // expected-error @+1 {{expects a matrix, got rank 3}}
  %t = llm.transpose %w : tensor<2x3x4xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @f(%w: tensor<2x3xf32>) {
  // expected-error @+1 {{expects the result to be the transposed [2, 3] 'f32', got [2, 3] 'f32'}}
  %t = llm.transpose %w : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{expects 64 features per token as [?, 64] has, got 60 in [?, 4, 15]}}
  %t = llm.reshape %x : tensor<?x64xf32> -> tensor<?x4x15xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{expects the element type to stay 'f32'}}
  %t = llm.reshape %x : tensor<?x64xf32> -> tensor<?x4x16xf16>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{expects the token dim to stay}}
  %t = llm.reshape %x : tensor<?x64xf32> -> tensor<4x16xf32>
  return
}

// -----

func.func @f(%x: tensor<?x?xf32>) {
  // expected-error @+1 {{expects static feature dims}}
  %t = llm.reshape %x : tensor<?x?xf32> -> tensor<?x4x16xf32>
  return
}

// -----

func.func @f(%x: tensor<?xf32>) {
  // expected-error @+1 {{expects tensors with a token dim}}
  %t = llm.reshape %x : tensor<?xf32> -> tensor<f32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{expects [32, 96) inside the last dim of [?, 64]}}
  %t = llm.slice %x [32, 64] : tensor<?x64xf32> -> tensor<?x64xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{expects a result of the input's rank and element type}}
  %t = llm.slice %x [0, 32] : tensor<?x64xf32> -> tensor<?x32xf16>
  return
}

// -----

func.func @f(%x: tensor<?x4x64xf32>) {
  // expected-error @+1 {{expects every dim but the last to stay}}
  %t = llm.slice %x [0, 32] : tensor<?x4x64xf32> -> tensor<?x2x32xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{expects a last dim of 32}}
  %t = llm.slice %x [0, 32] : tensor<?x64xf32> -> tensor<?x16xf32>
  return
}

// -----

func.func @f(%x: tensor<?x64xf32>, %a: !llm.qweight<16x64, i4, group = 32, scale = f32>,
             %b: !llm.qweight<16x64, i4, group = 64, scale = f32>) {
  // expected-error @+1 {{weights should share one element type (or one quantized format)}}
  %p, %q = llm.linear_group %x, [%a, %b] : tensor<?x64xf32>,
      [!llm.qweight<16x64, i4, group = 32, scale = f32>, !llm.qweight<16x64, i4, group = 64, scale = f32>]
      -> tensor<?x16xf32>, tensor<?x16xf32>
  return
}
