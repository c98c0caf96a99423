#!/usr/bin/env python3
"""The tandem command on bad input: one line `tandem: error: ...`, an exit code per error kind,
never a crash. Also a few runs that must succeed, so that the errors are not all the command does.

  cli_test.py --tandem build/tools/tandem/tandem

Run with the repository's .venv/bin/python (numpy, onnx). Malformed files are made here.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# Exit codes of tools/tandem/main.cpp.
INVALID_MODEL, UNSUPPORTED, INVALID_ARGUMENT, DEVICE_UNAVAILABLE, RUNTIME = 2, 3, 4, 5, 6
ERROR_PREFIX = "tandem: error: "


def add_model(nodes, initializers=(), opset=13, inputs=None, outputs=None):
    """A model over X: f32[2,3] → Y: f32[2,3], with the given nodes; not checked on purpose."""
    inputs = inputs or [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 3])]
    outputs = outputs or [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2, 3])]
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="cli_test")
    model.ir_version = 8
    return model


def weights(values=None):
    return numpy_helper.from_array(
        np.arange(6, dtype=np.float32).reshape(2, 3) if values is None else values, "W")


def raw_tensor(name, dims, raw_data=None, float_data=None):
    """A float TensorProto built field by field: helper.make_tensor refuses inconsistent ones."""
    t = TensorProto(name=name, data_type=TensorProto.FLOAT)
    t.dims.extend(dims)
    if raw_data is not None:
        t.raw_data = raw_data
    if float_data is not None:
        t.float_data.extend(float_data)
    return t


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def make_files(d):
    """Every file the cases below use, by name."""
    f = {}
    good = add_model([helper.make_node("Add", ["X", "W"], ["Y"], name="add")], [weights()])
    onnx.checker.check_model(good)
    f["good"] = write(os.path.join(d, "good.onnx"), good.SerializeToString())
    good_bytes = good.SerializeToString()
    f["empty"] = write(os.path.join(d, "empty.onnx"), b"")
    f["random"] = write(os.path.join(d, "random.onnx"),
                        np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    f["truncated"] = write(os.path.join(d, "truncated.onnx"),
                           good_bytes[: len(good_bytes) * 2 // 3])
    f["missing"] = os.path.join(d, "does_not_exist.onnx")
    f["text"] = write(os.path.join(d, "text.onnx"), b"this is not a model\n" * 10)
    # Compiled-model blobs (tandem compile): the magic, then garbage or another format version.
    magic = b"TANDEM\0\1"
    f["garbage_blob"] = write(os.path.join(d, "garbage.blob"),
                              magic + np.random.default_rng(8).integers(0, 256, 512, dtype=np.uint8).tobytes())
    f["future_blob"] = write(os.path.join(d, "future.blob"), magic + b"\xff\0\0\0" + b"\0" * 64)
    f["blob"] = os.path.join(d, "good.blob")

    def save(name, model):
        f[name] = write(os.path.join(d, name + ".onnx"), model.SerializeToString())

    # A node reads a value that no node, input or initializer produces.
    save("dangling", add_model([helper.make_node("Add", ["X", "nowhere"], ["Y"], name="add")]))
    # An initializer whose bytes are fewer than its shape needs (raw_data, then float_data).
    short_raw = weights()
    short_raw.raw_data = short_raw.raw_data[:16]
    save("short_raw", add_model([helper.make_node("Add", ["X", "W"], ["Y"])], [short_raw]))
    short_floats = raw_tensor("W", [2, 3], float_data=[1.0, 2.0, 3.0, 4.0, 5.0])
    save("short_floats", add_model([helper.make_node("Add", ["X", "W"], ["Y"])], [short_floats]))
    # Shapes that overflow or are negative must not turn into huge or negative allocations.
    huge = raw_tensor("W", [1 << 40, 1 << 40], raw_data=b"\0" * 24)
    save("huge_shape", add_model([helper.make_node("Add", ["X", "W"], ["Y"])], [huge]))
    negative = weights()
    negative.dims[:] = [-2, -3]
    save("negative_shape", add_model([helper.make_node("Add", ["X", "W"], ["Y"])], [negative]))
    # Graph structure: a cycle, a value produced twice, an output nobody produces.
    save("cycle", add_model([helper.make_node("Add", ["X", "B"], ["A"], name="a"),
                             helper.make_node("Add", ["A", "X"], ["B"], name="b"),
                             helper.make_node("Identity", ["A"], ["Y"], name="y")]))
    save("two_producers", add_model([helper.make_node("Relu", ["X"], ["Y"], name="r1"),
                                     helper.make_node("Abs", ["X"], ["Y"], name="r2")]))
    save("unproduced_output", add_model([helper.make_node("Relu", ["X"], ["Z"], name="r")]))
    # A dynamic batch: accelerators need it fixed before compiling.
    dynamic = [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 3])]
    save("dynamic", add_model([helper.make_node("Relu", ["X"], ["Y"], name="r")], inputs=dynamic,
                              outputs=[helper.make_tensor_value_info("Y", TensorProto.FLOAT,
                                                                     ["N", 3])]))
    # Ops: one nobody defines, one with a missing required input, opsets from the future.
    save("unknown_op", add_model([helper.make_node("Frobnicate", ["X"], ["Y"], name="f")]))
    save("missing_input", add_model([helper.make_node("Add", ["X"], ["Y"], name="add")]))
    save("future_opset", add_model([helper.make_node("Relu", ["X"], ["Y"], name="r")], opset=99))
    save("bad_attribute", add_model([helper.make_node("Softmax", ["X"], ["Y"], name="s",
                                                      axis=7)]))

    # Inputs: right, wrong shape, wrong type, shorter than its header, not a .npy at all.
    np.save(os.path.join(d, "x.npy"), np.ones((2, 3), np.float32))
    f["x"] = os.path.join(d, "x.npy")
    np.save(os.path.join(d, "x_wrong_shape.npy"), np.ones((3, 2), np.float32))
    f["x_wrong_shape"] = os.path.join(d, "x_wrong_shape.npy")
    np.save(os.path.join(d, "x_wrong_type.npy"), np.ones((2, 3), np.int64))
    f["x_wrong_type"] = os.path.join(d, "x_wrong_type.npy")
    whole = open(f["x"], "rb").read()
    f["x_short"] = write(os.path.join(d, "x_short.npy"), whole[:-8])
    f["x_garbage"] = write(os.path.join(d, "x_garbage.npy"), b"\x93NUMPY\x01\x00garbage")
    short_pb = numpy_helper.from_array(np.ones((2, 3), np.float32), "X")
    short_pb.raw_data = short_pb.raw_data[:12]
    f["x_short_pb"] = write(os.path.join(d, "x_short.pb"), short_pb.SerializeToString())
    return f


def error_cases(f):
    """(name, arguments, acceptable exit codes). Where the kind is debatable, a set says so."""
    run = lambda model, *rest: ["run", f[model], *rest]
    return [
        ("empty file", run("empty"), {INVALID_MODEL}),
        ("random bytes", run("random"), {INVALID_MODEL}),
        ("truncated model", run("truncated"), {INVALID_MODEL}),
        ("text file", run("text"), {INVALID_MODEL}),
        ("missing file", run("missing"), {INVALID_MODEL, INVALID_ARGUMENT}),
        ("info on random bytes", ["info", f["random"]], {INVALID_MODEL}),
        ("info on missing file", ["info", f["missing"]], {INVALID_MODEL, INVALID_ARGUMENT}),
        ("value nobody produces", run("dangling"), {INVALID_MODEL}),
        ("initializer raw_data shorter than its shape", run("short_raw"), {INVALID_MODEL}),
        ("initializer float_data shorter than its shape", run("short_floats"), {INVALID_MODEL}),
        ("initializer with an overflowing shape", run("huge_shape"), {INVALID_MODEL}),
        ("initializer with a negative shape", run("negative_shape"), {INVALID_MODEL}),
        ("cycle", run("cycle"), {INVALID_MODEL}),
        ("value produced twice", run("two_producers"), {INVALID_MODEL}),
        ("graph output nobody produces", run("unproduced_output"), {INVALID_MODEL}),
        ("unknown op", run("unknown_op"), {INVALID_MODEL, UNSUPPORTED}),
        ("op missing a required input", run("missing_input"), {INVALID_MODEL}),
        ("opset from the future", run("future_opset"), {INVALID_MODEL, UNSUPPORTED}),
        ("attribute out of range", run("bad_attribute"), {INVALID_MODEL}),
        ("input of the wrong shape", run("good", "-i", "X=" + f["x_wrong_shape"]),
         {INVALID_ARGUMENT}),
        ("input of the wrong type", run("good", "-i", "X=" + f["x_wrong_type"]),
         {INVALID_ARGUMENT}),
        ("input .npy shorter than its shape", run("good", "-i", "X=" + f["x_short"]),
         {INVALID_ARGUMENT}),
        ("input .pb shorter than its shape", run("good", "-i", "X=" + f["x_short_pb"]),
         {INVALID_ARGUMENT}),
        ("input .npy with a garbage header", run("good", "-i", "X=" + f["x_garbage"]),
         {INVALID_ARGUMENT}),
        ("input file missing", run("good", "-i", "X=" + f["missing"] + ".npy"),
         {INVALID_ARGUMENT}),
        ("input name unknown", run("good", "-i", "nope=" + f["x"]), {INVALID_ARGUMENT}),
        ("shape for an unknown input", run("good", "--shape", "nope=1,2"), {INVALID_ARGUMENT}),
        ("shape that is not a list of sizes", run("good", "--shape", "X=a,b"),
         {INVALID_ARGUMENT}),
        ("unknown device", run("good", "-d", "NO_SUCH_DEVICE"),
         {INVALID_ARGUMENT, DEVICE_UNAVAILABLE, UNSUPPORTED}),
        ("property without a value", run("good", "-p", "NUM_STREAMS"), {INVALID_ARGUMENT}),
        ("devices with an unknown name", ["devices", "TPU"], {INVALID_ARGUMENT}),
        ("blob of garbage after the magic", run("garbage_blob"), {INVALID_ARGUMENT}),
        ("blob of another format version", run("future_blob"), {INVALID_ARGUMENT}),
        ("compile to a folder that does not exist",
         ["compile", f["good"], "-o", os.path.join(f["missing"], "x.blob")], {INVALID_ARGUMENT}),
    ]


def run_tandem(tandem, args):
    return subprocess.run([tandem, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, errors="replace", timeout=120)


def check_error(tandem, name, args, codes):
    """Returns the reason it failed, or None."""
    try:
        r = run_tandem(tandem, args)
    except subprocess.TimeoutExpired:
        return "no answer in 120 s"
    if r.returncode < 0:
        return f"killed by signal {-r.returncode} (a crash)"
    if r.returncode >= 128:
        return f"exit code {r.returncode} (a crash)"
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    if r.returncode == 0:
        return "exit code 0 on bad input"
    if len(lines) != 1 or not lines[0].startswith(ERROR_PREFIX):
        return f"stderr is not one '{ERROR_PREFIX}...' line: {r.stderr!r}"
    if r.returncode not in codes:
        return f"exit code {r.returncode}, expected {sorted(codes)}: {lines[0]}"
    print(f"  ok    {name}: exit {r.returncode}: {lines[0]}")
    return None


def check_success(tandem, name, args, expect_in_stdout=(), expect_files=()):
    r = run_tandem(tandem, args)
    if r.returncode != 0:
        return f"exit code {r.returncode}: {r.stderr.strip()!r}"
    for text in expect_in_stdout:
        if text not in r.stdout:
            return f"'{text}' not in its output:\n{r.stdout}"
    for path in expect_files:
        if not os.path.exists(path):
            return f"it wrote no {path}"
    print(f"  ok    {name}")
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tandem", required=True)
    args = parser.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="tandem-cli-") as d:
        f = make_files(d)
        out = os.path.join(d, "out")
        bench = lambda model, *rest: ["bench", f[model], "-niter", "2", *rest]
        successes = [
            ("run on random inputs", ["run", f["good"]], ["Y", "device", "infer"], []),
            ("run on a .npy input, writing outputs",
             ["run", f["good"], "-i", "X=" + f["x"], "-o", out], ["Y"],
             [os.path.join(out, "Y.npy")]),
            ("run with FILE alone for a one-input model", ["run", f["good"], "-i", f["x"]],
             ["Y"], []),
            ("info", ["info", f["good"]], ["X", "Y", "Add", "cli_test"], []),
            ("devices: every device built in, present or not",
             ["devices"], ["NPU  Intel NPU (Level Zero)", "GPU  ", "CPU  ", "available",
                           "precisions", "dynamic shapes", "memory"], []),
            ("devices --diagnose: every check, what was found, the fix",
             ["devices", "--diagnose"], ["/dev/accel/accel*", "intel_vpu", "render",
                                         "libze_loader.so.1", "libcuda.so.1", "libcudart",
                                         "GPU plugin", "found", "fix"], []),
            ("devices by name", ["devices", "--diagnose", "GPU"], ["libcuda.so.1"], []),
            ("compile to a blob", ["compile", f["good"], "-d", "VNPU", "-o", f["blob"]],
             ["device     VNPU", "placement", "blob"], [f["blob"]]),
            ("run a blob where a model is expected", ["run", f["blob"], "-i", "X=" + f["x"]],
             ["Y", "device  VNPU", "import"], []),
            ("bench on VNPU reshapes a dynamic batch to 1 and says so",
             bench("dynamic", "-d", "VNPU"),
             ["input 'X': [N,3] -> [1,3] for VNPU, which needs static shapes", "placement: ",
              "1 node on VNPU", "VNPU busy", "transfers         2 per inference"], []),
            ("bench -use_device_mem keeps inputs and outputs in VNPU memory: no copies",
             bench("dynamic", "-d", "VNPU", "-use_device_mem"),
             ["inputs and outputs in VNPU memory (-use_device_mem)", "transfers         0 per inference"], []),
            ("bench on VNPU takes -b as the batch",
             bench("dynamic", "-d", "VNPU", "-b", "4"), ["input  X: f32[4,3]"], []),
            ("bench on HETERO:VNPU,CPU takes -data_shape",
             bench("dynamic", "-d", "HETERO:VNPU,CPU", "-data_shape", "X[3,3]"),
             ["[N,3] -> [3,3] for HETERO:VNPU,CPU", "(-data_shape)"], []),
            ("bench on the CPU keeps a dynamic batch", bench("dynamic"),
             ["shapes as declared", "CPU busy"], []),
        ]
        print("runs that must succeed:")
        for name, argv, texts, files in successes:
            reason = check_success(args.tandem, name, argv, texts, files)
            if reason:
                print(f"  FAIL  {name}: {reason}")
                failed += 1
            else:
                passed += 1
        if passed == len(successes):
            # Y = X + W with X = 1 and W = 0..5.
            y = np.load(os.path.join(out, "Y.npy"))
            if not np.array_equal(y, np.arange(6, dtype=np.float32).reshape(2, 3) + 1):
                print(f"  FAIL  Y.npy holds {y.tolist()}, expected X + W")
                failed += 1

        print("bad input: one error line, an exit code per kind, no crash:")
        for name, argv, codes in error_cases(f):
            reason = check_error(args.tandem, name, argv, codes)
            if reason:
                print(f"  FAIL  {name}: {' '.join(argv)}: {reason}")
                failed += 1
            else:
                passed += 1

        # Usage errors are CLI11's: not one of ours, but still no crash.
        for name, argv in [("no subcommand", []), ("unknown subcommand", ["frobnicate"]),
                           ("run without a model", ["run"]),
                           ("unknown option", ["run", f["good"], "--nope"])]:
            r = run_tandem(args.tandem, argv)
            if r.returncode == 0 or r.returncode < 0 or r.returncode >= 128:
                print(f"  FAIL  usage error, {name}: exit code {r.returncode}")
                failed += 1
                continue
            print(f"  ok    usage error, {name}: exit {r.returncode}")
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
