#!/usr/bin/env python3
"""Runs the onnx node tests through tandem, ONNX Runtime and OpenVINO and prints the three tallies.

  .venv/bin/python scripts/compare_backends.py [--suite build/onnx-node-tests] [--filter TEXT]
                                                 [--list DIFF|ALL] [--jobs 2] [--timeout 60]

The tests are the folders scripts/write_onnx_node_tests.py writes (model.onnx and
test_data_set_N/{input,output}_K.pb). Every runtime is judged by the rules of our C++ conformance
runner (tests/conformance/conformance_runner.cpp):
  - input files are bound by position to the model's graph inputs (those that are not initializers);
  - every output that has a file is compared; element type and shape must match;
  - floats (f32, f64, f16, bf16, float8, float4) pass when |got - want| <= 1e-5 + 1e-3 * |want|, NaN
    equals NaN and infinities must be equal; integers (int4 too), bools and strings exactly;
  - sequences are compared item by item, optionals by presence and then by what they hold.
tandem is judged by build/tests/conformance/tandem_conformance itself (run on the folder, -v).
ONNX Runtime runs with CPUExecutionProvider and default session options. OpenVINO reads the model
with its ONNX frontend and compiles it for CPU with INFERENCE_PRECISION_HINT f32; it takes no
sequences or optionals, so such tests count as its failures. Every test runs in a worker process
with a time limit, so a crash or a hang fails that test alone (the worker is restarted).
"""
import argparse
import collections
import ctypes
import json
import os
import queue
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import onnx
from onnx import helper, numpy_helper

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = ("onnxruntime", "openvino")
RUNTIMES = ("tandem",) + PEERS

ABSOLUTE, RELATIVE = 1e-5, 1e-3  # as kAbsolute and kRelative in conformance_runner.cpp
# Compared within the tolerance, as is_floating() in include/tandem/element_type.h says.
FLOATING = {getattr(onnx.TensorProto, n) for n in (
    "FLOAT", "DOUBLE", "FLOAT16", "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2",
    "FLOAT8E5M2FNUZ", "FLOAT4E2M1", "FLOAT8E8M0", "FLOAT6E2M3", "FLOAT6E3M2")
    if hasattr(onnx.TensorProto, n)}


# ------------------------------------------------------------------------------------------------
# Test data and the comparison rules (used inside the workers).

def load_test(test_dir):
    """The model, its graph inputs and outputs, and [(inputs, outputs)] per test data set."""

    model = onnx.load(os.path.join(test_dir, "model.onnx"))
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    outputs = list(model.graph.output)

    def read(path, value_info):
        with open(path, "rb") as f:
            data = f.read()
        kind = value_info.type.WhichOneof("value")
        if kind == "sequence_type":
            proto = onnx.SequenceProto()
            proto.ParseFromString(data)
            return Seq(proto)
        if kind == "optional_type":
            proto = onnx.OptionalProto()
            proto.ParseFromString(data)
            if not proto.HasField("tensor_value") and not proto.HasField("sequence_value"):
                return None
            if proto.HasField("sequence_value"):
                return Seq(proto.sequence_value)
            return Tensor.from_proto(proto.tensor_value)
        if kind == "map_type":
            proto = onnx.MapProto()
            proto.ParseFromString(data)
            return numpy_helper.to_dict(proto)
        proto = onnx.TensorProto()
        proto.ParseFromString(data)
        return Tensor.from_proto(proto)

    sets = sorted(d for d in os.listdir(test_dir) if d.startswith("test_data_set_"))
    data = []
    for s in sets:
        folder = os.path.join(test_dir, s)
        ins, outs = [], []
        for stem, infos, values in (("input", inputs, ins), ("output", outputs, outs)):
            k = 0
            while os.path.exists(os.path.join(folder, f"{stem}_{k}.pb")):
                if k >= len(infos):
                    if stem == "output":
                        break  # as the C++ runner: outputs the model lacks are not compared
                    raise Mismatch(f"more input files than the {len(infos)} model inputs")
                values.append(read(os.path.join(folder, f"{stem}_{k}.pb"), infos[k]))
                k += 1
        data.append((s, ins, outs))
    return model, inputs, outputs, data


class Mismatch(Exception):
    pass


