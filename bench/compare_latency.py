#!/usr/bin/env python3
"""Median latency, read + compile time and peak memory of tandem, ONNX Runtime and OpenVINO on the
same models and inputs, batch 1, 2 threads, one process after another (never two at once):

  tandem       `tandem bench -hint latency -nthreads 2 -infer_precision P` (its -json report:
               latency median, read_model + compile_model)
  onnxruntime  one session of 2 intra-op threads, graph optimisation all, run back to back in a
               child process (session creation is its read + compile)
  openvino     `benchmark_app -hint latency` with INFERENCE_NUM_THREADS 2 and -infer_precision P
               (its JSON statistics: median latency, read model + compile model)

  .venv/bin/python bench/compare_latency.py [-t 10] [--rounds 1] [--precision f32|bf16] [MODEL ...]

Peak memory is each child process's own peak resident set (wait4). ONNX Runtime and
benchmark_app run inside Python, so theirs include the interpreter; the header prints what a bare
interpreter with numpy takes for scale. Inputs: models/<name>.input.npy where the model tests
have one, else random (seed 1); the same files go to all three.

With --precision bf16 tandem and OpenVINO compute in bf16 and ONNX Runtime stays f32 (it has no
such hint): the ratios are then the issue's "bf16 against ONNX Runtime fp32", and a last column
gives the cosine similarity of tandem's bf16 outputs to its f32 outputs (`tandem run` of each).
Ratios are tandem's over the peer's: below 1 means tandem is faster or smaller. A program that
prints numbers, not a test.
"""
import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time

import numpy as np

from common import ROOT, ort_loop, ort_session, run, run_measured

DEFAULT_MODELS = ["squeezenet1_1", "mobilenet_v2", "efficientnet_b0", "resnet50", "bert_base",
                  "vit_b_16"]
THREADS = 2
NUMPY_TYPES = {1: np.float32, 6: np.int32, 7: np.int64}  # ONNX TensorProto element types
OV_TYPES = {np.float32: "f32", np.int32: "i32", np.int64: "i64"}


class Measurement:
    def __init__(self, median_ms=None, compile_ms=None, peak_mib=None, error=None):
        self.median_ms, self.compile_ms, self.peak_mib, self.error = (
            median_ms, compile_ms, peak_mib, error)


class Input:
    def __init__(self, name, path, dtype):
        self.name, self.path, self.dtype = name, path, dtype


def model_path(name):
    return name if name.endswith(".onnx") else os.path.join(ROOT, "models", name + ".onnx")


def model_inputs(model, tmp):
    """The model's graph inputs as .npy files: the model tests' input where there is one."""
    import onnx
    graph = onnx.load(model, load_external_data=False).graph
    constants = {i.name for i in graph.initializer}
    ports = [i for i in graph.input if i.name not in constants]
    stem = os.path.splitext(model)[0]
    rng = np.random.default_rng(1)
    inputs = []
    for port in ports:
        elem = port.type.tensor_type.elem_type
        if elem not in NUMPY_TYPES:
            raise RuntimeError(f"{model}: input {port.name} has ONNX element type {elem}, "
                               "which this script does not fill")
        dtype = NUMPY_TYPES[elem]
        if len(ports) == 1 and os.path.exists(stem + ".input.npy"):
            array = np.load(stem + ".input.npy")
        else:
            shape = [d.dim_value if d.dim_value > 0 else 1 for d in port.type.tensor_type.shape.dim]
            array = rng.uniform(-1, 1, shape) if dtype == np.float32 else rng.integers(0, 10, shape)
        path = os.path.join(tmp, f"{os.path.basename(stem)}.{len(inputs)}.npy")
        np.save(path, array.astype(dtype))
        inputs.append(Input(port.name, path, dtype))
    return inputs


# ---- tandem ---------------------------------------------------------------------------------------

