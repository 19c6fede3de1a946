// RUN: llmc-opt %s --split-input-file --llmc-fuse-linear-groups | FileCheck %s

// Tests that the Q, K and V projections of one input become one group at
// the first projection, with the later weights' transposes moved up to it.

// CHECK-LABEL: func.func @qkv
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xf32>, %[[WQ:.*]]: tensor<64x64xf32>, %[[WK:.*]]: tensor<64x32xf32>, %[[WV:.*]]: tensor<64x32xf32>)
func.func @qkv(%x: tensor<?x64xf32>, %wq: tensor<64x64xf32>, %wk: tensor<64x32xf32>, %wv: tensor<64x32xf32>)
    -> (tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>) {
  // CHECK: %[[TK:.*]] = llm.transpose %[[WK]]
  // CHECK-NEXT: %[[TV:.*]] = llm.transpose %[[WV]]
  // CHECK-NEXT: %[[G:.*]]:3 = llm.linear_group %[[X]], [%[[WQ]], %[[TK]], %[[TV]]] : tensor<?x64xf32>, [tensor<64x64xf32>, tensor<32x64xf32>, tensor<32x64xf32>] -> tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>
  // CHECK-NEXT: llm.silu %[[G]]#0
  // CHECK-NOT: llm.linear %
  %q = llm.linear %x, %wq : tensor<?x64xf32>, tensor<64x64xf32> -> tensor<?x64xf32>
  %qs = llm.silu %q : tensor<?x64xf32>
  %tk = llm.transpose %wk : tensor<64x32xf32> -> tensor<32x64xf32>
  %k = llm.linear %x, %tk : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  %tv = llm.transpose %wv : tensor<64x32xf32> -> tensor<32x64xf32>
  %v = llm.linear %x, %tv : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  // CHECK: return %{{.*}}, %[[G]]#1, %[[G]]#2
  return %qs, %k, %v : tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>
}

// -----

// Tests that biases are taken along when every member has one (Qwen2).

// CHECK-LABEL: func.func @biases
func.func @biases(%x: tensor<?x64xf32>, %wq: tensor<64x64xf32>, %wk: tensor<32x64xf32>, %bq: tensor<64xf32>, %bk: tensor<32xf32>)
    -> (tensor<?x64xf32>, tensor<?x32xf32>) {
  // CHECK: llm.linear_group %{{.*}}, [%{{.*}}, %{{.*}}] bias[%{{.*}}, %{{.*}}] : tensor<?x64xf32>, [tensor<64x64xf32>, tensor<32x64xf32>], [tensor<64xf32>, tensor<32xf32>]
  %q = llm.linear %x, %wq, %bq : tensor<?x64xf32>, tensor<64x64xf32>, tensor<64xf32> -> tensor<?x64xf32>
  %k = llm.linear %x, %wk, %bk : tensor<?x64xf32>, tensor<32x64xf32>, tensor<32xf32> -> tensor<?x32xf32>
  return %q, %k : tensor<?x64xf32>, tensor<?x32xf32>
}

// -----

// Tests that four readers make a group of three and a lone linear, and that
// a linear with a bias does not join bias-free ones.

// CHECK-LABEL: func.func @four_and_bias
func.func @four_and_bias(%x: tensor<?x64xf32>, %w: tensor<16x64xf32>, %b: tensor<16xf32>)
    -> (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) {
  // CHECK: llm.linear_group %{{.*}}, [%{{.*}}, %{{.*}}, %{{.*}}] :
  // CHECK-NEXT: llm.linear %{{.*}}, %{{.*}}, %{{.*}} :
  // CHECK-NEXT: llm.linear %{{.*}}, %{{.*}} :
  // CHECK-NEXT: return
  %a = llm.linear %x, %w : tensor<?x64xf32>, tensor<16x64xf32> -> tensor<?x16xf32>
  %c = llm.linear %x, %w, %b : tensor<?x64xf32>, tensor<16x64xf32>, tensor<16xf32> -> tensor<?x16xf32>
  %d = llm.linear %x, %w : tensor<?x64xf32>, tensor<16x64xf32> -> tensor<?x16xf32>
  %e = llm.linear %x, %w : tensor<?x64xf32>, tensor<16x64xf32> -> tensor<?x16xf32>
  %f = llm.linear %x, %w : tensor<?x64xf32>, tensor<16x64xf32> -> tensor<?x16xf32>
  return %a, %c, %d, %e, %f : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>
}