class Tensor:
    """An array with its ONNX element type (numpy alone cannot tell bf16 from raw uint16)."""

    def __init__(self, array, elem_type):
        self.array, self.elem_type = array, elem_type

    @staticmethod
    def from_proto(proto):
        return Tensor(numpy_helper.to_array(proto), proto.data_type)

    @staticmethod
    def from_raw(raw, elem_type, shape):
        """From the bytes of a runtime's buffer (packed for 4- and 2-bit types, as ONNX packs)."""
        proto = onnx.TensorProto()
        proto.data_type, proto.raw_data = elem_type, raw
        proto.dims.extend(shape)
        return Tensor(numpy_helper.to_array(proto), elem_type)

    @staticmethod
    def from_numpy(array):
        array = np.asarray(array)
        if array.dtype.kind in "OUS":
            return Tensor(array, onnx.TensorProto.STRING)
        return Tensor(array, helper.np_dtype_to_tensor_dtype(array.dtype))

    def raw(self):
        return numpy_helper.from_array(self.array).raw_data


class Seq(list):
    """A sequence of tensors read from a SequenceProto."""

    def __init__(self, proto):
        super().__init__(Tensor.from_proto(t) for t in proto.tensor_values)


def type_name(elem_type):
    try:
        return onnx.TensorProto.DataType.Name(elem_type).lower()
    except ValueError:
        return str(elem_type)


def compare_tensors(got, want):
    if got.elem_type != want.elem_type:
        return f"element type {type_name(got.elem_type)} instead of {type_name(want.elem_type)}"
    g, w = np.asarray(got.array), np.asarray(want.array)
    if list(g.shape) != list(w.shape):
        return f"shape {list(g.shape)} instead of {list(w.shape)}"
    g, w = g.reshape(-1), w.reshape(-1)
    T = onnx.TensorProto
    if want.elem_type == T.STRING:
        g = [x.decode() if isinstance(x, bytes) else str(x) for x in g]
        w = [x.decode() if isinstance(x, bytes) else str(x) for x in w]
        for i, (a, b) in enumerate(zip(g, w)):
            if a != b:
                return f"element {i} is '{a}' instead of '{b}'"
        return ""
    if want.elem_type in FLOATING:
        a, b = g.astype(np.float64), w.astype(np.float64)
        with np.errstate(invalid="ignore"):
            ok = (np.isnan(a) & np.isnan(b)) | (np.isinf(b) & (a == b)) | \
                 (np.abs(a - b) <= ABSOLUTE + RELATIVE * np.abs(b))
        bad = np.flatnonzero(~ok)
        return f"element {bad[0]} is {a[bad[0]]} instead of {b[bad[0]]}" if bad.size else ""
    if want.elem_type in (T.COMPLEX64, T.COMPLEX128):
        bad = np.flatnonzero(g != w)
        return f"element {bad[0]} is {g[bad[0]]} instead of {w[bad[0]]}" if bad.size else ""
    a, b = g.astype(np.int64), w.astype(np.int64)  # integers (int4, int2 too) and bools: exact
    bad = np.flatnonzero(a != b)
    return f"element {bad[0]} is {a[bad[0]]} instead of {b[bad[0]]}" if bad.size else ""


def compare_values(got, want):
    if want is None or got is None:
        return "" if (want is None) == (got is None) else "value kind differs"
    if isinstance(want, Seq):
        if not isinstance(got, list):
            return "value kind differs"
        if len(got) != len(want):
            return f"sequence of {len(got)} items instead of {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            why = compare_tensors(g, w)
            if why:
                return f"item {i}: {why}"
        return ""
    if isinstance(want, dict):
        return "" if got == want else "map differs"
    if not isinstance(got, Tensor):
        return "value kind differs"
    return compare_tensors(got, want)


# ------------------------------------------------------------------------------------------------
# The two peers, each as a class with run(test_dir) -> "" or why it failed.

