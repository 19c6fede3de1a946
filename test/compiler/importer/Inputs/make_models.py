"""Writes small ONNX models for the importer's lit tests: one per case named
on the command line, into the folder given first. Run by lit with the
project's .venv Python (onnx from PyPI)."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper


def tensor(name, dtype, dims, raw=None, **fields):
    t = TensorProto()
    t.name = name
    t.data_type = dtype
    t.dims.extend(dims)
    if raw is not None:
        t.raw_data = raw
    for field, values in fields.items():
        getattr(t, field).extend(values)
    return t


def external(t, location, offset, length):
    t.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", str(offset)),
                       ("length", str(length))):
        entry = t.external_data.add()
        entry.key, entry.value = key, value
    return t


def model(initializers, nodes=(), inputs=(), outputs=None, opset=21):
    if outputs is None:
        outputs = [helper.make_tensor_value_info(t.name, t.data_type, None)
                   for t in initializers]
    graph = helper.make_graph(list(nodes), "g", list(inputs), outputs,
                              initializer=list(initializers))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 10
    return m


def dtypes(folder):
    """Every element type, stored raw, in typed fields and as external data
    in two side files at offsets that are not aligned."""
    f32 = np.array([1.0, 2.0], np.float32).tobytes()
    inits = [
        tensor("f32_raw", TensorProto.FLOAT, [2], raw=f32),
        tensor("f32_typed", TensorProto.FLOAT, [2], float_data=[1.0, 2.0]),
        tensor("f16_raw", TensorProto.FLOAT16, [2],
               raw=np.array([1.0, -2.0], np.float16).tobytes()),
        tensor("f16_typed", TensorProto.FLOAT16, [2],
               int32_data=[0x3C00, 0xC000]),
        tensor("bf16_raw", TensorProto.BFLOAT16, [2], raw=bytes([0x80, 0x3F, 0x00, 0xC0])),
        tensor("f8_raw", TensorProto.FLOAT8E4M3FN, [2], raw=bytes([0x38, 0xC0])),
        tensor("f8e5m2_typed", TensorProto.FLOAT8E5M2, [2], int32_data=[0x3C, 0xC0]),
        # 5 int4 values: 1, -2, 3, -4, 5, two a byte, low nibble first.
        tensor("i4_raw", TensorProto.INT4, [5], raw=bytes([0xE1, 0xC3, 0x05])),
        tensor("u4_raw", TensorProto.UINT4, [2, 2], raw=bytes([0x21, 0x43])),
        tensor("i8_typed", TensorProto.INT8, [3], int32_data=[-1, 2, -3]),
        tensor("u8_raw", TensorProto.UINT8, [2], raw=bytes([7, 255])),
        tensor("bool_typed", TensorProto.BOOL, [2], int32_data=[1, 0]),
        tensor("i32_typed", TensorProto.INT32, [1], int32_data=[-5]),
        tensor("i64_typed", TensorProto.INT64, [2], int64_data=[-1, 3]),
        tensor("u64_typed", TensorProto.UINT64, [1], uint64_data=[2**63]),
        tensor("u32_typed", TensorProto.UINT32, [1], uint64_data=[7]),
        tensor("f64_typed", TensorProto.DOUBLE, [1], double_data=[0.5]),
        tensor("scalar", TensorProto.INT64, [], int64_data=[42]),
        tensor("empty", TensorProto.FLOAT, [0, 4]),
        external(tensor("ext_a", TensorProto.FLOAT, [2]), "a.bin", 3, 8),
        external(tensor("ext_b", TensorProto.FLOAT16, [2]), "sub/b.bin", 7, 4),
    ]
    with open(os.path.join(folder, "a.bin"), "wb") as f:
        f.write(b"xyz" + f32 + b"tail")
    os.makedirs(os.path.join(folder, "sub"), exist_ok=True)
    with open(os.path.join(folder, "sub", "b.bin"), "wb") as f:
        f.write(b"0123456" + np.array([0.5, 4.0], np.float16).tobytes())
    return model(inits)


def graph_io(folder):
    """Symbolic and static dims, an omitted optional input, a node whose
    output type ONNX shape inference works out, and a Constant node."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "seq", 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "seq", 4])
    w = tensor("w", TensorProto.FLOAT, [4, 4],
               raw=np.eye(4, dtype=np.float32).tobytes())
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["h"], name="mm"),
        helper.make_node("Constant", [], ["c"], name="const",
                         value=helper.make_tensor("v", TensorProto.FLOAT, [1], [2.0])),
        helper.make_node("Mul", ["h", "c"], ["m"], name="mul"),
        helper.make_node("Clip", ["m", "", "c"], ["y"], name="clip"),
    ]
    return model([w], nodes, [x], [y])


