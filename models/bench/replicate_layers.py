#!/usr/bin/env python3
"""Grows a decoder-only ONNX export from a few layers to many by repeating one layer's graph.

Exporting a Llama-3-8B-shaped model through torch.onnx's dynamo exporter takes about five
minutes on the GPU machine, most of it tracing the 32 layers one operator at a time. Speed
benchmarks need only the 8B shape, so make_bench_models.py exports 4 layers of it and this
script repeats layer 2 up to the wanted count.

How the layers are found: every node is labelled with the highest layer whose KV-cache input
(past_key_values.L.key/value) it depends on, except through the shape of a cache input. The nodes labelled L form a repeating unit (layer
L's attention and MLP, then the next layer's input norm and projections), the unlabelled nodes
are the shared prelude (shapes, masks, rotary tables, embedding), and the last label also holds
the final norm and the LM head. Units 1 and 2 must have the same operators in the same order;
unit 2 is copied once per new layer, its values and nodes renamed, its KV-cache inputs and
outputs renumbered, and each input it took from unit 1 taken from the previous copy instead.
The last unit becomes the last layer. Initializers used only by unit 2 are copied too: their
external data points at the same bytes, so the data file does not grow. Since a unit runs from
one layer's attention to the next layer's Q/K/V projections, every repeated layer has layer 3's
input norm and Q/K/V weights and layer 2's others (random weights are for speed only;
shared/design.md section 7); test/e2e/grow-layers.test checks exactly that model's logits.

Usage: python3 models/bench/replicate_layers.py IN.onnx OUT.onnx LAYERS
(OUT's external data stays IN's file name: write OUT beside IN.)
"""

import argparse
import copy
import re
import sys

import onnx

PAST = re.compile(r"^past_key_values\.(\d+)\.(key|value)$")
PRESENT = re.compile(r"^present\.(\d+)\.(key|value)$")


def label_nodes(graph):
    """The highest KV-cache layer each node depends on (-1: none)."""
    label = {}
    for i in graph.input:
        m = PAST.match(i.name)
        if m:
            label[i.name] = int(m.group(1))
    tags = []
    for node in graph.node:  # exports are topologically sorted
        # A cache input's shape (the past length, which every layer shares)
        # is not a dependence on that layer.
        if node.op_type == "Shape" and all(PAST.match(v) for v in node.input):
            t = -1
        else:
            t = max((label.get(v, -1) for v in node.input if v), default=-1)
        tags.append(t)
        for o in node.output:
            label[o] = t
    return tags


def layer_name(name, old, new):
    """An initializer's name for layer `new` (names without a layer index get a suffix)."""
    renamed = name.replace(f"layers.{old}.", f"layers.{new}.")
    return renamed if renamed != name else f"{name}__layer{new}"


def replicate(model, layers):
    g = model.graph
    tags = label_nodes(g)
    have = max(tags) + 1
    if have != 4:
        raise SystemExit(f"replicate_layers: the export has {have} layers; it takes 4")
    if layers < have:
        raise SystemExit(f"replicate_layers: asked for {layers} layers, the export has {have}")
    units = {t: [n for n, tag in zip(g.node, tags) if tag == t] for t in range(-1, have)}
    one, two, last = units[1], units[2], units[have - 1]
    if [n.op_type for n in one] != [n.op_type for n in two]:
        raise SystemExit("replicate_layers: layers 1 and 2 differ; cannot repeat layer 2")
    produced_by = {}  # value -> (unit, node index, output index)
    for t, nodes in units.items():
        for i, n in enumerate(nodes):
            for j, o in enumerate(n.output):
                produced_by[o] = (t, i, j)
    consumers = {}
    for t, nodes in units.items():
        for n in nodes:
            for v in n.input:
                consumers.setdefault(v, set()).add(t)
    inits = {i.name: i for i in g.initializer}
    own_inits = [name for name, users in consumers.items()
                 if name in inits and users == {2}]

    def crossing(unit_nodes, previous_unit):
        """Maps each input the unit takes from `previous_unit` to (node index, output index)."""
        found = {}
        for n in unit_nodes:
            for v in n.input:
                p = produced_by.get(v)
                if p and p[0] == previous_unit:
                    found[v] = (p[1], p[2])
        return found

    from_two = crossing(two, 1)   # unit 2's inputs from unit 1
    from_last = crossing(last, 2)  # the last unit's inputs from unit 2
    kv_names = lambda n: [f"past_key_values.{n}.key", f"past_key_values.{n}.value"]

    new_nodes, new_inits = [], []
    previous = two  # the unit the next copy reads from
    for layer in range(have - 1, layers - 1):
        rename = {}
        for n in two:
            for o in n.output:
                rename[o] = f"{o}__layer{layer}"
        for name in own_inits:
            rename[name] = layer_name(name, 2, layer)
        for kind in ("key", "value"):
            rename[f"past_key_values.2.{kind}"] = f"past_key_values.{layer}.{kind}"
            rename[f"present.2.{kind}"] = f"present.{layer}.{kind}"
        for v, (i, j) in from_two.items():
            rename[v] = previous[i].output[j]
        copies = []
        for n in two:
            c = copy.deepcopy(n)
            c.name = f"{n.name}__layer{layer}"
            c.input[:] = [rename.get(v, v) for v in n.input]
            c.output[:] = [rename.get(v, v) for v in n.output]
            copies.append(c)
        for name in own_inits:
            c = copy.deepcopy(inits[name])
            c.name = rename[name]
            new_inits.append(c)
        new_nodes.extend(copies)
        previous = copies
    # The last unit becomes layer `layers - 1`, reading from the last copy.
    final = layers - 1
    rename = {}
    for kind in ("key", "value"):
        rename[f"past_key_values.{have - 1}.{kind}"] = f"past_key_values.{final}.{kind}"
        rename[f"present.{have - 1}.{kind}"] = f"present.{final}.{kind}"
    if previous is not two:
        for v, (i, j) in from_last.items():
            rename[v] = previous[i].output[j]
    for n in last:
        n.input[:] = [rename.get(v, v) for v in n.input]
        n.output[:] = [rename.get(v, v) for v in n.output]

    order = units[-1] + units[0] + one + two + new_nodes + last
    del g.node[:]
    g.node.extend(order)
    g.initializer.extend(new_inits)

    # Graph inputs and outputs: one KV-cache pair per layer, in order.
    def renumbered(values, pattern, template_layer, prefix):
        plain = [v for v in values if not pattern.match(v.name)]
        cache = {v.name: v for v in values if pattern.match(v.name)}
        out = []
        for layer in range(layers):
            source = layer if layer < have - 1 else (have - 1 if layer == final else template_layer)
            for kind in ("key", "value"):
                v = copy.deepcopy(cache[f"{prefix}.{source}.{kind}"])
                v.name = f"{prefix}.{layer}.{kind}"
                out.append(v)
        return plain, out

    ins, past = renumbered(list(g.input), PAST, 2, "past_key_values")
    outs, present = renumbered(list(g.output), PRESENT, 2, "present")
    del g.input[:]
    g.input.extend(ins + past)
    del g.output[:]
    g.output.extend(outs[:1] + present + outs[1:])
    # Shapes of values that were renamed are not needed; drop them all.
    del g.value_info[:]
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("layers", type=int)
    args = ap.parse_args()
    model = onnx.load(args.input, load_external_data=False)
    replicate(model, args.layers)
    onnx.save(model, args.output)
    print(f"wrote {args.output}: {args.layers} layers, {len(model.graph.node)} nodes")


if __name__ == "__main__":
    sys.exit(main())