class OnnxRuntime:
    def __init__(self):
        import onnxruntime
        self.ort = onnxruntime
        self.ort.set_default_logger_severity(3)

    def to_ort(self, value, info):
        if value is None:
            return None
        if isinstance(value, Seq):
            return [np.asarray(t.array) for t in value]
        if isinstance(value, dict):
            return value
        a = value.array
        if a.dtype.type.__module__ == "numpy":
            return np.array(a, order="C")  # (np.ascontiguousarray would make a scalar [1])
        # bf16, float8, int4, ...: the bytes, as ONNX packs them, under their ONNX type.
        ort_value = self.ort.OrtValue.ortvalue_from_shape_and_type(list(a.shape), value.elem_type)
        raw = value.raw()
        ctypes.memmove(ort_value.data_ptr(), raw, min(len(raw), ort_value.tensor_size_in_bytes()))
        return ort_value

    def from_ort(self, value):
        if value is None:
            return None
        if isinstance(value, list):
            return [self.from_ort(v) for v in value]
        if isinstance(value, dict):
            return value
        if isinstance(value, self.ort.OrtValue):
            if not value.has_value():
                return None
            if value.is_tensor_sequence():
                raise Mismatch("a sequence came back as an OrtValue")
            elem_type = value.element_type()
            raw = ctypes.string_at(value.data_ptr(), value.tensor_size_in_bytes()) \
                if value.data_type() != "tensor(string)" else None
            if raw is None:
                return Tensor.from_numpy(value.numpy())
            return Tensor.from_raw(raw, elem_type, value.shape())
        return Tensor.from_numpy(np.asarray(value))

    def run(self, test_dir):
        model, inputs, outputs, data = load_test(test_dir)
        session = self.ort.InferenceSession(os.path.join(test_dir, "model.onnx"),
                                            providers=["CPUExecutionProvider"])
        names = {i.name for i in session.get_inputs()}
        for set_name, ins, outs in data:
            feeds = {info.name: self.to_ort(v, info) for info, v in zip(inputs, ins)
                     if info.name in names}
            if any(isinstance(v, self.ort.OrtValue) for v in feeds.values()):
                # numpy cannot carry bf16, float8, int4 to ONNX Runtime: every input as an OrtValue.
                feeds = {k: (v if isinstance(v, self.ort.OrtValue) else
                             self.ort.OrtValue.ortvalue_from_numpy(v)) for k, v in feeds.items()}
                results = [self.from_ort(v) for v in session.run_with_ort_values(None, feeds)]
            else:
                results = [self.from_ort(v) for v in session.run(None, feeds)]
            by_name = dict(zip([o.name for o in session.get_outputs()], results))
            for k, want in enumerate(outs):
                got = by_name.get(outputs[k].name, results[k] if k < len(results) else None)
                why = compare_values(got, want)
                if why:
                    return f"{set_name}: output '{outputs[k].name}': {why}"
        return ""