def llama8b_shape(folder):
    """The 291 bf16 weights of a Llama-3-8B in one 16 GB external-data file,
    made sparse (truncate), each read by a MatMul or kept as an output."""
    hidden, inter, layers, vocab, kv = 4096, 14336, 32, 128256, 1024
    shapes = [("embed", [vocab, hidden])]
    for l in range(layers):
        p = f"layers.{l}."
        shapes += [(p + "q", [hidden, hidden]), (p + "k", [hidden, kv]),
                   (p + "v", [hidden, kv]), (p + "o", [hidden, hidden]),
                   (p + "gate", [hidden, inter]), (p + "up", [hidden, inter]),
                   (p + "down", [inter, hidden]), (p + "ln1", [hidden]),
                   (p + "ln2", [hidden])]
    shapes += [("norm", [hidden]), ("lm_head", [hidden, vocab])]
    inits, offset = [], 0
    for name, dims in shapes:
        size = 2 * int(np.prod(dims))
        inits.append(external(tensor(name, TensorProto.BFLOAT16, dims),
                              "model.onnx.data", offset, size))
        offset += size
    with open(os.path.join(folder, "model.onnx.data"), "wb") as f:
        f.truncate(offset)
    x = helper.make_tensor_value_info("x", TensorProto.BFLOAT16, ["T", hidden])
    nodes = [helper.make_node("MatMul", ["x", name], [name + "_out"],
                              name=name + "_mm")
             for name, dims in shapes if len(dims) == 2 and dims[0] == hidden]
    outputs = [helper.make_tensor_value_info(n.output[0], TensorProto.BFLOAT16,
                                             None) for n in nodes]
    return model(inits, nodes, [x], outputs)


def errors(folder, case):
    ones = np.ones(2, np.float32).tobytes()
    if case == "offset_past_end":
        with open(os.path.join(folder, "w.bin"), "wb") as f:
            f.write(ones)
        return model([external(tensor("w", TensorProto.FLOAT, [2]),
                               "w.bin", 1000000, 8)])
    if case == "length_mismatch":
        return model([tensor("w", TensorProto.FLOAT, [3], raw=ones)])
    if case == "typed_count":
        return model([tensor("w", TensorProto.FLOAT, [3], float_data=[1.0])])
    if case == "negative_dim":
        return model([tensor("w", TensorProto.FLOAT, [-2], raw=ones)])
    if case == "string_tensor":
        return model([tensor("s", TensorProto.STRING, [1], string_data=[b"a"])])
    if case == "escaping_location":
        return model([external(tensor("w", TensorProto.FLOAT, [2]),
                               "../w.bin", 0, 8)])
    if case == "undefined_input":
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])
        return model([], [helper.make_node("Add", ["x", "nowhere"], ["y"],
                                           name="add")], [x], [y])
    if case == "graph_attribute":
        c = helper.make_tensor_value_info("c", TensorProto.BOOL, [])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
        branch = helper.make_graph(
            [helper.make_node("Constant", [], ["y"],
                              value=helper.make_tensor("v", TensorProto.FLOAT, [1], [1.0]))],
            "b", [], [y])
        node = helper.make_node("If", ["c"], ["y"], name="branch",
                                then_branch=branch, else_branch=branch)
        return model([], [node], [c], [y])
    if case == "unknown_domain":
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])
        return model([], [helper.make_node("Foo", ["x"], ["y"], name="foo",
                                           domain="com.example")], [x], [y])
    if case == "local_function":
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])
        body = helper.make_function("local", "Twice", ["a"], ["b"],
                                    [helper.make_node("Add", ["a", "a"], ["b"])],
                                    [helper.make_opsetid("", 21)])
        m = model([], [helper.make_node("Twice", ["x"], ["y"], name="call",
                                        domain="local")], [x], [y])
        m.opset_import.append(helper.make_opsetid("local", 1))
        m.functions.append(body)
        return m
    if case == "sequence_input":
        s = helper.make_tensor_sequence_value_info("s", TensorProto.FLOAT, None)
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])
        return model([], [], [s], [y])
    raise SystemExit(f"unknown case {case}")


def main():
    folder, cases = sys.argv[1], sys.argv[2:]
    os.makedirs(folder, exist_ok=True)
    for case in cases:
        m = {"dtypes": dtypes, "graph_io": graph_io,
             "llama8b_shape": llama8b_shape}.get(case)
        m = m(folder) if m else errors(folder, case)
        # Written as bytes: onnx.save would check the model and refuse the
        # malformed ones these tests need.
        with open(os.path.join(folder, case + ".onnx"), "wb") as f:
            f.write(m.SerializeToString())


if __name__ == "__main__":
    main()
