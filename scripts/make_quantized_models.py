#!/usr/bin/env python3
"""Builds small quantised MatMul models with the onnx helper API, and their expected outputs.

  models/quant_matmul_float8.onnx   opset 21: activations QuantizeLinear -> DequantizeLinear through
                                    float8 e4m3fn (a scalar scale, saturating), weights stored as
                                    float8 e4m3fn with a per-column DequantizeLinear (axis 1),
                                    MatMul, bias Add
  models/quant_matmul_int4.onnx     opset 21: weights stored as int4 with blocked DequantizeLinear
                                    (axis 0, block_size 32, int4 zero points), MatMul
each with <name>.input.npy (seeded) and <name>.ref.npy, the output of onnx.reference's
ReferenceEvaluator, which tests/models/compare_with_onnxruntime.py --reference onnx compares
tandem's with. How far ONNX Runtime's output is from it is printed as a check of the reference. Run with the repository's .venv/bin/python; files newer than this script are kept
unless --force.

  .venv/bin/python scripts/make_quantized_models.py [--models models] [--force] [NAME ...]
"""
import argparse
import os
import sys
import zlib

import ml_dtypes
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

OPSET = 21
IR_VERSION = 10  # the IR version that came with opset 21 (int4 types)
FLOAT8_MAX = 448.0  # largest finite float8 e4m3fn


def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode()))  # stable per model, across runs


def initializer(name, array):
    return numpy_helper.from_array(array, name)


def float8_matmul(name):
    """y = DQ(Q(x)) @ DQ(w8) + b, through float8 e4m3fn, at [2, 16, 64] x [64, 32]."""
    rng = rng_for(name)
    k, n = 64, 32
    w = rng.standard_normal((k, n)).astype(np.float32)
    w_scale = (np.abs(w).max(axis=0) / FLOAT8_MAX).astype(np.float32)  # per column
    w8 = (w / w_scale).astype(ml_dtypes.float8_e4m3fn)
    # Inputs are standard normal: values beyond 3 saturate to +-448 * x_scale.
    x_scale = np.array(3.0 / FLOAT8_MAX, dtype=np.float32)
    zero8 = np.array(0, dtype=np.float32).astype(ml_dtypes.float8_e4m3fn)
    bias = rng.standard_normal(n).astype(np.float32)
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "x_scale", "x_zero_point"], ["x_q"]),
        helper.make_node("DequantizeLinear", ["x_q", "x_scale", "x_zero_point"], ["x_dq"]),
        helper.make_node("DequantizeLinear", ["w_q", "w_scale"], ["w_dq"], axis=1),
        helper.make_node("MatMul", ["x_dq", "w_dq"], ["xw"]),
        helper.make_node("Add", ["xw", "bias"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 16, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 16, n])],
        [initializer("x_scale", x_scale), initializer("x_zero_point", zero8),
         initializer("w_q", w8), initializer("w_scale", w_scale), initializer("bias", bias)])
    x = rng.standard_normal((2, 16, k)).astype(np.float32)
    return graph, x


def int4_matmul(name):
    """y = x @ DQ(w4, blocked along K), at [4, 128] x [128, 48], blocks of 32."""
    rng = rng_for(name)
    k, n, block = 128, 48, 32
    w4 = rng.integers(-8, 8, size=(k, n)).astype(ml_dtypes.int4)
    scale = rng.uniform(0.01, 0.1, size=(k // block, n)).astype(np.float32)
    zero_point = rng.integers(-2, 3, size=(k // block, n)).astype(ml_dtypes.int4)
    nodes = [
        helper.make_node("DequantizeLinear", ["w_q", "w_scale", "w_zero_point"], ["w_dq"],
                         axis=0, block_size=block),
        helper.make_node("MatMul", ["x", "w_dq"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", n])],
        [initializer("w_q", w4), initializer("w_scale", scale),
         initializer("w_zero_point", zero_point)])
    x = rng.standard_normal((4, k)).astype(np.float32)
    return graph, x


MODELS = {"quant_matmul_float8": float8_matmul, "quant_matmul_int4": int4_matmul}


def onnxruntime_check(path, x, expected):
    """ONNX Runtime's verdict on the reference, without and with its graph optimisations (which
    fuse these patterns into its own quantised kernels): a line to print, never a failure."""
    import onnxruntime as ort
    verdicts = []
    for label, level in (("unoptimised", ort.GraphOptimizationLevel.ORT_DISABLE_ALL),
                         ("default", ort.GraphOptimizationLevel.ORT_ENABLE_ALL)):
        options = ort.SessionOptions()
        options.graph_optimization_level = level
        try:
            session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
            y = session.run(None, {"x": x})[0]
        except Exception as e:  # noqa: BLE001
            verdicts.append(f"{label}: fails ({' '.join(str(e).split())[-110:]})")
            continue
        scale = float(np.abs(expected).max()) or 1.0
        verdicts.append(f"{label}: {np.abs(y - expected).max() / scale:.3g}")
    return "max |ort - reference| / max |reference|, ONNX Runtime " + "; ".join(verdicts)


def make(models, name, force):
    stem = os.path.join(models, name)
    paths = [stem + ".onnx", stem + ".input.npy", stem + ".ref.npy"]
    if not force and all(os.path.exists(p) and os.path.getmtime(p) >= os.path.getmtime(__file__)
                         for p in paths):
        return
    graph, x = MODELS[name](name)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="tandem scripts/make_quantized_models.py")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    y = ReferenceEvaluator(model).run(None, {"x": x})[0]
    for path, write in ((paths[1], lambda p: np.save(p, x)), (paths[2], lambda p: np.save(p, y)),
                        (paths[0], lambda p: onnx.save(model, p))):
        write(path + ".tmp")
        os.replace(path + ".tmp" + (".npy" if path.endswith(".npy") else ""), path)
    print(f"make_quantized_models: {name}: input {x.dtype}{list(x.shape)} -> output "
          f"{y.dtype}{list(y.shape)}; {onnxruntime_check(paths[0], x, y)}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    parser.add_argument("--force", action="store_true")
    parser.add_argument("names", nargs="*", help="model names (default: all; others are ignored)")
    args = parser.parse_args()
    os.makedirs(args.models, exist_ok=True)
    names = [n for n in args.names if n in MODELS] if args.names else list(MODELS)
    for name in names:
        make(args.models, name, args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
