#!/usr/bin/env python3
"""tandem's GPU device against PyTorch on the same GPU, as issue 12 asks: ResNet-50 (batches 1
and 64) and BERT-base (sequence 128, batches 1 and 32) in FP16, median latency and throughput, for

  tandem           `tandem bench -d GPU -infer_precision f16 -b B -use_device_mem` on
                   models/<name>.onnx (its -json report: median latency). Inputs and outputs stay
                   in GPU memory, as the peers' tensors do; the "host I/O" column is the same run
                   with inputs and outputs in host memory, copies included.
  torch eager      model.half() on CUDA (CNNs channels-last, cuDNN), timed with CUDA events
  torch.compile    mode "max-autotune" (Inductor with CUDA graphs), timed the same way

The torch models are the same architectures as the ONNX files (scripts/export_models.py), with
their own random weights: timing does not depend on the values. Runs on the GPU machine, with the
tandem of the GPU bundle (scripts/gpu_check puts it on the PATH as TANDEM, or pass --tandem):

  python3 bench/compare_gpu.py [--tandem PATH] [--batches B ...] [--iterations 200] [MODEL ...]

Ratios are tandem's latency over the peer's (below 1: tandem faster) and tandem's throughput
over the peer's (above 1: tandem faster). A program that prints numbers, not a test.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import ROOT, run  # noqa: E402


def torch_model(name):
    import torch
    import torchvision
    import export_models  # the ONNX files' architectures
    if name == "resnet50":
        model = torchvision.models.resnet50(weights=None)
        example = lambda batch: torch.randn(batch, 3, 224, 224)
        return model, example, True
    if name == "bert_base":
        model = export_models.BertEncoder()
        example = lambda batch: torch.randint(0, 30522, (batch, 128), dtype=torch.int64)
        return model, example, False
    raise SystemExit(f"compare_gpu: no torch model for {name}")


def time_torch(fn, x, iterations):
    """Median milliseconds of fn(x) over `iterations`, after a warm-up, by CUDA events."""
    import torch
    with torch.inference_mode():
        for _ in range(10):
            fn(x)
        torch.cuda.synchronize()
        times = []
        for _ in range(iterations):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn(x)
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
    return statistics.median(times)


def torch_peers(name, batch, iterations, compile_mode):
    """Median ms of torch eager and of torch.compile (None where compile_mode is "none")."""
    import torch
    model, example, cnn = torch_model(name)
    model = model.eval().cuda().half()
    x = example(batch).cuda()
    if cnn:
        model = model.to(memory_format=torch.channels_last)
        x = x.half().to(memory_format=torch.channels_last)
    torch.backends.cudnn.benchmark = True
    eager = time_torch(model, x, iterations)
    if compile_mode == "none":
        return eager, None
    compiled = torch.compile(model, mode=compile_mode)
    return eager, time_torch(compiled, x, iterations)


# The batches: a large one for throughput, per model.
BATCHES = {"resnet50": [1, 64], "bert_base": [1, 32]}


def tandem_run(tandem, name, batch, iterations, device_memory):
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        run([tandem, "bench", os.path.join(ROOT, "models", name + ".onnx"), "-d", "GPU",
             "-infer_precision", "f16", "-b", str(batch), "-hint", "latency", "-api", "sync",
             "-niter", str(iterations), "-json", report] + (["-use_device_mem"] if device_memory else []),
            timeout=1200)
        with open(report) as f:
            data = json.load(f)
    return data["execution"]["latency"]["median"]["value"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=["resnet50", "bert_base"])
    parser.add_argument("--tandem", default=os.environ.get("TANDEM", "tandem"))
    parser.add_argument("--batches", nargs="*", type=int, help="default: 1 and 64 for ResNet-50, 1 and 32 for BERT")
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--compile-mode", default="max-autotune",
                        help='torch.compile mode; "none" leaves torch.compile out (its autotuning takes minutes)')
    args = parser.parse_args()
    import torch
    print(f"GPU: {torch.cuda.get_device_name(0)}; torch {torch.__version__}; FP16; "
          f"torch.compile mode {args.compile_mode}", flush=True)
    print(f"{'model':12s} {'batch':>5s} {'tandem ms':>10s} {'host I/O':>9s} {'eager ms':>9s} {'compile ms':>10s} "
          f"{'t/eager':>8s} {'t/compile':>9s} {'tandem/s':>9s} {'eager/s':>8s}")
    for name in args.models:
        for batch in args.batches or BATCHES.get(name, [1, 64]):
            ours = tandem_run(args.tandem, name, batch, args.iterations, device_memory=True)
            host_io = tandem_run(args.tandem, name, batch, args.iterations, device_memory=False)
            eager, compiled = torch_peers(name, batch, args.iterations, args.compile_mode)
            compiled_ms = f"{compiled:10.3f}" if compiled else f"{'-':>10s}"
            ratio = f"{ours / compiled:9.2f}" if compiled else f"{'-':>9s}"
            # Each row as soon as it is measured: a run cut short still leaves its rows.
            print(f"{name:12s} {batch:5d} {ours:10.3f} {host_io:9.3f} {eager:9.3f} {compiled_ms} "
                  f"{ours / eager:8.2f} {ratio} {batch * 1e3 / ours:9.0f} {batch * 1e3 / eager:8.0f}",
                  flush=True)


if __name__ == "__main__":
    main()
