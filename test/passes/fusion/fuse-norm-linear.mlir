// RUN: llmc-opt %s --split-input-file --llmc-fuse-norm-linear | FileCheck %s

// Tests that an RMS norm read only as the input of linear layers moves
// into each of them, with its weight, epsilon and unit offset.

// CHECK-LABEL: func.func @layer
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xf32>, %[[G:.*]]: tensor<64xf32>, %[[WQ:.*]]: tensor<32x64xf32>, %[[WK:.*]]: tensor<32x64xf32>, %[[WG:.*]]: tensor<32x64xf32>, %[[WU:.*]]: tensor<32x64xf32>, %[[W:.*]]: tensor<32x64xf32>, %[[HEAD:.*]]: tensor<64x300xf32>)
func.func @layer(%x: tensor<?x64xf32>, %g: tensor<64xf32>, %wq: tensor<32x64xf32>, %wk: tensor<32x64xf32>,
                 %wg: tensor<32x64xf32>, %wu: tensor<32x64xf32>, %w: tensor<32x64xf32>, %head: tensor<64x300xf32>)
    -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x300xf32>) {
  // CHECK-NOT: llm.rms_norm
  // CHECK: llm.linear_group %[[X]], [%[[WQ]], %[[WK]]] norm(%[[G]] : tensor<64xf32>) {norm_epsilon = 1.000000e-05 : f64, norm_unit_offset}
  // CHECK: llm.gated_linear silu %[[X]], %[[WG]], %[[WU]] norm(%[[G]] : tensor<64xf32>) {norm_epsilon = 1.000000e-05 : f64, norm_unit_offset}
  // CHECK: llm.linear %[[X]], %[[W]] norm(%[[G]] : tensor<64xf32>) {norm_epsilon = 1.000000e-05 : f64, norm_unit_offset}
  // CHECK: %[[T:.*]] = llm.transpose %[[HEAD]]
  // CHECK: llm.lm_head %[[X]], %[[T]] norm(%[[G]] : tensor<64xf32>) {norm_epsilon = 1.000000e-05 : f64, norm_unit_offset}
  %n = llm.rms_norm %x, %g {epsilon = 1.0e-5 : f64, unit_offset} : tensor<?x64xf32>, tensor<64xf32>
  %q, %k = llm.linear_group %n, [%wq, %wk] : tensor<?x64xf32>, [tensor<32x64xf32>, tensor<32x64xf32>] -> tensor<?x32xf32>, tensor<?x32xf32>
  %h = llm.gated_linear silu %n, %wg, %wu : tensor<?x64xf32>, tensor<32x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  %y = llm.linear %n, %w : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  %t = llm.transpose %head : tensor<64x300xf32> -> tensor<300x64xf32>
  %l = llm.lm_head %n, %t : tensor<?x64xf32>, tensor<300x64xf32> -> tensor<?x300xf32>
  return %q, %k, %h, %y, %l : tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x300xf32>
}

// -----

// Tests that an LM head whose matrix is also the embedding table keeps its
// norm: folding the norm's weights into the matrix would need a second
// copy of it.

// CHECK-LABEL: func.func @tied_head
func.func @tied_head(%ids: tensor<?xi64>, %g: tensor<64xf32>, %table: tensor<300x64xf32>) -> tensor<?x300xf32> {
  // CHECK: %[[N:.*]] = llm.rms_norm
  // CHECK: llm.lm_head %[[N]], %{{.*}} :
  %e = llm.embedding %table[%ids] : tensor<300x64xf32>, tensor<?xi64> -> tensor<?x64xf32>
  %n = llm.rms_norm %e, %g {epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, tensor<64xf32>
  %l = llm.lm_head %n, %table : tensor<?x64xf32>, tensor<300x64xf32> -> tensor<?x300xf32>
  return %l : tensor<?x300xf32>
}

// -----

// Tests that a norm with a user other than a linear layer's input stays,
// for all its users.

// CHECK-LABEL: func.func @other_user
func.func @other_user(%x: tensor<?x64xf32>, %g: tensor<64xf32>, %w: tensor<32x64xf32>)
    -> (tensor<?x32xf32>, tensor<?x64xf32>) {
  // CHECK: %[[N:.*]] = llm.rms_norm
  // CHECK: llm.linear %[[N]], %{{.*}} :
  %n = llm.rms_norm %x, %g {epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, tensor<64xf32>
  %y = llm.linear %n, %w : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  %s = llm.silu %n : tensor<?x64xf32>
  return %y, %s : tensor<?x32xf32>, tensor<?x64xf32>
}

// -----

// Tests that a norm read as a residual, not as an input, stays.

// CHECK-LABEL: func.func @as_residual
func.func @as_residual(%x: tensor<?x64xf32>, %h: tensor<?x64xf32>, %g: tensor<64xf32>, %w: tensor<64x64xf32>) -> tensor<?x64xf32> {
  // CHECK: %[[N:.*]] = llm.rms_norm
  // CHECK: llm.linear %{{.*}}, %{{.*}} residual(%[[N]] : tensor<?x64xf32>) :
  %n = llm.rms_norm %x, %g {epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, tensor<64xf32>
  %y = llm.linear %h, %w residual(%n : tensor<?x64xf32>) : tensor<?x64xf32>, tensor<64x64xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// Tests that a linear layer that already has a norm keeps the norm it
// reads as its input.

// CHECK-LABEL: func.func @already_normed
func.func @already_normed(%x: tensor<?x64xf32>, %g: tensor<64xf32>, %w: tensor<32x64xf32>) -> tensor<?x32xf32> {
  // CHECK: %[[N:.*]] = llm.rms_norm
  // CHECK: llm.linear %[[N]], %{{.*}} norm(
  %n = llm.rms_norm %x, %g {epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, tensor<64xf32>
  %y = llm.linear %n, %w norm(%g : tensor<64xf32>) {norm_epsilon = 1.0e-6 : f64} : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}