def tandem_bench(binary, model, inputs, precision, seconds, tmp):
    report_path = os.path.join(tmp, "tandem.json")
    cmd = [binary, "bench", model, "-hint", "latency", "-nthreads", str(THREADS),
           "-t", f"{seconds:g}", "-infer_precision", precision, "-json", report_path]
    for i in inputs:
        cmd += ["-i", f"{i.name}={i.path}"]
    _, peak = run_measured(cmd, timeout=seconds * 10 + 300)
    with open(report_path) as f:
        report = json.load(f)
    timings = report["timings"]
    return Measurement(report["execution"]["latency"]["median"]["value"],
                       timings["read_model"]["value"] + timings["compile_model"]["value"], peak)


def tandem_outputs(binary, model, inputs, precision, tmp):
    """Every output of one `tandem run`, by file name."""
    folder = os.path.join(tmp, f"outputs_{precision}")
    os.makedirs(folder, exist_ok=True)
    cmd = [binary, "run", model, "-o", folder, "-p", f"INFERENCE_PRECISION_HINT={precision}",
           "-p", f"INFERENCE_NUM_THREADS={THREADS}"]
    for i in inputs:
        cmd += ["-i", f"{i.name}={i.path}"]
    run(cmd, timeout=600)
    return {name: np.load(os.path.join(folder, name)) for name in sorted(os.listdir(folder))
            if name.endswith(".npy")}


def cosine(a, b):
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def bf16_cosine(binary, model, inputs, tmp):
    """The lowest cosine similarity, over the outputs, of tandem's bf16 results to its f32 ones."""
    reduced = tandem_outputs(binary, model, inputs, "bf16", tmp)
    exact = tandem_outputs(binary, model, inputs, "f32", tmp)
    return min(cosine(reduced[name], exact[name]) for name in exact)


# ---- ONNX Runtime, in a child process of its own ------------------------------------------------

def ort_child(model, input_paths, seconds):
    """The child's side: prints session creation ms and the latencies as JSON."""
    start = time.perf_counter()
    session = ort_session(model, threads=THREADS)
    create_ms = (time.perf_counter() - start) * 1e3
    feeds = {name: np.load(path) for name, path in input_paths.items()}
    latencies, _ = ort_loop(session, feeds, seconds)
    print(json.dumps({"create_ms": create_ms, "median_ms": statistics.median(latencies)}))


def onnxruntime(model, inputs, seconds):
    spec = json.dumps({"model": model, "inputs": {i.name: i.path for i in inputs},
                       "seconds": seconds})
    output, peak = run_measured([sys.executable, os.path.abspath(__file__), "--ort-child", spec],
                                timeout=seconds * 10 + 300)
    result = json.loads(output.strip().splitlines()[-1])
    return Measurement(result["median_ms"], result["create_ms"], peak)


# ---- OpenVINO -------------------------------------------------------------------------------------

def openvino(benchmark_app, model, inputs, precision, seconds, tmp):
    folder = os.path.join(tmp, "openvino")
    os.makedirs(folder, exist_ok=True)
    # benchmark_app refuses -nthreads beside -hint; a config file sets the threads and keeps the
    # hint.
    config = os.path.join(folder, "config.json")
    with open(config, "w") as f:
        json.dump({"CPU": {"INFERENCE_NUM_THREADS": str(THREADS)}}, f)
    cmd = [benchmark_app, "-m", model, "-d", "CPU", "-hint", "latency", "-load_config", config,
           "-infer_precision", precision, "-t", str(max(1, round(seconds))),
           "-report_type", "no_counters", "-report_folder", folder, "-json_stats"]
    # Typed per input, or benchmark_app takes an image-like f32 input for u8.
    cmd += ["-i"] + [f"{i.name}:{i.path}" for i in inputs]
    cmd += ["-iop", ",".join(f"{i.name}:{OV_TYPES[i.dtype]}" for i in inputs)]
    _, peak = run_measured(cmd, timeout=seconds * 10 + 300)
    with open(os.path.join(folder, "benchmark_report.json")) as f:
        ex = json.load(f)["execution_results"]
    if "error" in ex:
        raise RuntimeError(f"benchmark_app: {ex['error']}")
    return Measurement(float(ex["latency (ms)"]),
                       float(ex["read model time (ms)"]) + float(ex["compile model time (ms)"]),
                       peak)