class OpenVino:
    def __init__(self):
        import openvino
        self.ov = openvino
        self.core = openvino.Core()
        T, t = onnx.TensorProto, openvino.Type
        self.types = {
            t.f32: T.FLOAT, t.f64: T.DOUBLE, t.f16: T.FLOAT16, t.bf16: T.BFLOAT16,
            t.i8: T.INT8, t.i16: T.INT16, t.i32: T.INT32, t.i64: T.INT64,
            t.u8: T.UINT8, t.u16: T.UINT16, t.u32: T.UINT32, t.u64: T.UINT64,
            t.boolean: T.BOOL, t.string: T.STRING, t.f8e4m3: T.FLOAT8E4M3FN,
            t.f8e5m2: T.FLOAT8E5M2, t.f8e8m0: T.FLOAT8E8M0, t.i4: T.INT4, t.u4: T.UINT4,
            t.f4e2m1: T.FLOAT4E2M1,
        }
        self.ov_types = {v: k for k, v in self.types.items()}

    def to_ov(self, value):
        if value is None or isinstance(value, (Seq, dict)):
            raise Mismatch("OpenVINO takes no sequence, optional or map inputs")
        a = value.array
        if a.dtype.type.__module__ == "numpy":
            return self.ov.Tensor(np.array(a, order="C"))
        if value.elem_type not in self.ov_types:
            raise Mismatch(f"OpenVINO has no element type {type_name(value.elem_type)}")
        tensor = self.ov.Tensor(self.ov_types[value.elem_type], list(a.shape))
        raw = value.raw()
        ctypes.memmove(tensor.data.ctypes.data, raw, min(len(raw), tensor.byte_size))
        return tensor

    def from_ov(self, tensor):
        elem = tensor.element_type
        if elem not in self.types:
            raise Mismatch(f"OpenVINO returned element type {elem}")
        shape = list(tensor.shape)
        if self.types[elem] == 8:  # string
            return Tensor.from_numpy(np.asarray(tensor.str_data).reshape(shape))
        data = tensor.data
        raw = ctypes.string_at(data.ctypes.data, tensor.byte_size)
        return Tensor.from_raw(raw, self.types[elem], shape)

    def run(self, test_dir):
        model, inputs, outputs, data = load_test(test_dir)
        if any(o.type.WhichOneof("value") != "tensor_type" for o in list(inputs) + outputs):
            raise Mismatch("OpenVINO takes no sequence, optional or map values")
        ov_model = self.core.read_model(os.path.join(test_dir, "model.onnx"))
        compiled = self.core.compile_model(ov_model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
        ov_inputs = compiled.inputs
        ov_outputs = compiled.outputs
        for set_name, ins, outs in data:
            request = compiled.create_infer_request()
            for k, (info, value) in enumerate(zip(inputs, ins)):
                # By name; OpenVINO may rename an input that flows straight to an output, then by
                # position; with fewer inputs than the graph, it dropped an unused one.
                port = next((p for p in ov_inputs if info.name in p.get_names()),
                            ov_inputs[k] if len(ov_inputs) == len(inputs) else None)
                if port is not None:
                    request.set_tensor(port, self.to_ov(value))
            request.infer()
            for k, want in enumerate(outs):
                name = outputs[k].name
                port = next((p for p in ov_outputs if name in p.get_names()),
                            ov_outputs[k] if k < len(ov_outputs) else None)
                if port is None:
                    return f"{set_name}: output '{name}': OpenVINO's model has no such output"
                why = compare_values(self.from_ov(request.get_tensor(port)), want)
                if why:
                    return f"{set_name}: output '{name}': {why}"
        return ""


def worker_main(runtime):
    """Reads test folders from stdin and writes one {"why": ...} line per test to stdout."""
    results = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever the libraries print goes to stderr, not into the results
    peer = None
    for line in sys.stdin:
        test_dir = line.rstrip("\n")
        try:
            if peer is None:
                peer = OnnxRuntime() if runtime == "onnxruntime" else OpenVino()
            why = peer.run(test_dir)
        except Exception as e:  # noqa: BLE001: any failure of the peer is that test's failure
            why = " ".join(f"{type(e).__name__}: {e}".split())
            # ONNX Runtime names the C++ function that threw; keep the message only.
            why = re.sub(r"/onnxruntime_src/\S+:\d+ .*?\) ", "", why)
            why = re.sub(r"ONNX Runtime only \*guarantees\*.*?(Current official support)", r"\1", why)
        results.write(json.dumps({"why": why[:400]}) + "\n")


# ------------------------------------------------------------------------------------------------
# The driver.

class Worker:
    """One worker process for one peer; restarted after a crash or a time-out."""

    def __init__(self, runtime, timeout):
        self.runtime, self.timeout, self.process = runtime, timeout, None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker", self.runtime],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            bufsize=1)

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def run(self, test_dir):
        if self.process is None:
            self.start()
        try:
            self.process.stdin.write(test_dir + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            pass
        ready, _, _ = select.select([self.process.stdout], [], [], self.timeout)
        if not ready:
            self.stop()
            return f"timed out after {self.timeout} s"
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            self.process = None
            if code < 0:
                return f"crashed with signal {-code} ({signal.Signals(-code).name})"
            return f"worker exited with code {code}"
        return json.loads(line)["why"]


def run_peers(tests, jobs, timeout, progress):
    results = {peer: {} for peer in PEERS}
    todo = queue.Queue()
    for t in tests:
        todo.put(t)
    done = [0]
    lock = threading.Lock()

    def slot():
        workers = {peer: Worker(peer, timeout) for peer in PEERS}
        try:
            while True:
                try:
                    test = todo.get_nowait()
                except queue.Empty:
                    return
                for peer, worker in workers.items():
                    why = worker.run(test)
                    with lock:
                        results[peer][os.path.basename(test)] = why
                with lock:
                    done[0] += 1
                    if progress and done[0] % 100 == 0:
                        print(f"  peers: {done[0]}/{len(tests)} tests", file=sys.stderr, flush=True)
        finally:
            for w in workers.values():
                w.stop()

    threads = [threading.Thread(target=slot) for _ in range(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def run_tandem(runner, tests, jobs, timeout):
    """tandem_conformance -v on `jobs` folders of links that share the tests out between them."""
    results = {}
    scratch = tempfile.mkdtemp(prefix="compare-backends-")
    try:
        processes, suite_of = [], []
        tests_by_name = {os.path.basename(t): t for t in tests}
        for j in range(jobs):
            suite = os.path.join(scratch, f"part{j}")
            suite_of.append(suite)
            os.makedirs(suite)
            for test in tests[j::jobs]:
                os.symlink(os.path.abspath(test), os.path.join(suite, os.path.basename(test)))
            processes.append(subprocess.Popen(
                [runner, "--suite", suite, "--timeout", str(timeout), "-v"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        for j, process in enumerate(processes):
            out, _ = process.communicate()
            prefix = f"part{j}/"
            for line in out.splitlines():
                for tag in ("pass ", "FAIL "):
                    if line.startswith(tag + prefix):
                        rest = line[len(tag + prefix):]
                        name, _, why = rest.partition(": ") if tag == "FAIL " else (rest, "", "")
                        # Name the test's real folder, not the link.
                        results[name] = why.replace(os.path.join(suite_of[j], name),
                                                    tests_by_name[name]) if tag == "FAIL " else ""
            missing = [os.path.basename(t) for t in tests[j::jobs]
                       if os.path.basename(t) not in results]
            for name in missing:
                results[name] = f"tandem_conformance gave no result (exit code {process.returncode})"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default=os.path.join(REPO, "build", "onnx-node-tests"),
                        help="folder of test folders (scripts/write_onnx_node_tests.py)")
    parser.add_argument("--tandem-conformance",
                        default=os.path.join(REPO, "build", "tests", "conformance",
                                             "tandem_conformance"))
    parser.add_argument("--filter", default="", help="run only tests whose name contains this")
    parser.add_argument("--jobs", type=int, default=2, help="tests run at once (default 2)")
    parser.add_argument("--timeout", type=int, default=60, help="seconds per test and runtime")
    parser.add_argument("--list", choices=["DIFF", "ALL"],
                        help="also print, per test, each runtime's result: DIFF only where the "
                             "runtimes disagree, ALL every test")
    parser.add_argument("--worker", choices=PEERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args.worker)
        return 0

    if not os.path.isdir(args.suite):
        print(f"compare_backends: {args.suite} is absent; write it with "
              f".venv/bin/python scripts/write_onnx_node_tests.py {args.suite}", file=sys.stderr)
        return 2
    if not os.access(args.tandem_conformance, os.X_OK):
        print(f"compare_backends: {args.tandem_conformance} is absent; build it "
              f"(cmake --build build --target tandem_conformance)", file=sys.stderr)
        return 2
    tests = sorted(os.path.join(args.suite, d) for d in os.listdir(args.suite)
                   if args.filter in d and os.path.isdir(os.path.join(args.suite, d)))
    names = [os.path.basename(t) for t in tests]
    timings = {}

    start = time.time()
    results = {"tandem": run_tandem(args.tandem_conformance, tests, args.jobs, args.timeout)}
    timings["tandem"] = time.time() - start
    start = time.time()
    results.update(run_peers(tests, args.jobs, args.timeout,
                              progress=len(tests) >= 200))
    timings["peers"] = time.time() - start

    passed = {r: sum(1 for n in names if results[r][n] == "") for r in RUNTIMES}
    print(f"{len(tests)} tests of {args.suite}")
    for r in RUNTIMES:
        print(f"{r:12s} {passed[r]} passed, {len(tests) - passed[r]} failed")
    print(f"(tandem {timings['tandem']:.0f} s; ONNX Runtime and OpenVINO {timings['peers']:.0f} s; "
          f"{args.jobs} at a time)")

    print("\ntandem  onnxruntime  openvino  tests")
    combos = collections.Counter(tuple(results[r][n] == "" for r in RUNTIMES) for n in names)
    for combo in sorted(combos, key=lambda c: (-sum(c), [not x for x in c])):
        print("  ".join(f"{'pass' if ok else 'fail':>{w}}" for ok, w in zip(combo, (6, 11, 8))) +
              f"  {combos[combo]:5d}")

    if args.list:
        print()
        for n in names:
            oks = [results[r][n] == "" for r in RUNTIMES]
            if args.list == "ALL" or len(set(oks)) > 1:
                print(n)
                for r in RUNTIMES:
                    why = results[r][n]
                    print(f"    {r:12s} {'pass' if not why else 'FAIL: ' + why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
