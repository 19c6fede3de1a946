// RUN: llmc-opt %s --split-input-file --llmc-raise-onnx="max-positions=16" | FileCheck %s

// Tests that rotary embedding of the first 4 dims of 8-dim heads, the rest
// passed through and concatenated back (partial rotary, as Hugging Face
// writes it), becomes one llm.rope of the whole heads with 2-column tables;
// the rotary dim is read from the Shape of the cos table.
// CHECK-LABEL: func.func @forward
// CHECK-DAG: %[[SIN:.*]] = llm.constant "rope.sin" {{.*}} : tensor<16x2xf32>
// CHECK-DAG: %[[COS:.*]] = llm.constant "rope.cos" {{.*}} : tensor<16x2xf32>
// CHECK: %[[E:.*]] = llm.embedding
// CHECK: %[[X:.*]] = llm.reshape %[[E]] : tensor<?x16xf32> -> tensor<?x2x8xf32>
// CHECK: %[[Q:.*]] = llm.rope rotate_half %[[X]], %arg1, %[[COS]], %[[SIN]] : tensor<?x2x8xf32>, tensor<?xi64>, tensor<16x2xf32>
// CHECK: llm.attention %[[Q]], %[[Q]], %{{.*}} {layer = 0 : i64
// CHECK-NOT: llm.slice
// CHECK-NOT: onnx.
func.func @main(%ids: tensor<?x?xi64> {onnx.name = "input_ids"}, %pos: tensor<?x?xi64> {onnx.name = "position_ids"}) -> (tensor<*xf32> {onnx.name = "logits"}) {
  %table = onnx.constant "embed" dense<0.5> : tensor<16x16xf32>
  %e = onnx.node "Gather"(%table, %ids) {name = "embed", opset = 17 : i64} : (tensor<16x16xf32>, tensor<?x?xi64>) -> tensor<*xf32>
  %heads = onnx.constant "heads" dense<[1, -1, 2, 8]> : tensor<4xi64>
  %x4 = onnx.node "Reshape"(%e, %heads) {name = "split_heads", opset = 17 : i64} : (tensor<*xf32>, tensor<4xi64>) -> tensor<*xf32>
  %x = onnx.node "Transpose"(%x4) {attrs = {perm = [0, 2, 1, 3]}, name = "heads_first", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %pf = onnx.node "Cast"(%pos) {attrs = {to = 1 : i64}, name = "pos_f32", opset = 17 : i64} : (tensor<?x?xi64>) -> tensor<*xf32>
  %ax2 = onnx.constant "ax2" dense<[2]> : tensor<1xi64>
  %pu = onnx.node "Unsqueeze"(%pf, %ax2) {name = "pos_col", opset = 17 : i64} : (tensor<*xf32>, tensor<1xi64>) -> tensor<*xf32>
  %invf = onnx.constant "inv_freq" dense<[1.0, 0.1]> : tensor<2xf32>
  %f = onnx.node "Mul"(%pu, %invf) {name = "freqs", opset = 17 : i64} : (tensor<*xf32>, tensor<2xf32>) -> tensor<*xf32>
  %emb = onnx.node "Concat"(%f, %f) {attrs = {axis = -1 : i64}, name = "angles", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %cos0 = onnx.node "Cos"(%emb) {name = "cos", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %sin0 = onnx.node "Sin"(%emb) {name = "sin", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %ax1 = onnx.constant "ax1" dense<[1]> : tensor<1xi64>
  %cos = onnx.node "Unsqueeze"(%cos0, %ax1) {name = "cos_heads", opset = 17 : i64} : (tensor<*xf32>, tensor<1xi64>) -> tensor<*xf32>
  %sin = onnx.node "Unsqueeze"(%sin0, %ax1) {name = "sin_heads", opset = 17 : i64} : (tensor<*xf32>, tensor<1xi64>) -> tensor<*xf32>
  %last = onnx.constant "last" dense<-1> : tensor<i64>
  %lasts = onnx.constant "lasts" dense<[-1]> : tensor<1xi64>
  %zero = onnx.constant "zero" dense<[0]> : tensor<1xi64>
  %ones = onnx.constant "ones" dense<[1]> : tensor<1xi64>
  %max = onnx.constant "max" dense<[9223372036854775807]> : tensor<1xi64>
  %cs = onnx.node "Shape"(%cos) {name = "cos_shape", opset = 17 : i64} : (tensor<*xf32>) -> tensor<4xi64>
  %rd = onnx.node "Gather"(%cs, %last) {attrs = {axis = 0 : i64}, name = "rotary_dim", opset = 17 : i64} : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  %rd1 = onnx.node "Unsqueeze"(%rd, %zero) {name = "rotary_dim_1", opset = 17 : i64} : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %xr = onnx.node "Slice"(%x, %zero, %rd1, %lasts, %ones) {name = "x_rot", opset = 17 : i64} : (tensor<*xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  %xp = onnx.node "Slice"(%x, %rd1, %max, %lasts, %ones) {name = "x_pass", opset = 17 : i64} : (tensor<*xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  %xs = onnx.node "Shape"(%xr) {name = "x_rot_shape", opset = 17 : i64} : (tensor<*xf32>) -> tensor<4xi64>
  %d = onnx.node "Gather"(%xs, %last) {attrs = {axis = 0 : i64}, name = "x_rot_dim", opset = 17 : i64} : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  %two = onnx.constant "two" dense<2> : tensor<i64>
  %h = onnx.node "Div"(%d, %two) {name = "half", opset = 17 : i64} : (tensor<i64>, tensor<i64>) -> tensor<i64>
  %h1 = onnx.node "Unsqueeze"(%h, %zero) {name = "half_1", opset = 17 : i64} : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %lo = onnx.node "Slice"(%xr, %zero, %h1, %lasts, %ones) {name = "x_lo", opset = 17 : i64} : (tensor<*xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  %hi = onnx.node "Slice"(%xr, %h1, %max, %lasts, %ones) {name = "x_hi", opset = 17 : i64} : (tensor<*xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  %neg = onnx.node "Neg"(%hi) {name = "neg", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %rot = onnx.node "Concat"(%neg, %lo) {attrs = {axis = -1 : i64}, name = "rotate_half", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %a = onnx.node "Mul"(%xr, %cos) {name = "x_cos", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %b = onnx.node "Mul"(%rot, %sin) {name = "rot_sin", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %r = onnx.node "Add"(%a, %b) {name = "rope", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %q = onnx.node "Concat"(%r, %xp) {attrs = {axis = -1 : i64}, name = "rope_and_pass", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %o = onnx.node "Attention"(%q, %q, %x) {attrs = {is_causal = 1 : i64, kv_num_heads = 2 : i64, q_num_heads = 2 : i64}, name = "attn", opset = 23 : i64} : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %ot = onnx.node "Transpose"(%o) {attrs = {perm = [0, 2, 1, 3]}, name = "tokens_first", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %flat = onnx.constant "flat" dense<[1, -1, 16]> : tensor<3xi64>
  %of = onnx.node "Reshape"(%ot, %flat) {name = "merge_heads", opset = 17 : i64} : (tensor<*xf32>, tensor<3xi64>) -> tensor<*xf32>
  %head = onnx.constant "lm_head" dense<0.25> : tensor<16x16xf32>
  %logits = onnx.node "MatMul"(%of, %head) {name = "lm_head", opset = 17 : i64} : (tensor<*xf32>, tensor<16x16xf32>) -> tensor<*xf32>
  return %logits : tensor<*xf32>
}

// -----

// Tests that a rotation of the whole head concatenated with an empty rest
// (TorchScript's Phi-3 export keeps the partial-rotary split at a factor of
// 1) becomes one llm.rope with tables of half the head.
// CHECK-LABEL: func.func @forward
// CHECK-DAG: %[[SIN:.*]] = llm.constant "rope.sin" {{.*}} : tensor<16x4xf32>
// CHECK-DAG: %[[COS:.*]] = llm.constant "rope.cos" {{.*}} : tensor<16x4xf32>
// CHECK: %[[E:.*]] = llm.embedding
// CHECK: %[[X:.*]] = llm.reshape %[[E]] : tensor<?x16xf32> -> tensor<?x2x8xf32>
// CHECK: %[[Q:.*]] = llm.rope rotate_half %[[X]], %arg1, %[[COS]], %[[SIN]] : tensor<?x2x8xf32>, tensor<?xi64>, tensor<16x4xf32>
// CHECK: llm.attention %[[Q]], %[[Q]], %{{.*}} {layer = 0 : i64
// CHECK-NOT: llm.slice
// CHECK-NOT: onnx.
func.func @main(%ids: tensor<?x?xi64> {onnx.name = "input_ids"}, %pos: tensor<?x?xi64> {onnx.name = "position_ids"}) -> (tensor<*xf32> {onnx.name = "logits"}) {
  %table = onnx.constant "embed" dense<0.5> : tensor<16x16xf32>
  %e = onnx.node "Gather"(%table, %ids) {name = "embed", opset = 17 : i64} : (tensor<16x16xf32>, tensor<?x?xi64>) -> tensor<*xf32>
  %heads = onnx.constant "heads" dense<[1, -1, 2, 8]> : tensor<4xi64>
  %x4 = onnx.node "Reshape"(%e, %heads) {name = "split_heads", opset = 17 : i64} : (tensor<*xf32>, tensor<4xi64>) -> tensor<*xf32>
  %x = onnx.node "Transpose"(%x4) {attrs = {perm = [0, 2, 1, 3]}, name = "heads_first", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %pf = onnx.node "Cast"(%pos) {attrs = {to = 1 : i64}, name = "pos_f32", opset = 17 : i64} : (tensor<?x?xi64>) -> tensor<*xf32>
  %ax2 = onnx.constant "ax2" dense<[2]> : tensor<1xi64>
  %pu = onnx.node "Unsqueeze"(%pf, %ax2) {name = "pos_col", opset = 17 : i64} : (tensor<*xf32>, tensor<1xi64>) -> tensor<*xf32>
  %invf = onnx.constant "inv_freq" dense<[1.0, 0.1, 0.01, 0.001]> : tensor<4xf32>
  %f = onnx.node "Mul"(%pu, %invf) {name = "freqs", opset = 17 : i64} : (tensor<*xf32>, tensor<4xf32>) -> tensor<*xf32>
  %emb = onnx.node "Concat"(%f, %f) {attrs = {axis = -1 : i64}, name = "angles", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %cos0 = onnx.node "Cos"(%emb) {name = "cos", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %sin0 = onnx.node "Sin"(%emb) {name = "sin", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %ax1 = onnx.constant "ax1" dense<[1]> : tensor<1xi64>
  %cos = onnx.node "Unsqueeze"(%cos0, %ax1) {name = "cos_heads", opset = 17 : i64} : (tensor<*xf32>, tensor<1xi64>) -> tensor<*xf32>
  %sin = onnx.node "Unsqueeze"(%sin0, %ax1) {name = "sin_heads", opset = 17 : i64} : (tensor<*xf32>, tensor<1xi64>) -> tensor<*xf32>
  %last = onnx.constant "last" dense<-1> : tensor<i64>
  %lasts = onnx.constant "lasts" dense<[-1]> : tensor<1xi64>
  %zero = onnx.constant "zero" dense<[0]> : tensor<1xi64>
  %ones = onnx.constant "ones" dense<[1]> : tensor<1xi64>
  %max = onnx.constant "max" dense<[9223372036854775807]> : tensor<1xi64>
  %cs = onnx.node "Shape"(%cos) {name = "cos_shape", opset = 17 : i64} : (tensor<*xf32>) -> tensor<4xi64>
  %rd = onnx.node "Gather"(%cs, %last) {attrs = {axis = 0 : i64}, name = "rotary_dim", opset = 17 : i64} : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  %rd1 = onnx.node "Unsqueeze"(%rd, %zero) {name = "rotary_dim_1", opset = 17 : i64} : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %xr = onnx.node "Slice"(%x, %zero, %rd1, %lasts, %ones) {name = "x_rot", opset = 17 : i64} : (tensor<*xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  %xp = onnx.node "Slice"(%x, %rd1, %max, %lasts, %ones) {name = "x_pass", opset = 17 : i64} : (tensor<*xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  %xs = onnx.node "Shape"(%xr) {name = "x_rot_shape", opset = 17 : i64} : (tensor<*xf32>) -> tensor<4xi64>
  %d = onnx.node "Gather"(%xs, %last) {attrs = {axis = 0 : i64}, name = "x_rot_dim", opset = 17 : i64} : (tensor<4xi64>, tensor<i64>) -> tensor<i64>
  %two = onnx.constant "two" dense<2> : tensor<i64>
  %h = onnx.node "Div"(%d, %two) {name = "half", opset = 17 : i64} : (tensor<i64>, tensor<i64>) -> tensor<i64>
  %h1 = onnx.node "Unsqueeze"(%h, %zero) {name = "half_1", opset = 17 : i64} : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %lo = onnx.node "Slice"(%xr, %zero, %h1, %lasts, %ones) {name = "x_lo", opset = 17 : i64} : (tensor<*xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  %hi = onnx.node "Slice"(%xr, %h1, %max, %lasts, %ones) {name = "x_hi", opset = 17 : i64} : (tensor<*xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  %neg = onnx.node "Neg"(%hi) {name = "neg", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %rot = onnx.node "Concat"(%neg, %lo) {attrs = {axis = -1 : i64}, name = "rotate_half", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %a = onnx.node "Mul"(%xr, %cos) {name = "x_cos", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %b = onnx.node "Mul"(%rot, %sin) {name = "rot_sin", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %r = onnx.node "Add"(%a, %b) {name = "rope", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %q = onnx.node "Concat"(%r, %xp) {attrs = {axis = -1 : i64}, name = "rope_and_pass", opset = 17 : i64} : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %o = onnx.node "Attention"(%q, %q, %x) {attrs = {is_causal = 1 : i64, kv_num_heads = 2 : i64, q_num_heads = 2 : i64}, name = "attn", opset = 23 : i64} : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %ot = onnx.node "Transpose"(%o) {attrs = {perm = [0, 2, 1, 3]}, name = "tokens_first", opset = 17 : i64} : (tensor<*xf32>) -> tensor<*xf32>
  %flat = onnx.constant "flat" dense<[1, -1, 16]> : tensor<3xi64>
  %of = onnx.node "Reshape"(%ot, %flat) {name = "merge_heads", opset = 17 : i64} : (tensor<*xf32>, tensor<3xi64>) -> tensor<*xf32>
  %head = onnx.constant "lm_head" dense<0.25> : tensor<16x16xf32>
  %logits = onnx.node "MatMul"(%of, %head) {name = "lm_head", opset = 17 : i64} : (tensor<*xf32>, tensor<16x16xf32>) -> tensor<*xf32>
  return %logits : tensor<*xf32>
}
