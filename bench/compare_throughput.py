#!/usr/bin/env python3
"""Images/s and median latency of tandem, ONNX Runtime and OpenVINO on the same model files, in
one run, one measurement after another (never two at once):

  tandem     `tandem bench -hint latency` and `-hint throughput` (its -json report)
  onnxruntime  one session of 2 threads, run back to back (latency); two sessions of 1 thread
             each, in two processes running at once for the same time (throughput)
  openvino   `benchmark_app -hint latency` and `-hint throughput` (its JSON statistics)

  .venv/bin/python bench/compare_throughput.py [--time 10] [models/mobilenet_v2.onnx ...]

A program that prints numbers, not a test. Inputs are random, batch 1, f32 everywhere (OpenVINO
runs with -infer_precision f32 unless --ov-precision says otherwise: on CPUs with AVX-512 BF16 or
AMX it would pick bf16 by itself). Ratios are the peer's over tandem's, for the same intent
(latency beside tandem's LATENCY, throughput beside its THROUGHPUT).
"""
import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile

from common import ROOT, ort_inputs, ort_loop, ort_session, run

DEFAULT_MODELS = ["models/mobilenet_v2.onnx", "models/resnet50.onnx"]


class Result:
    def __init__(self, runner, mode, ips, median_ms, note=""):
        self.runner, self.mode, self.ips, self.median_ms, self.note = (
            runner, mode, ips, median_ms, note)


# ---- tandem ---------------------------------------------------------------------------------------

def tandem(binary, model, hint, seconds, tmp):
    path = os.path.join(tmp, f"tandem_{hint}.json")
    run([binary, "bench", model, "-hint", hint, "-t", f"{seconds:g}", "-json", path],
        timeout=seconds * 10 + 300)
    with open(path) as f:
        ex = json.load(f)["execution"]
    cfg_note = f"{ex['iterations']['value']:.0f} it, CPU {ex['cpu_utilisation']['value']:.0f}%"
    return ex["throughput"]["value"], ex["latency"]["median"]["value"], cfg_note


# ---- ONNX Runtime ---------------------------------------------------------------------------------

def ort_worker(model, seconds, barrier, seed, queue):
    session = ort_session(model, threads=1)
    queue.put(ort_loop(session, ort_inputs(session, seed), seconds, barrier))


def onnxruntime_latency(model, seconds):
    session = ort_session(model, threads=2)
    latencies, elapsed = ort_loop(session, ort_inputs(session, 1), seconds)
    return len(latencies) / elapsed, statistics.median(latencies), f"{len(latencies)} it"


def onnxruntime_throughput(model, seconds, sessions=2):
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    # All start together, once each has loaded its session and run it once.
    barrier = ctx.Barrier(sessions)
    workers = [ctx.Process(target=ort_worker, args=(model, seconds, barrier, 1 + i, queue))
               for i in range(sessions)]
    for w in workers:
        w.start()
    results = [queue.get(timeout=seconds * 10 + 600) for _ in workers]
    for w in workers:
        w.join()
    ips = sum(len(latencies) / elapsed for latencies, elapsed in results)
    count = sum(len(latencies) for latencies, _ in results)
    every = [x for latencies, _ in results for x in latencies]
    return ips, statistics.median(every), f"{count} it"


# ---- OpenVINO -------------------------------------------------------------------------------------

def openvino(benchmark_app, model, hint, seconds, precision, tmp):
    folder = os.path.join(tmp, f"ov_{hint}")
    os.makedirs(folder, exist_ok=True)
    cmd = [benchmark_app, "-m", model, "-d", "CPU", "-hint", hint,
           "-t", str(max(1, round(seconds))), "-report_type", "no_counters", "-report_folder", folder, "-json_stats"]
    if precision != "default":
        cmd += ["-infer_precision", precision]
    run(cmd, timeout=seconds * 10 + 300)
    with open(os.path.join(folder, "benchmark_report.json")) as f:
        report = json.load(f)
    ex, cfg = report["execution_results"], report["configuration_setup"]
    note = f"{ex['total number of iterations']} it, {cfg['number of parallel infer requests']} req"
    return float(ex["throughput"]), float(ex["latency (ms)"]), note


