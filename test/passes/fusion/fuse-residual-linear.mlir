// RUN: llmc-opt %s --split-input-file --llmc-fuse-residual-linear | FileCheck %s

// Tests that a residual add of a linear layer's result becomes the layer's
// residual, whichever side of the add the product is on.

// CHECK-LABEL: func.func @residual
// CHECK-SAME: (%[[H:.*]]: tensor<?x64xf32>, %[[R:.*]]: tensor<?x32xf32>, %[[W:.*]]: tensor<32x64xf32>, %[[B:.*]]: tensor<32xf32>)
func.func @residual(%h: tensor<?x64xf32>, %r: tensor<?x32xf32>, %w: tensor<32x64xf32>, %b: tensor<32xf32>)
    -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  // CHECK: %[[S1:.*]] = llm.linear %[[H]], %[[W]], %[[B]] residual(%[[R]] : tensor<?x32xf32>) : tensor<?x64xf32>, tensor<32x64xf32>, tensor<32xf32> -> tensor<?x32xf32>
  // CHECK: %[[S2:.*]] = llm.linear %[[H]], %[[W]] residual(%[[S1]] : tensor<?x32xf32>)
  // CHECK-NOT: llm.add
  %y1 = llm.linear %h, %w, %b : tensor<?x64xf32>, tensor<32x64xf32>, tensor<32xf32> -> tensor<?x32xf32>
  %s1 = llm.add %y1, %r : tensor<?x32xf32>
  %y2 = llm.linear %h, %w : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  %s2 = llm.add %s1, %y2 : tensor<?x32xf32>
  // CHECK: return %[[S1]], %[[S2]]
  return %s1, %s2 : tensor<?x32xf32>, tensor<?x32xf32>
}

// -----

// Tests that a linear layer whose result has other users keeps it: the
// add stays.

// CHECK-LABEL: func.func @other_user
func.func @other_user(%h: tensor<?x64xf32>, %r: tensor<?x32xf32>, %w: tensor<32x64xf32>)
    -> (tensor<?x32xf32>, tensor<?x32xf32>) {
  // CHECK: %[[Y:.*]] = llm.linear
  // CHECK-NOT: residual
  // CHECK: llm.add %[[Y]]
  %y = llm.linear %h, %w : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  %s = llm.add %y, %r : tensor<?x32xf32>
  return %s, %y : tensor<?x32xf32>, tensor<?x32xf32>
}

// -----

// Tests that an add of two values that are not linear results is left
// alone.

// CHECK-LABEL: func.func @no_linear
func.func @no_linear(%x: tensor<?x32xf32>, %r: tensor<?x32xf32>) -> tensor<?x32xf32> {
  // CHECK: llm.silu
  // CHECK-NEXT: llm.add
  %a = llm.silu %x : tensor<?x32xf32>
  %s = llm.add %a, %r : tensor<?x32xf32>
  return %s : tensor<?x32xf32>
}

// -----

// Tests that a residual computed after the linear layer is taken too: the
// fused layer goes where the add was.

// CHECK-LABEL: func.func @late_residual
func.func @late_residual(%h: tensor<?x64xf32>, %x: tensor<?x32xf32>, %w: tensor<32x64xf32>) -> tensor<?x32xf32> {
  // CHECK: %[[R:.*]] = llm.silu
  // CHECK-NEXT: llm.linear %{{.*}}, %{{.*}} residual(%[[R]] : tensor<?x32xf32>)
  %y = llm.linear %h, %w : tensor<?x64xf32>, tensor<32x64xf32> -> tensor<?x32xf32>
  %r = llm.silu %x : tensor<?x32xf32>
  %s = llm.add %y, %r : tensor<?x32xf32>
  return %s : tensor<?x32xf32>
}
