// RUN: llmc-opt %s --split-input-file --llmc-fuse-add-rms-norm | FileCheck %s

// Tests that a residual add feeding an RMS norm becomes one add_rms_norm
// whose sum replaces the add's other uses.

// CHECK-LABEL: func.func @residual
// CHECK-SAME: (%[[X:.*]]: tensor<?x64xf32>, %[[R:.*]]: tensor<?x64xf32>, %[[W:.*]]: tensor<64xf32>)
func.func @residual(%x: tensor<?x64xf32>, %r: tensor<?x64xf32>, %w: tensor<64xf32>)
    -> (tensor<?x64xf32>, tensor<?x64xf32>) {
  // CHECK-NOT: llm.add
  // CHECK: %[[OUT:.*]], %[[SUM:.*]] = llm.add_rms_norm %[[X]], %[[R]], %[[W]] {epsilon = 1.000000e-05 : f64, unit_offset} : tensor<?x64xf32>, tensor<64xf32>
  %s = llm.add %x, %r : tensor<?x64xf32>
  %y = llm.rms_norm %s, %w {epsilon = 1.0e-5 : f64, unit_offset} : tensor<?x64xf32>, tensor<64xf32>
  // CHECK: return %[[OUT]], %[[SUM]]
  return %y, %s : tensor<?x64xf32>, tensor<?x64xf32>
}

// -----

// Tests that a norm of something other than an add is left alone.

// CHECK-LABEL: func.func @no_add
func.func @no_add(%x: tensor<?x64xf32>, %w: tensor<64xf32>) -> tensor<?x64xf32> {
  // CHECK: llm.silu
  // CHECK-NEXT: llm.rms_norm
  %a = llm.silu %x : tensor<?x64xf32>
  %y = llm.rms_norm %a, %w {epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, tensor<64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// Tests that two blocks in a row each fuse, the second reading the first's
// sum.

// CHECK-LABEL: func.func @two_blocks
func.func @two_blocks(%x: tensor<?x64xf32>, %r: tensor<?x64xf32>, %w: tensor<64xf32>)
    -> tensor<?x64xf32> {
  // CHECK: %[[OUT1:.*]], %[[SUM1:.*]] = llm.add_rms_norm
  // CHECK: %[[M:.*]] = llm.silu %[[OUT1]]
  // CHECK: %[[OUT2:.*]], %{{.*}} = llm.add_rms_norm %[[M]], %[[SUM1]]
  // CHECK-NOT: llm.rms_norm
  %s1 = llm.add %x, %r : tensor<?x64xf32>
  %y1 = llm.rms_norm %s1, %w {epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, tensor<64xf32>
  %m = llm.silu %y1 : tensor<?x64xf32>
  %s2 = llm.add %m, %s1 : tensor<?x64xf32>
  %y2 = llm.rms_norm %s2, %w {epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, tensor<64xf32>
  return %y2 : tensor<?x64xf32>
}

// -----

// Tests that the fusion waits when the norm's weight is computed after the
// add: the fused op could not be placed where the add was.

// CHECK-LABEL: func.func @late_weight
func.func @late_weight(%x: tensor<?x64xf32>, %w: tensor<64xf32>) -> tensor<?x64xf32> {
  // CHECK: llm.add
  // CHECK: llm.rms_norm
  // CHECK-NOT: llm.add_rms_norm
  %s = llm.add %x, %x : tensor<?x64xf32>
  %w2 = llm.mul %w, %w : tensor<64xf32>
  %y = llm.rms_norm %s, %w2 {epsilon = 1.0e-5 : f64} : tensor<?x64xf32>, tensor<64xf32>
  return %y : tensor<?x64xf32>
}