# ---- The table ------------------------------------------------------------------------------------

def ratio(a, b):
    return f"{a / b:6.2f}x" if a and b else "     -"


def print_table(model, results):
    by = {(r.runner, r.mode): r for r in results}
    print(f"\n{os.path.basename(model)}")
    print(f"  {'runner':<12} {'mode':<26} {'images/s':>9} {'median ms':>10}"
          f" {'images/s vs tandem':>19} {'latency vs tandem':>18}  notes")
    for r in results:
        intent = "throughput" if r.mode.startswith(("THROUGHPUT", "2 ", "-hint throughput")) \
            else "latency"
        base = by.get(("tandem", "THROUGHPUT" if intent == "throughput" else "LATENCY"))
        ips = f"{r.ips:9.2f}" if r.ips is not None else "   failed"
        med = f"{r.median_ms:10.2f}" if r.median_ms is not None else "         -"
        vs_ips = ratio(r.ips, base.ips) if base and base.ips else "     -"
        vs_lat = ratio(r.median_ms, base.median_ms) if base and base.median_ms else "     -"
        print(f"  {r.runner:<12} {r.mode:<26} {ips} {med} {vs_ips:>19} {vs_lat:>18}  {r.note}")
    lat, tput = by.get(("tandem", "LATENCY")), by.get(("tandem", "THROUGHPUT"))
    ort2 = by.get(("onnxruntime", "2 sessions x 1 thread"))
    if lat and tput and lat.ips and tput.ips:
        print(f"  tandem THROUGHPUT / LATENCY images/s: {tput.ips / lat.ips:.2f} (issue 10 asks >= 1.15)")
    if tput and ort2 and tput.ips and ort2.ips:
        print(f"  tandem THROUGHPUT / onnxruntime 2 x 1 thread images/s: {tput.ips / ort2.ips:.2f} "
              f"(issue 10 asks >= 1.00)")


def measure(label, fn, *args):
    print(f"  measuring {label} ...", flush=True)
    try:
        return fn(*args)
    except Exception as e:  # one failing runner must not hide the others' numbers
        print(f"    failed: {str(e).splitlines()[0]}")
        return None, None, "failed"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=DEFAULT_MODELS)
    parser.add_argument("--time", type=float, default=10,
                        help="seconds per measurement (whole seconds for benchmark_app)")
    parser.add_argument("--tandem", default=os.path.join(ROOT, "build/tools/tandem/tandem"))
    parser.add_argument("--benchmark-app", default=os.path.join(ROOT, ".venv/bin/benchmark_app"))
    parser.add_argument("--ov-precision", default="f32",
                        help="OpenVINO's -infer_precision; 'default' lets it choose")
    args = parser.parse_args()

    print(f"{os.cpu_count()} CPUs; {args.time:g} s per measurement; batch 1, f32 "
          f"(OpenVINO: {args.ov_precision})")
    with tempfile.TemporaryDirectory() as tmp:
        for model in args.models:
            if not os.path.exists(model):
                print(f"\n{model}: not found (scripts/make_models exports it); skipped")
                continue
            print(f"\n{model}")
            results = []
            for hint in ("latency", "throughput"):
                ips, med, note = measure(f"tandem -hint {hint}", tandem, args.tandem, model, hint,
                                         args.time, tmp)
                results.append(Result("tandem", hint.upper(), ips, med, note))
            ips, med, note = measure("onnxruntime 1 x 2 threads", onnxruntime_latency, model,
                                     args.time)
            results.append(Result("onnxruntime", "1 session x 2 threads", ips, med, note))
            ips, med, note = measure("onnxruntime 2 x 1 thread", onnxruntime_throughput, model,
                                     args.time)
            results.append(Result("onnxruntime", "2 sessions x 1 thread", ips, med, note))
            for hint in ("latency", "throughput"):
                ips, med, note = measure(f"openvino -hint {hint}", openvino, args.benchmark_app,
                                         model, hint, args.time, args.ov_precision, tmp)
                results.append(Result("openvino", f"-hint {hint}", ips, med, note))
            print_table(model, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
