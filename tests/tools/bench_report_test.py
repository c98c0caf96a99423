#!/usr/bin/env python3
"""`tandem bench` on a model of the model tests, with -hint latency and -hint throughput, and on a
model made here that HETERO:VNPU,CPU splits VNPU -> CPU -> VNPU, with 4 requests in flight: each
must complete, and its -json report must validate against docs/bench_report.schema.json and agree
with itself (min <= median <= max, throughput = iterations x batch / duration, the placement's
devices busy, ...).

  bench_report_test.py --tandem build/tools/tandem/tandem --models models \
      --schema docs/bench_report.schema.json squeezenet1_1

With --hints-only the split model is left out: the model tests run that on every model they
export (`models.<name>.bench`), so that `tandem bench` is known to complete on each of them.

Exits 77 (ctest's skip) when the model was not exported (scripts/make_models). The schema is
checked by the small validator below (the subset of JSON Schema 2020-12 the schema uses; an
unknown keyword is an error, so the schema cannot say more than is checked), which is itself
tested on reports broken on purpose.
"""
import argparse
import copy
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SKIP = 77
ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs"}


class SchemaError(Exception):
    pass


def is_type(value, name):
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, list)
    if name == "object":
        return isinstance(value, dict)
    raise SchemaError(f"unknown type {name!r} in the schema")


def resolve(root, ref):
    if not ref.startswith("#/"):
        raise SchemaError(f"only local references are supported, got {ref!r}")
    node = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def validate(value, schema, root, path="$"):
    """Raises SchemaError naming the first place where value breaks schema."""
    def fail(message):
        raise SchemaError(f"{path}: {message}")

    for key in schema:
        if key in ANNOTATIONS:
            continue
        rule = schema[key]
        if key == "$ref":
            validate(value, resolve(root, rule), root, path)
        elif key == "type":
            names = rule if isinstance(rule, list) else [rule]
            if not any(is_type(value, n) for n in names):
                fail(f"expected {' or '.join(names)}, got {json.dumps(value)[:80]}")
        elif key == "const":
            if value != rule or (type(value) is bool) != (type(rule) is bool):
                fail(f"expected {json.dumps(rule)}, got {json.dumps(value)[:80]}")
        elif key == "enum":
            if not any(value == r and (type(value) is bool) == (type(r) is bool) for r in rule):
                fail(f"expected one of {json.dumps(rule)}, got {json.dumps(value)[:80]}")
        elif key == "minimum":
            if is_type(value, "number") and value < rule:
                fail(f"{value} is below the minimum {rule}")
        elif key == "required":
            if isinstance(value, dict):
                for name in rule:
                    if name not in value:
                        fail(f"missing required property {name!r}")
        elif key == "properties":
            if isinstance(value, dict):
                for name, sub in rule.items():
                    if name in value:
                        validate(value[name], sub, root, f"{path}.{name}")
        elif key == "additionalProperties":
            if isinstance(value, dict):
                known = schema.get("properties", {})
                for name, item in value.items():
                    if name in known:
                        continue
                    if rule is False:
                        fail(f"unexpected property {name!r}")
                    if isinstance(rule, dict):
                        validate(item, rule, root, f"{path}.{name}")
        elif key == "items":
            if isinstance(value, list):
                for i, item in enumerate(value):
                    validate(item, rule, root, f"{path}[{i}]")
        elif key == "minItems":
            if isinstance(value, list) and len(value) < rule:
                fail(f"expected at least {rule} items, got {len(value)}")
        elif key == "oneOf":
            errors, passed = [], 0
            for sub in rule:
                try:
                    validate(value, sub, root, path)
                    passed += 1
                except SchemaError as e:
                    errors.append(str(e))
            if passed != 1:
                fail(f"matches {passed} of the oneOf alternatives, expected exactly 1"
                     + (f" ({'; '.join(errors)})" if errors else ""))
        else:
            raise SchemaError(f"the validator does not know the keyword {key!r}")


