#!/usr/bin/env python3
"""Writes, for each models/<name>.onnx, a seeded random input and ONNX Runtime's output for it.

  models/<name>.input.npy   the model's one input (dynamic dimensions at the sizes below)
  models/<name>.ort.npy     its first output, from onnxruntime's CPUExecutionProvider

Run with the repository's .venv/bin/python (onnx, onnxruntime, numpy). Files newer than their
model are kept unless --force.
"""
import argparse
import glob
import os
import re
import sys
import time
import zlib

import numpy as np
import onnx
import onnxruntime as ort

# Sizes for named dynamic dimensions: a batch of 2 checks that the batch is really dynamic, odd
# sizes elsewhere check that nothing assumes the export's example shape.
DYNAMIC_DIMS = {"batch": 2, "time": 5, "height": 40, "width": 24}
DEFAULT_DYNAMIC_DIM = 1
# Integer inputs are token ids: draw them from the vocabulary.
INT_RANGES = {"bert_base": (0, 30522)}
DEFAULT_INT_RANGE = (0, 100)

NUMPY_TYPES = {
    onnx.TensorProto.FLOAT: np.float32, onnx.TensorProto.DOUBLE: np.float64,
    onnx.TensorProto.FLOAT16: np.float16, onnx.TensorProto.INT64: np.int64,
    onnx.TensorProto.INT32: np.int32, onnx.TensorProto.INT8: np.int8,
    onnx.TensorProto.UINT8: np.uint8, onnx.TensorProto.BOOL: np.bool_,
}


def model_inputs(model):
    initializers = {t.name for t in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in initializers]


def make_input(name, value_info):
    tensor_type = value_info.type.tensor_type
    shape = []
    for d in tensor_type.shape.dim:
        if d.HasField("dim_value"):
            shape.append(d.dim_value)
        else:
            shape.append(DYNAMIC_DIMS.get(d.dim_param, DEFAULT_DYNAMIC_DIM))
    dtype = NUMPY_TYPES.get(tensor_type.elem_type)
    if dtype is None:
        raise SystemExit(f"{name}: input '{value_info.name}' has element type "
                         f"{tensor_type.elem_type}, which this script cannot generate")
    rng = np.random.default_rng(zlib.crc32(name.encode()))  # stable per model, across runs
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if np.issubdtype(dtype, np.integer):
        # A model converted to another opset (make_converted_models.py) shares its source's range.
        low, high = INT_RANGES.get(re.sub(r"_op2\d$", "", name), DEFAULT_INT_RANGE)
        return rng.integers(low, high, size=shape).astype(dtype)
    return rng.standard_normal(size=shape).astype(dtype)


def is_fresh(path, model_path):
    return os.path.exists(path) and os.path.getmtime(path) >= os.path.getmtime(model_path)


def make_reference(model_path, force):
    name = os.path.basename(model_path)[: -len(".onnx")]
    stem = model_path[: -len(".onnx")]
    input_path, output_path = stem + ".input.npy", stem + ".ort.npy"
    if not force and is_fresh(input_path, model_path) and is_fresh(output_path, model_path):
        return
    start = time.time()
    model = onnx.load(model_path, load_external_data=False)
    inputs = model_inputs(model)
    if len(inputs) != 1:
        print(f"make_reference_outputs: {name}: skipped, it has {len(inputs)} inputs",
              file=sys.stderr)
        return
    x = make_input(name, inputs[0])
    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, os.cpu_count() or 1)
    session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    y = session.run(None, {inputs[0].name: x})[0]
    np.save(input_path + ".tmp.npy", x)
    np.save(output_path + ".tmp.npy", y)
    os.replace(input_path + ".tmp.npy", input_path)  # never a half-written pair
    os.replace(output_path + ".tmp.npy", output_path)
    print(f"make_reference_outputs: {name}: input {x.dtype}{list(x.shape)} → output "
          f"{y.dtype}{list(y.shape)} ({time.time() - start:.1f} s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    parser.add_argument("--force", action="store_true")
    parser.add_argument("names", nargs="*", help="model names (default: every models/*.onnx)")
    args = parser.parse_args()
    paths = ([os.path.join(args.models, n + ".onnx") for n in args.names] if args.names else
             sorted(glob.glob(os.path.join(args.models, "*.onnx"))))
    # Models whose expected output comes from onnx.reference (make_quantized_models.py) instead.
    paths = [p for p in paths if not os.path.exists(p[: -len(".onnx")] + ".ref.npy")]
    for path in paths:
        make_reference(path, args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
