#!/usr/bin/env python3
"""Runs one exported model through `tandem run` and compares its output with ONNX Runtime's.

  compare_with_onnxruntime.py --tandem build/tools/tandem/tandem --models models resnet50

Passes when max|tandem - ort| / max|ort| <= --rtol (1e-4). On another device than the CPU
(--device HETERO:VNPU,CPU, VNPU, AUTO), which may compute in f16, it passes instead when the cosine
similarity of the two outputs is at least --min-cosine (0.999) and, for a classifier (one row of
scores), the top-1 class is the same or a near-tie; it prints the placement summary of `tandem
run`. With --expect-reshape (a model with dynamic dimensions on a static-only device) it also
checks that `tandem info -d DEVICE` refuses the model with the reshape error, and that `tandem run`
reshapes it to its input and says so. Exits 77 (CTest's skip code here) when the model was not
exported. With --reference onnx the expected output is <name>.ref.npy, from onnx.reference's
ReferenceEvaluator (scripts/make_quantized_models.py), instead of <name>.ort.npy.
Run with the repository's .venv/bin/python.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx

SKIP = 77
# Off the CPU, a classifier's top-1 may differ from ONNX Runtime's only for a class that ONNX
# Runtime scores below its own top-1 by at most this fraction of max|output|: a near-tie, which
# f16 rounding may turn either way (on its random input resnet50's classes 670 and 684 score 2.092
# and 2.059; ONNX Runtime itself, with every weight and activation rounded to f16, picks 684 as
# the VNPU does).
TOP1_NEAR_TIE = 2e-2
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def file_stem(name):
    """As tandem run names its output files (tools/tandem/cmd_run.cpp)."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", name) or "output"
    return "output" if stem in (".", "..") else stem


def ensure_reference(models, name):
    """Makes the input and ONNX Runtime output if only the model is there."""
    stem = os.path.join(models, name)
    if os.path.exists(stem + ".input.npy") and os.path.exists(stem + ".ort.npy"):
        return
    sys.path.insert(0, os.path.join(REPO, "scripts"))
    import make_reference_outputs
    make_reference_outputs.make_reference(stem + ".onnx", force=False)


def compare(actual, expected):
    """The figures a reader needs to judge a difference, and whether it is within tolerance."""
    a = actual.astype(np.float64)
    b = expected.astype(np.float64)
    max_abs_diff = float(np.max(np.abs(a - b))) if b.size else 0.0
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    return {
        "max_abs_diff": max_abs_diff,
        "max_abs_ort": scale,
        "relative": max_abs_diff / scale if scale > 0 else max_abs_diff,
        "mean_abs_diff": float(np.mean(np.abs(a - b))) if b.size else 0.0,
        "nan_mismatch": int(np.sum(np.isnan(a) != np.isnan(b))),
        "cosine": cosine(a, b),
    }


def cosine(a, b):
    """Cosine similarity of flattened outputs; 1 for two zero outputs, NaN for non-finite ones."""
    a, b = a.ravel(), b.ravel()
    norm_a, norm_b = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if norm_a == 0 or norm_b == 0:
        return 1.0 if norm_a == norm_b else 0.0
    return float(np.dot(a, b)) / (norm_a * norm_b)


def is_classifier(expected):
    """One row of class scores: [classes] or [1, classes]."""
    return expected.ndim in (1, 2) and expected.size == expected.shape[-1] and expected.size > 1