# ---- The table ------------------------------------------------------------------------------------

def measure(label, fn, *args):
    print(f"  measuring {label} ...", flush=True)
    try:
        return fn(*args)
    except Exception as e:  # one failing runner must not hide the others' numbers
        print(f"    failed: {str(e).splitlines()[0]}")
        return Measurement(error=str(e).splitlines()[0])


def best(kept, new):
    """Across rounds: the least disturbed latency and compile time, the highest peak memory."""
    if kept is None or kept.error:
        return new
    if new.error:
        return kept
    return Measurement(min(kept.median_ms, new.median_ms), min(kept.compile_ms, new.compile_ms),
                       max(kept.peak_mib, new.peak_mib))


def ratio(a, b):
    return a / b if a and b else None


def fmt(value, spec, width):
    return f"{value:{width}{spec}}" if value is not None else f"{'-':>{width}}"


def geomean(values):
    values = [v for v in values if v]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def print_table(rows, precision):
    peer = "ORT f32" if precision == "bf16" else "ORT"
    head = (f"{'model':<16} {'tandem ms':>9} {'ORT ms':>8} {'OV ms':>8} {'t/ORT':>6} {'t/OV':>6}"
            f" | {'compile ms: tandem':>18} {'ORT':>7} {'OV':>7} | {'peak MiB: tandem':>16}"
            f" {'ORT':>6} {'OV':>6}")
    if precision == "bf16":
        head += f" | {'cos bf16/f32':>12}"
    print(f"\nprecision {precision}: tandem {precision}, {peer}, OV {precision}; "
          f"t/ORT and t/OV are tandem's median latency over the peer's")
    print(head)
    print("-" * len(head))
    for name, m, cos in rows:
        t, o, v = m["tandem"], m["onnxruntime"], m["openvino"]
        line = (f"{name:<16} {fmt(t.median_ms, '.2f', 9)} {fmt(o.median_ms, '.2f', 8)}"
                f" {fmt(v.median_ms, '.2f', 8)} {fmt(ratio(t.median_ms, o.median_ms), '.2f', 6)}"
                f" {fmt(ratio(t.median_ms, v.median_ms), '.2f', 6)}"
                f" | {fmt(t.compile_ms, '.0f', 18)} {fmt(o.compile_ms, '.0f', 7)}"
                f" {fmt(v.compile_ms, '.0f', 7)} | {fmt(t.peak_mib, '.0f', 16)}"
                f" {fmt(o.peak_mib, '.0f', 6)} {fmt(v.peak_mib, '.0f', 6)}")
        if precision == "bf16":
            line += f" | {fmt(cos, '.5f', 12)}"
        print(line)
    print("-" * len(head))

    def ratios(runner, field):
        return [ratio(getattr(m["tandem"], field), getattr(m[runner], field)) for _, m, _ in rows]

    lat_ort, lat_ov = ratios("onnxruntime", "median_ms"), ratios("openvino", "median_ms")
    print(f"{'geometric mean':<16} {'':>9} {'':>8} {'':>8} {fmt(geomean(lat_ort), '.2f', 6)}"
          f" {fmt(geomean(lat_ov), '.2f', 6)}")
    print_targets(rows, precision, lat_ort, lat_ov)


