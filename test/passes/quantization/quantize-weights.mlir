// RUN: llmc-opt %s --split-input-file --llmc-quantize-weights="bits=4 group=4" | FileCheck %s --check-prefix=SYM4
// RUN: llmc-opt %s --split-input-file --llmc-quantize-weights="bits=4 group=4 symmetric=false" | FileCheck %s --check-prefix=ASYM4
// RUN: llmc-opt %s --split-input-file --llmc-quantize-weights="bits=8" | FileCheck %s --check-prefix=INT8
// RUN: llmc-opt %s --split-input-file --llmc-quantize-weights="bits=8 keep=mlp" | FileCheck %s --check-prefix=KEEP
// RUN: not llmc-opt %s --split-input-file --llmc-quantize-weights="bits=3" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not llmc-opt %s --split-input-file --llmc-quantize-weights="bits=4 method=awq" 2>&1 | FileCheck %s --check-prefix=NOSTATS
// RUN: not llmc-opt %s --split-input-file --llmc-quantize-weights="bits=4 method=rounding" 2>&1 | FileCheck %s --check-prefix=METHOD

// Tests round-to-nearest quantization of a linear layer's weight: symmetric
// int4 in groups of 4 (scale = max|w| / 7), asymmetric uint4 with zero
// points (scale = (max - min) / 15), and int8 per output row.

// SYM4-LABEL: func.func @linear
// SYM4: %[[Q:.*]] = llm.constant "mlp.w.q" dense<{{\[}}[3, -7, 2, 1, 4, -7, 0, 1], [2, 4, 5, 7, -2, -4, -5, -7]]> : tensor<2x8xi4>
// SYM4: %[[S:.*]] = llm.constant "mlp.w.scales" dense<{{\[}}[0.285714298, 1.000000e+00], [0.0571428575, 0.0571428575]]> : tensor<2x2xf32>
// SYM4: %[[W:.*]] = llm.quantized_weight %[[Q]], %[[S]] : tensor<2x8xi4>, tensor<2x2xf32> -> !llm.qweight<2x8, i4, group = 4, scale = f32>
// SYM4: llm.linear %{{.*}}, %[[W]], %{{.*}} : tensor<?x8xf32>, !llm.qweight<2x8, i4, group = 4, scale = f32>, tensor<2xf32> -> tensor<?x2xf32>

// ASYM4-LABEL: func.func @linear
// ASYM4: llm.constant "mlp.w.q" dense<{{\[}}[15, 0, 13, 11, 15, 0, 10, 11], [4, 8, 11, 15, 11, 7, 4, 0]]> : tensor<2x8xui4>
// ASYM4: llm.constant "mlp.w.scales" dense<{{\[}}[2.000000e-01, 0.699999988], [0.0266666673, 0.0266666673]]>
// ASYM4: llm.constant "mlp.w.zero_points" dense<{{\[}}[10, 10], [0, 15]]> : tensor<2x2xui4>
// ASYM4: !llm.qweight<2x8, ui4, group = 4, scale = f32, zero_point>

// INT8-LABEL: func.func @linear
// INT8: llm.constant "mlp.w.q" dense<{{\[}}[18, -36, 9, 5, 64, -127, 0, 18], [32, 64, 95, 127, -32, -64, -95, -127]]> : tensor<2x8xi8>
// INT8: !llm.qweight<2x8, i8, group = 8, scale = f32>

// KEEP-LABEL: func.func @linear
// KEEP-NOT: llm.quantized_weight

// BITS: error: llmc-quantize-weights: bits must be 4 or 8, not 3
// NOSTATS: error: llmc-quantize-weights: awq needs calibration statistics (llmc compile --calib FILE)
// METHOD: error: llmc-quantize-weights: method must be rtn, awq or gptq, not 'rounding'
func.func @linear(%x: tensor<?x8xf32>, %b: tensor<2xf32>) -> tensor<?x2xf32> {
  %w = llm.constant "mlp.w" dense<[[1.0, -2.0, 0.5, 0.25, 3.5, -7.0, 0.0, 1.0], [0.1, 0.2, 0.3, 0.4, -0.1, -0.2, -0.3, -0.4]]> : tensor<2x8xf32>
  %y = llm.linear %x, %w, %b : tensor<?x8xf32>, tensor<2x8xf32>, tensor<2xf32> -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// Tests that a weight seen through a transpose is quantized in the linear's
// [N, K] layout, and that an already quantized weight, the embedding table
// and the LM head are left alone.

// KEEP-LABEL: func.func @transposed
// KEEP: llm.constant "proj.q" {{.*}} : tensor<2x4xi8>

// SYM4-LABEL: func.func @transposed
// SYM4: llm.constant "proj.q" dense<{{\[}}[7, -7, 0, 4], [3, 7, -7, 0]]> : tensor<2x4xi4>
// SYM4-NOT: "head.q"
// SYM4-NOT: "table.q"
// SYM4: llm.lm_head %{{.*}}, %{{.*}} : tensor<?x2xf32>, tensor<3x2xf32>
func.func @transposed(%ids: tensor<?xi64>, %q: !llm.qweight<2x4, i4, group = 4, scale = f32>) -> tensor<?x3xf32> {
  %table = llm.constant "table" dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]> : tensor<2x4xf32>
  %x = llm.embedding %table[%ids] : tensor<2x4xf32>, tensor<?xi64> -> tensor<?x4xf32>
  %wt = llm.constant "proj" dense<[[1.0, 0.5], [-1.0, 1.0], [0.0, -1.0], [0.6, 0.0]]> : tensor<4x2xf32>
  %w = llm.transpose %wt : tensor<4x2xf32> -> tensor<2x4xf32>
  %y = llm.linear %x, %w : tensor<?x4xf32>, tensor<2x4xf32> -> tensor<?x2xf32>
  %z = llm.linear %x, %q : tensor<?x4xf32>, !llm.qweight<2x4, i4, group = 4, scale = f32> -> tensor<?x2xf32>
  %s = llm.add %y, %z : tensor<?x2xf32>
  %head = llm.constant "head" dense<[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]> : tensor<3x2xf32>
  %l = llm.lm_head %s, %head : tensor<?x2xf32>, tensor<3x2xf32> -> tensor<?x3xf32>
  return %l : tensor<?x3xf32>
}