def check_consistency(report, hint):
    """What the schema cannot say: the figures agree with one another, with the flags and with the
    placement."""
    cfg, ex = report["configuration"], report["execution"]
    assert cfg["performance_hint"] == hint.upper(), cfg["performance_hint"]
    assert cfg["api"] == ("sync" if hint == "latency" else "async"), cfg["api"]
    assert ex is not None, "no execution section"
    iterations = ex["iterations"]["value"]
    assert iterations >= 5, f"{iterations} iterations, expected at least -niter 5"
    lat = {k: v["value"] for k, v in ex["latency"].items()}
    order = [lat["min"], lat["median"], lat["p90"], lat["p99"], lat["max"]]
    assert order == sorted(order), f"latency figures out of order: {lat}"
    assert lat["min"] <= lat["mean"] <= lat["max"], lat
    assert lat["min"] > 0, lat
    duration = ex["duration"]["value"]
    expected_fps = iterations * report["model"]["batch"] * 1000.0 / duration
    assert math.isclose(ex["throughput"]["value"], expected_fps, rel_tol=1e-6), (
        ex["throughput"], expected_fps)
    assert report["timings"]["first_inference"] is not None
    placement = ex["placement"]
    busy = {d["device"]: d for d in ex["devices"]}
    assert placement["devices"], f"no node runs anywhere: {placement}"
    for device, placed in placement["devices"].items():
        assert placed["nodes"]["value"] > 0 and placed["subgraphs"]["value"] > 0, placement
        # A device that runs nodes reports its busy time, and it did some work.
        assert device in busy, f"{device} runs nodes but has no busy time: {ex['devices']}"
        assert busy[device]["busy_time"]["value"] > 0, f"{device} never busy: {busy[device]}"
    for d in ex["devices"]:
        expected = 100.0 * d["busy_time"]["value"] / duration
        assert math.isclose(d["busy"]["value"], expected, rel_tol=1e-6), (d, duration)
    if len(placement["devices"]) == 1 and cfg["device"] == "CPU":
        assert placement["transfers"]["value"] == 0, placement
    else:  # at least the inputs in and the outputs out
        assert placement["transfers"]["value"] >= 2, placement
        assert placement["transfer_bytes"]["value"] > 0, placement
    counters = report["performance_counters"]
    if counters is not None:
        assert counters["nodes"], "-pc gave no node records"
        shares = sum(n["share"]["value"] for n in counters["nodes"])
        assert math.isclose(shares, 100.0, rel_tol=1e-3), f"shares add up to {shares}%"
        times = [n["total_time"]["value"] for n in counters["nodes"]]
        assert times == sorted(times, reverse=True), "-pc table not sorted by time"


def broken_copies(report):
    """Reports the validator must reject, so that a pass means something."""
    a = copy.deepcopy(report)
    del a["execution"]["latency"]["p99"]
    b = copy.deepcopy(report)
    b["execution"]["throughput"]["unit"] = "ms"
    c = copy.deepcopy(report)
    c["timings"]["compile_model"] = 12.5  # a bare number: no unit
    d = copy.deepcopy(report)
    d["configuration"]["api"] = "batch"
    e = copy.deepcopy(report)
    e["extra"] = 1
    f = copy.deepcopy(report)
    f["execution"]["placement"]["transfer_bytes"]["unit"] = "KiB"
    g = copy.deepcopy(report)
    del g["execution"]["devices"][0]["busy_time"]
    return {"missing p99": a, "wrong unit": b, "bare number": c, "bad enum": d, "extra key": e,
            "transfer size in KiB": f, "device without its busy time": g}