// -----

// Tests that quantized weights of one format made by llm.quantized_weight
// group (the query, key and value projections of an int4 model), that one
// of another format does not join them, and that quantized weights passed
// in as arguments are left alone.

// CHECK-LABEL: func.func @quantized
func.func @quantized(%x: tensor<?x64xf32>, %qq: tensor<64x64xi4>, %sq: tensor<64x2xf32>,
                     %qk: tensor<32x64xi4>, %sk: tensor<32x2xf32>,
                     %q8: tensor<32x64xi8>, %s8: tensor<32x1xf32>,
                     %a: !llm.qweight<16x64, i4, group = 32, scale = f32>)
    -> (tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x16xf32>, tensor<?x16xf32>) {
  // CHECK: llm.linear_group %{{.*}}, [%{{.*}}, %{{.*}}] : tensor<?x64xf32>, [!llm.qweight<64x64, i4, group = 32, scale = f32>, !llm.qweight<32x64, i4, group = 32, scale = f32>]
  // CHECK-COUNT-3: llm.linear
  // CHECK-NOT: llm.linear_group
  %wq = llm.quantized_weight %qq, %sq : tensor<64x64xi4>, tensor<64x2xf32> -> !llm.qweight<64x64, i4, group = 32, scale = f32>
  %wk = llm.quantized_weight %qk, %sk : tensor<32x64xi4>, tensor<32x2xf32> -> !llm.qweight<32x64, i4, group = 32, scale = f32>
  %w8 = llm.quantized_weight %q8, %s8 : tensor<32x64xi8>, tensor<32x1xf32> -> !llm.qweight<32x64, i8, group = 64, scale = f32>
  %p = llm.linear %x, %wq : tensor<?x64xf32>, !llm.qweight<64x64, i4, group = 32, scale = f32> -> tensor<?x64xf32>
  %k = llm.linear %x, %wk : tensor<?x64xf32>, !llm.qweight<32x64, i4, group = 32, scale = f32> -> tensor<?x32xf32>
  %v = llm.linear %x, %w8 : tensor<?x64xf32>, !llm.qweight<32x64, i8, group = 64, scale = f32> -> tensor<?x32xf32>
  %b = llm.linear %x, %a : tensor<?x64xf32>, !llm.qweight<16x64, i4, group = 32, scale = f32> -> tensor<?x16xf32>
  %c = llm.linear %x, %a : tensor<?x64xf32>, !llm.qweight<16x64, i4, group = 32, scale = f32> -> tensor<?x16xf32>
  return %p, %k, %v, %b, %c : tensor<?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x16xf32>, tensor<?x16xf32>
}

// -----

// Tests that linears with a fused residual or norm do not join a group.

// CHECK-LABEL: func.func @fused_linears
func.func @fused_linears(%x: tensor<?x64xf32>, %r: tensor<?x32xf32>, %g: tensor<64xf32>,
                         %wq: tensor<32x64xf32>, %wk: tensor<32x64xf32>, %wv: tensor<32x64xf32>)
    -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>) {
  // CHECK-NOT: llm.linear_group
  // CHECK-COUNT-3: llm.linear
  %q = llm.linear %x, %wq residual(%r : tensor<?x32xf32>) : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  %k = llm.linear %x, %wk norm(%g : tensor<64xf32>) {norm_epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  %v = llm.linear %x, %wv : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  return %q, %k, %v : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>
}