def check_reshape_error(args, model_path):
    """"" when `tandem info -d DEVICE` refuses the model with the reshape error, else why not."""
    command = [args.tandem, "info", model_path, "-d", args.device]
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode == 0 or "needs static shapes" not in result.stdout \
            or "reshape the model first" not in result.stdout:
        return (f"`{' '.join(command)}` should fail with the reshape error; it gave exit code "
                f"{result.returncode}:\n{result.stdout}")
    print(next(line for line in result.stdout.splitlines() if "needs static shapes" in line))
    return ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tandem", required=True, help="path to the tandem command")
    parser.add_argument("--models", default=os.path.join(REPO, "models"))
    parser.add_argument("--device", default="CPU",
                        help="the device to compile for; other than CPU, outputs compare by cosine")
    parser.add_argument("--rtol", type=float, default=1e-4,
                        help="tolerance on max|a-b| / max|b| on the CPU (default 1e-4)")
    parser.add_argument("--min-cosine", type=float, default=0.999,
                        help="least cosine similarity off the CPU (default 0.999)")
    parser.add_argument("--expect-reshape", action="store_true",
                        help="the model has dynamic dimensions: check the reshape error and note")
    parser.add_argument("--quiet", action="store_true", help="do not echo tandem's output")
    parser.add_argument("--reference", choices=["ort", "onnx"], default="ort",
                        help="expected output: ONNX Runtime's (<name>.ort.npy, made if absent) "
                             "or onnx.reference's (<name>.ref.npy)")
    parser.add_argument("name", help="model name: models/<name>.onnx")
    args = parser.parse_args()

    model_path = os.path.join(args.models, args.name + ".onnx")
    if not os.path.exists(model_path):
        print(f"SKIP: {model_path} is absent; run scripts/make_models to export it")
        return SKIP
    input_path = os.path.join(args.models, args.name + ".input.npy")
    if args.reference == "ort":
        ensure_reference(args.models, args.name)
    elif not os.path.exists(os.path.join(args.models, args.name + ".ref.npy")):
        print(f"SKIP: {args.name}.ref.npy is absent; run scripts/make_models to make it")
        return SKIP
    suffix, peer = (".ort.npy", "ort") if args.reference == "ort" else (".ref.npy", "reference")
    expected = np.load(os.path.join(args.models, args.name + suffix))

    model = onnx.load(model_path, load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}
    input_name = [i.name for i in model.graph.input if i.name not in initializers][0]
    output_name = model.graph.output[0].name

    if args.expect_reshape and (why := check_reshape_error(args, model_path)):
        print(f"FAIL: {args.name}: {why}")
        return 1

    with tempfile.TemporaryDirectory(prefix=f"tandem-{args.name}-") as out_dir:
        command = [args.tandem, "run", model_path, "-d", args.device,
                   "-i", f"{input_name}={input_path}", "-o", out_dir]
        if not args.quiet:
            print("$ " + " ".join(command), flush=True)
        start = time.time()
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        elapsed = time.time() - start
        if not args.quiet or result.returncode != 0:
            print(result.stdout, end="", flush=True)
        if result.returncode != 0:
            how = (f"killed by signal {-result.returncode}" if result.returncode < 0 else
                   f"exit code {result.returncode}")
            print(f"FAIL: {args.name}: tandem run failed ({how}) after {elapsed:.1f} s")
            return 1
        reshaped = f"for {args.device}, which needs static shapes" in result.stdout
        if args.expect_reshape and not reshaped:
            print(f"FAIL: {args.name}: tandem run did not say that it reshaped the model for "
                  f"{args.device}")
            return 1
        placement = [line for line in result.stdout.splitlines() if line.startswith("placement")]
        output_path = os.path.join(out_dir, file_stem(output_name) + ".npy")
        if not os.path.exists(output_path):
            print(f"FAIL: {args.name}: tandem wrote no {output_path}")
            return 1
        actual = np.load(output_path)

    if actual.shape != expected.shape or actual.dtype != expected.dtype:
        print(f"FAIL: {args.name}: output '{output_name}' is {actual.dtype}{list(actual.shape)}, "
              f"the expected ({peer}) is {expected.dtype}{list(expected.shape)}")
        return 1
    figures = compare(actual, expected)
    # The CPU computes in f32 and must match closely; another device may compute in f16, whose
    # rounding (about 5e-4 per operation) adds up over a deep network: there the output must point
    # the same way (cosine) and a classifier must pick the same class, but for a near-tie.
    on_cpu = args.device == "CPU"
    if on_cpu:
        ok = figures["nan_mismatch"] == 0 and figures["relative"] <= args.rtol
    else:
        ok = figures["nan_mismatch"] == 0 and figures["cosine"] >= args.min_cosine
    line = (f"{args.name}: output '{output_name}' {actual.dtype}{list(actual.shape)}: "
            f"max |tandem - {peer}| = {figures['max_abs_diff']:.3g}, max |{peer}| = "
            f"{figures['max_abs_ort']:.3g}, relative {figures['relative']:.3g}"
            f"{f' (tolerance {args.rtol:g})' if on_cpu else ''}, mean |diff| "
            f"{figures['mean_abs_diff']:.3g}, cosine {figures['cosine']:.7f}"
            f"{'' if on_cpu else f' (at least {args.min_cosine:g})'}")
    if figures["nan_mismatch"]:
        line += f", {figures['nan_mismatch']} NaN mismatches"
    if is_classifier(expected):
        top_tandem, top_ort = int(np.argmax(actual)), int(np.argmax(expected))
        line += f"; top-1 tandem {top_tandem}, {peer} {top_ort}"
        if not on_cpu and top_tandem != top_ort:
            scores = expected.ravel()
            tied = scores[top_ort] - scores[top_tandem] <= TOP1_NEAR_TIE * figures["max_abs_ort"]
            line += (f" ({peer} scores them {scores[top_tandem]:.4g} and {scores[top_ort]:.4g}: "
                     f"{'a near-tie, within' if tied else 'further apart than'} "
                     f"{TOP1_NEAR_TIE:g} of max |{peer}|)")
            ok = ok and tied
    if not on_cpu:
        print(f"placement on {args.device}: "
              f"{placement[0].removeprefix('placement').strip() if placement else 'none printed'}")
    print(f"{'PASS' if ok else 'FAIL'}: {line}; tandem run took {elapsed:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
