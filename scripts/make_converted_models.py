#!/usr/bin/env python3
"""Writes the model tests' models at newer opsets, converted with onnx.version_converter.

For each exported model models/<name>.onnx (scripts/export_models.py):
  models/<name>_op21.onnx        converted to opset 21
  models/<name>_op<N>.onnx       converted to the newest opset of NEWEST_OPSETS that the converter
                                 reaches and ONNX Runtime runs (25 with onnxruntime 1.30, which
                                 stops at opset 26; the converter itself reaches 28)
each with its input and ONNX Runtime's output (make_reference_outputs.py: <stem>.input.npy,
<stem>.ort.npy). The IR version is raised to the one that came with the opset, as an exporter at
that opset would write. A conversion that fails, or that ONNX Runtime cannot run, is skipped with
its reason printed. Run with the repository's .venv/bin/python; models already converted (newer
than their source) are kept unless --force.

  .venv/bin/python scripts/make_converted_models.py [--models models] [--force] [NAME ...]
"""
import argparse
import glob
import os
import re
import sys
import time

import onnx
from onnx import helper, version_converter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_reference_outputs  # noqa: E402

FIXED_OPSETS = (21,)
# Tried newest first; the first that converts and runs in ONNX Runtime is written. Keep
# tests/models/CMakeLists.txt (converted_opsets) in step with what this writes.
NEWEST_OPSETS = (28, 25, 23, 22)
CONVERTED = re.compile(r"_op2\d$")  # names this script writes (the exports stop at opset 13)


def log(message):
    print(f"make_converted_models: {message}", flush=True)


def converted_path(source, opset):
    return f"{source[:-len('.onnx')]}_op{opset}.onnx"


def convert(model, opset):
    """The model at `opset`, checked, with the IR version that opset came with."""
    converted = version_converter.convert_version(model, opset)
    ai_onnx = [o for o in converted.opset_import if o.domain in ("", "ai.onnx")]
    converted.ir_version = max(converted.ir_version, helper.find_min_ir_version_for(ai_onnx))
    onnx.checker.check_model(converted)
    return converted


def is_current(source, opset):
    path = converted_path(source, opset)
    return os.path.exists(path) and os.path.getmtime(path) >= os.path.getmtime(source)


def write_one(load, source, opset):
    """Converts, saves and makes the ONNX Runtime reference; "" on success, else why not."""
    path = converted_path(source, opset)
    try:
        converted = convert(load(), opset)
    except Exception as e:  # noqa: BLE001: the converter raises anything
        return "onnx.version_converter: " + " ".join(str(e).split())[:300]
    temporary = path + ".tmp.onnx"
    onnx.save(converted, temporary)
    try:
        import onnxruntime as ort
        ort.InferenceSession(temporary, providers=["CPUExecutionProvider"])
    except Exception as e:  # noqa: BLE001
        os.remove(temporary)
        why = " ".join(str(e).split())
        why = re.sub(r"ONNX Runtime only \*guarantees\*.*?(Current official support)", r"\1", why)
        why = re.sub(r"^.*?failed:|/onnxruntime_src/\S+:\d+ .*?\) ", "", why)
        return "ONNX Runtime cannot load it: " + why[:300]
    os.replace(temporary, path)
    try:
        make_reference_outputs.make_reference(path, force=True)
    except (Exception, SystemExit) as e:  # noqa: BLE001
        os.remove(path)
        return "ONNX Runtime cannot run it: " + " ".join(str(e).split())[:300]
    return ""


def remove_stale(source, keep):
    """Removes conversions of `source` at NEWEST_OPSETS other than `keep` (from older runs)."""
    for opset in NEWEST_OPSETS:
        if opset == keep:
            continue
        stem = converted_path(source, opset)[: -len(".onnx")]
        for suffix in (".onnx", ".input.npy", ".ort.npy"):
            if os.path.exists(stem + suffix):
                os.remove(stem + suffix)


def convert_model(source, force):
    name = os.path.basename(source)[: -len(".onnx")]
    start = time.time()
    model = []

    def load():
        if not model:
            model.append(onnx.load(source))
        return model[0]

    written, skipped = [], []
    for opset in FIXED_OPSETS:
        why = "" if not force and is_current(source, opset) else write_one(load, source, opset)
        if why:
            skipped.append(f"opset {opset}: {why}")
        else:
            written.append(opset)
    # A current conversion at one of NEWEST_OPSETS stands (--force tries newer ones again).
    current = [o for o in NEWEST_OPSETS if not force and is_current(source, o)]
    for opset in current[:1] or NEWEST_OPSETS:
        why = "" if current else write_one(load, source, opset)
        if not why:
            written.append(opset)
            remove_stale(source, opset)
            break
        skipped.append(f"opset {opset}: {why}")
    for opset in written:  # a no-op when the reference is current
        make_reference_outputs.make_reference(converted_path(source, opset), force=False)
    for line in skipped:
        log(f"{name}: skipped {line}")
    if model or force:
        log(f"{name}: opsets {', '.join(map(str, written)) or 'none'} "
            f"({time.time() - start:.1f} s)")
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    parser.add_argument("--force", action="store_true")
    parser.add_argument("names", nargs="*", help="model names (default: every exported model)")
    args = parser.parse_args()
    if args.names:
        sources = [os.path.join(args.models, n + ".onnx") for n in args.names]
        sources = [s for s in sources if os.path.exists(s)]
    else:
        sources = sorted(glob.glob(os.path.join(args.models, "*.onnx")))
    # Only exported models: not conversions, nor the quantised models (make_quantized_models.py,
    # whose expected output is onnx.reference's <name>.ref.npy), nor a half-written file.
    sources = [p for p in sources
               if not CONVERTED.search(os.path.basename(p)[: -len(".onnx")])
               and not os.path.exists(p[: -len(".onnx")] + ".ref.npy")
               and not p.endswith(".tmp.onnx")]
    for source in sources:
        convert_model(source, args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
