// RUN: llmc-opt %s --split-input-file --llmc-fuse-rope-attention | FileCheck %s

// Tests that the query's and key's rotary embedding move into the attention
// that is their only user.

// CHECK-LABEL: func.func @fused
// CHECK-SAME: (%[[Q:[^:]*]]: tensor<?x4x16xf32>, %[[K:[^:]*]]: tensor<?x2x16xf32>, %[[V:[^:]*]]: tensor<?x2x16xf32>, %[[P:[^:]*]]: tensor<?xi64>, %[[C:[^:]*]]: tensor<64x8xf32>, %[[S:[^:]*]]: tensor<64x8xf32>)
func.func @fused(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %v: tensor<?x2x16xf32>,
                 %pos: tensor<?xi64>, %cos: tensor<64x8xf32>, %sin: tensor<64x8xf32>)
    -> tensor<?x4x16xf32> {
  // CHECK-NOT: llm.rope
  // CHECK: %[[O:.*]] = llm.attention %[[Q]], %[[K]], %[[V]] rope rotate_half(%[[P]], %[[C]], %[[S]] : tensor<?xi64>, tensor<64x8xf32>, tensor<64x8xf32>) {layer = 0 : i64, scale = 2.500000e-01 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
  %qr = llm.rope rotate_half %q, %pos, %cos, %sin : tensor<?x4x16xf32>, tensor<?xi64>, tensor<64x8xf32>
  %kr = llm.rope rotate_half %k, %pos, %cos, %sin : tensor<?x2x16xf32>, tensor<?xi64>, tensor<64x8xf32>
  %o = llm.attention %qr, %kr, %v {layer = 0 : i64, scale = 0.25 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
  // CHECK: return %[[O]]
  return %o : tensor<?x4x16xf32>
}

// -----

// Tests that the interleaved style is carried over.

// CHECK-LABEL: func.func @interleaved
func.func @interleaved(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %v: tensor<?x2x16xf32>,
                       %pos: tensor<?xi64>, %cos: tensor<64x8xf32>, %sin: tensor<64x8xf32>)
    -> tensor<?x4x16xf32> {
  // CHECK-NOT: llm.rope
  // CHECK: llm.attention {{.*}} rope interleaved(
  %qr = llm.rope interleaved %q, %pos, %cos, %sin : tensor<?x4x16xf32>, tensor<?xi64>, tensor<64x8xf32>
  %kr = llm.rope interleaved %k, %pos, %cos, %sin : tensor<?x2x16xf32>, tensor<?xi64>, tensor<64x8xf32>
  %o = llm.attention %qr, %kr, %v {layer = 1 : i64, scale = 0.25 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
  return %o : tensor<?x4x16xf32>
}

// -----

// Tests that a rotated key with another user keeps its rope.

// CHECK-LABEL: func.func @key_used_twice
func.func @key_used_twice(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %v: tensor<?x2x16xf32>,
                          %pos: tensor<?xi64>, %cos: tensor<64x8xf32>, %sin: tensor<64x8xf32>)
    -> (tensor<?x4x16xf32>, tensor<?x2x16xf32>) {
  // CHECK-COUNT-2: llm.rope
  // CHECK: llm.attention
  // CHECK-NOT: rope rotate_half(
  %qr = llm.rope rotate_half %q, %pos, %cos, %sin : tensor<?x4x16xf32>, tensor<?xi64>, tensor<64x8xf32>
  %kr = llm.rope rotate_half %k, %pos, %cos, %sin : tensor<?x2x16xf32>, tensor<?xi64>, tensor<64x8xf32>
  %o = llm.attention %qr, %kr, %v {layer = 0 : i64, scale = 0.25 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
  return %o, %kr : tensor<?x4x16xf32>, tensor<?x2x16xf32>
}

// -----

// Tests that query and key rotated by different tables stay as they are.

// CHECK-LABEL: func.func @different_tables
func.func @different_tables(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %v: tensor<?x2x16xf32>,
                            %pos: tensor<?xi64>, %cos: tensor<64x8xf32>, %sin: tensor<64x8xf32>,
                            %cos2: tensor<64x8xf32>)
    -> tensor<?x4x16xf32> {
  // CHECK-COUNT-2: llm.rope
  %qr = llm.rope rotate_half %q, %pos, %cos, %sin : tensor<?x4x16xf32>, tensor<?xi64>, tensor<64x8xf32>
  %kr = llm.rope rotate_half %k, %pos, %cos2, %sin : tensor<?x2x16xf32>, tensor<?xi64>, tensor<64x8xf32>
  %o = llm.attention %qr, %kr, %v {layer = 0 : i64, scale = 0.25 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
  return %o : tensor<?x4x16xf32>
}

// -----

// Tests that partial rotary (tables for 8 of 16 dims) stays unfused.

// CHECK-LABEL: func.func @partial_rotary
func.func @partial_rotary(%q: tensor<?x4x16xf32>, %k: tensor<?x2x16xf32>, %v: tensor<?x2x16xf32>,
                          %pos: tensor<?xi64>, %cos: tensor<64x4xf32>, %sin: tensor<64x4xf32>)
    -> tensor<?x4x16xf32> {
  // CHECK-COUNT-2: llm.rope
  %qr = llm.rope rotate_half %q, %pos, %cos, %sin : tensor<?x4x16xf32>, tensor<?xi64>, tensor<64x4xf32>
  %kr = llm.rope rotate_half %k, %pos, %cos, %sin : tensor<?x2x16xf32>, tensor<?xi64>, tensor<64x4xf32>
  %o = llm.attention %qr, %kr, %v {layer = 0 : i64, scale = 0.25 : f64} : tensor<?x4x16xf32>, tensor<?x2x16xf32>
  return %o : tensor<?x4x16xf32>
}