def make_partitioned_model(path):
    """Conv (VNPU), LSTM (CPU: not in an NPU's op set), MatMul (VNPU): three stages that several
    requests in flight can overlap."""
    rng = np.random.default_rng(5)
    weight = lambda name, shape: numpy_helper.from_array(
        (rng.standard_normal(shape) * 0.1).astype(np.float32), name)
    steps, features, hidden = 32, 256, 32  # the conv's [1,8,32,32] output as 32 steps of 256
    initializers = [weight("W", (8, 3, 3, 3)), weight("Wl", (1, 4 * hidden, features)),
                    weight("Rl", (1, 4 * hidden, hidden)), weight("Wo", (hidden, 10)),
                    numpy_helper.from_array(np.array([steps, 1, features], np.int64), "shape")]
    nodes = [helper.make_node("Conv", ["x", "W"], ["c"], pads=[1, 1, 1, 1], name="conv"),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("Reshape", ["r", "shape"], ["seq"], name="to_sequence"),
             helper.make_node("LSTM", ["seq", "Wl", "Rl"], ["", "h"], hidden_size=hidden,
                              name="lstm"),
             helper.make_node("Flatten", ["h"], ["hf"], name="flatten"),
             helper.make_node("MatMul", ["hf", "Wo"], ["y"], name="head")]
    graph = helper.make_graph(
        nodes, "partitioned",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def check_partitioned(report):
    """HETERO:VNPU,CPU put the LSTM on the CPU and the rest on the VNPU, copying between them."""
    placement = report["execution"]["placement"]
    assert set(placement["devices"]) == {"VNPU", "CPU"}, placement
    assert placement["devices"]["CPU"]["nodes"]["value"] == 1, placement
    assert placement["devices"]["VNPU"]["subgraphs"]["value"] == 2, placement
    # x in; the sequence out to the CPU; the LSTM's state back in; y out.
    assert placement["transfers"]["value"] == 4, placement
    assert "LSTM" in placement["summary"], placement["summary"]


def input_shape_flags(model):
    """-data_shape for a model whose inputs have dynamic dimensions, from the input the model tests
    run it on (<name>.input.npy): at 1, as bench sets them by default, a window may not fit."""
    stem = os.path.splitext(model)[0]
    if not os.path.exists(stem + ".input.npy"):
        return []
    graph = onnx.load(model, load_external_data=False).graph
    constants = {t.name for t in graph.initializer}
    inputs = [i.name for i in graph.input if i.name not in constants]
    if len(inputs) != 1:
        return []
    shape = np.load(stem + ".input.npy", mmap_mode="r").shape
    return ["-data_shape", f"{inputs[0]}[{','.join(map(str, shape))}]"]


def run_bench(tandem, model, hint, extra, json_path):
    cmd = [tandem, "bench", model, "-hint", hint, "-niter", "5", "-json", json_path] + extra
    print("$", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=600)
    print(proc.stdout)
    if proc.returncode != 0:
        raise AssertionError(f"tandem bench exited with {proc.returncode}")
    for n in range(1, 8):
        assert f"[Step {n}/7]" in proc.stdout, f"step {n} not printed"
    with open(json_path) as f:
        return json.load(f)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tandem", required=True)
    parser.add_argument("--models", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("model", help="a model name of the model tests, e.g. squeezenet1_1")
    parser.add_argument("--hints-only", action="store_true",
                        help="only -hint latency and -hint throughput on the model")
    args = parser.parse_args()

    model = os.path.join(args.models, args.model + ".onnx")
    if not os.path.exists(model):
        print(f"skipped: {model} not found; scripts/make_models exports it")
        return SKIP
    with open(args.schema) as f:
        schema = json.load(f)

    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        partitioned = os.path.join(tmp, "partitioned.onnx")
        if not args.hints_only:
            make_partitioned_model(partitioned)
        # -pc with latency: the counters table and its part of the report get checked too.
        shapes = input_shape_flags(model)
        runs = [("latency", model, ["-pc"] + shapes), ("throughput", model, shapes),
                ("throughput", partitioned, ["-d", "HETERO:VNPU,CPU", "-nireq", "4"])]
        if args.hints_only:
            runs = runs[:2]
        for i, (hint, path_to_model, extra) in enumerate(runs):
            path = os.path.join(tmp, f"{i}.json")
            try:
                report = run_bench(args.tandem, path_to_model, hint, extra, path)
                validate(report, schema, schema)
                check_consistency(report, hint)
                if path_to_model == partitioned:
                    check_partitioned(report)
                for what, broken in broken_copies(report).items():
                    try:
                        validate(broken, schema, schema)
                    except SchemaError:
                        continue
                    raise AssertionError(f"the validator accepted a report with a {what}")
                print(f"ok: -hint {hint} {' '.join(extra)}: the report validates against "
                      f"{args.schema}")
            except (AssertionError, SchemaError, subprocess.TimeoutExpired) as e:
                print(f"FAIL: -hint {hint} {' '.join(extra)}: {e}")
                failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
