// RUN: llmc-opt %s --split-input-file --llmc-quantize-weights="bits=4 group=4 head-bits=8" | FileCheck %s --check-prefix=HEAD8
// RUN: llmc-opt %s --split-input-file --llmc-quantize-weights="bits=8 head-bits=4 head-group=2" | FileCheck %s --check-prefix=HEAD4
// RUN: llmc-opt %s --split-input-file --llmc-quantize-weights="bits=4 group=4" | FileCheck %s --check-prefix=KEPT
// RUN: not llmc-opt %s --split-input-file --llmc-quantize-weights="bits=4 group=4 head-bits=3" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not llmc-opt %s --split-input-file --llmc-quantize-weights="bits=4 group=4 head-bits=4" 2>&1 | FileCheck %s --check-prefix=GROUP

// Tests the LM head's quantization (head-bits): rounded to nearest and
// symmetric, int8 per row (scale = max|w| / 127) or int4 in groups of
// head-group (scale = max|w| / 7), whatever the layers' own settings; an
// embedding that shares the head's table keeps the float table. Without
// head-bits the head stays float.

// HEAD8-LABEL: func.func @tied
// HEAD8: %[[T:.*]] = llm.constant "table" dense<{{.*}}> : tensor<3x4xf32>
// HEAD8: llm.embedding %[[T]][%{{.*}}] : tensor<3x4xf32>
// HEAD8: %[[Q:.*]] = llm.constant "table.q" dense<{{\[}}[127, -50, 25, 1], [0, 127, -50, 20], [-127, 20, 40, 60]]> : tensor<3x4xi8>
// HEAD8: %[[S:.*]] = llm.constant "table.scales" dense<{{\[}}[0.00999999977], [2.000000e-02], [5.000000e-03]]> : tensor<3x1xf32>
// HEAD8: %[[W:.*]] = llm.quantized_weight %[[Q]], %[[S]] : tensor<3x4xi8>, tensor<3x1xf32> -> !llm.qweight<3x4, i8, group = 4, scale = f32>
// HEAD8: llm.lm_head %{{.*}}, %[[W]] : tensor<?x4xf32>, !llm.qweight<3x4, i8, group = 4, scale = f32> -> tensor<?x3xf32>

// HEAD4-LABEL: func.func @tied
// HEAD4: llm.embedding %{{.*}} : tensor<3x4xf32>
// HEAD4: llm.constant "table.q" dense<{{\[}}[7, -3, 7, 0], [0, 7, -7, 3], [-7, 1, 5, 7]]> : tensor<3x4xi4>
// HEAD4: !llm.qweight<3x4, i4, group = 2, scale = f32>

// KEPT-LABEL: func.func @tied
// KEPT-NOT: llm.quantized_weight
// KEPT: llm.lm_head %{{.*}}, %{{.*}} : tensor<?x4xf32>, tensor<3x4xf32> -> tensor<?x3xf32>

// BITS: error: llmc-quantize-weights: head-bits must be 0, 4 or 8, not 3
// GROUP: error: llmc-quantize-weights: head-group must be positive for a 4-bit LM head (0, a whole row, for an 8-bit one)
func.func @tied(%ids: tensor<?xi64>) -> tensor<?x3xf32> {
  %table = llm.constant "table" dense<[[1.27, -0.5, 0.25, 0.01], [0.0, 2.54, -1.0, 0.4], [-0.635, 0.1, 0.2, 0.3]]> : tensor<3x4xf32>
  %x = llm.embedding %table[%ids] : tensor<3x4xf32>, tensor<?xi64> -> tensor<?x4xf32>
  %l = llm.lm_head %x, %table : tensor<?x4xf32>, tensor<3x4xf32> -> tensor<?x3xf32>
  return %l : tensor<?x3xf32>
}