def print_targets(rows, precision, lat_ort, lat_ov):
    """Issue 9's bars, each with the models that miss it."""
    names = [name for name, _, _ in rows]

    def over(values, bar):
        return [n for n, v in zip(names, values) if v is None or v > bar]

    def line(what, missed):
        print(f"  {what}: {'met' if not missed else 'missed by ' + ', '.join(missed)}")

    print("issue 9 asks:")
    if precision == "f32":
        g = geomean(lat_ort)
        print(f"  tandem/ORT geometric mean <= 1.00: {'met' if g and g <= 1 else 'missed'}"
              f" ({fmt(g, '.2f', 0)})")
        line("tandem/ORT <= 1.10 per model", over(lat_ort, 1.10))
    else:
        line("tandem bf16 >= 1.5x faster than ORT f32 (t/ORT <= 0.667)", over(lat_ort, 1 / 1.5))
        line("tandem bf16 no slower than OV bf16 (t/OV <= 1.00)", over(lat_ov, 1.0))
        cos_bar = {name: 0.99 if name.startswith("bert") else 0.999 for name in names}
        line("cosine bf16/f32 >= 0.999 (CNNs), >= 0.99 (BERT)",
             [n for n, _, c in rows if c is None or c < cos_bar[n]])
    line("read + compile <= ORT session creation",
         over([ratio(m["tandem"].compile_ms, m["onnxruntime"].compile_ms) for _, m, _ in rows], 1))
    line("peak memory <= ORT's and OV's",
         over([ratio(m["tandem"].peak_mib, min(filter(None, [m["onnxruntime"].peak_mib,
                                                             m["openvino"].peak_mib]), default=0))
               for _, m, _ in rows], 1))
    failures = [(n, r, m[r].error) for n, m, _ in rows for r in m if m[r].error]
    for n, r, e in failures:
        print(f"  {n}: {r} failed: {e}")


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


def print_header(args):
    import onnxruntime
    import openvino
    _, python_mib = run_measured([sys.executable, "-c", "import numpy"], timeout=60)
    print(f"{cpu_name()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
          f"{THREADS} threads, batch 1, {args.time:g} s per measurement, best of {args.rounds}")
    print(f"onnxruntime {onnxruntime.__version__}, openvino {openvino.__version__}; "
          f"a bare Python with numpy peaks at {python_mib:.0f} MiB")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--ort-child":
        spec = json.loads(sys.argv[2])
        ort_child(spec["model"], spec["inputs"], spec["seconds"])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=DEFAULT_MODELS,
                        help="names in models/ or .onnx paths (default: the six model-test models)")
    parser.add_argument("-t", "--time", type=float, default=10,
                        help="seconds per measurement (whole seconds for benchmark_app)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure each runner this many times, in turns, and keep the lowest "
                             "latency and compile time (for machines others are using too)")
    parser.add_argument("--precision", choices=["f32", "bf16"], default="f32",
                        help="tandem's and OpenVINO's INFERENCE_PRECISION_HINT")
    parser.add_argument("--tandem", default=os.path.join(ROOT, "build/tools/tandem/tandem"))
    parser.add_argument("--benchmark-app", default=os.path.join(ROOT, ".venv/bin/benchmark_app"))
    args = parser.parse_args()

    print_header(args)
    rows = []
    for name in args.models:
        model = model_path(name)
        label = os.path.splitext(os.path.basename(model))[0]
        if not os.path.exists(model):
            print(f"\n{model}: not found (scripts/make_models exports it); skipped")
            continue
        print(f"\n{label}", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            inputs = model_inputs(model, tmp)
            m = {}
            for _ in range(args.rounds):
                for runner, got in (
                        ("tandem", measure(f"tandem {args.precision}", tandem_bench, args.tandem,
                                           model, inputs, args.precision, args.time, tmp)),
                        ("onnxruntime", measure("onnxruntime f32", onnxruntime, model, inputs,
                                                args.time)),
                        ("openvino", measure(f"openvino {args.precision}", openvino,
                                             args.benchmark_app, model, inputs, args.precision,
                                             args.time, tmp))):
                    m[runner] = best(m.get(runner), got)
            cos = None
            if args.precision == "bf16":
                print("  comparing tandem's bf16 outputs with its f32 ones ...", flush=True)
                try:
                    cos = bf16_cosine(args.tandem, model, inputs, tmp)
                except Exception as e:
                    print(f"    failed: {str(e).splitlines()[0]}")
        rows.append((label, m, cos))
    if rows:
        print_table(rows, args.precision)
    # tandem's kernels run OpenMP teams, whose barriers wait for descheduled threads: on a machine
    # others load too, its 2-thread latencies suffer more than the work-stealing peers'.
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
