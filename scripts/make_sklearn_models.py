#!/usr/bin/env python3
"""Trains small scikit-learn models on fixed synthetic data, converts them with skl2onnx, and
writes each with its inputs and ONNX Runtime's outputs in the layout of the ONNX node tests:

  models/sklearn/<name>/model.onnx
  models/sklearn/<name>/test_data_set_0/input_K.pb    (TensorProto, or MapProto for a dict input)
  models/sklearn/<name>/test_data_set_0/output_K.pb   (ONNX Runtime's: labels, probabilities, the
                                                      sequence of maps a ZipMap writes)

Every output is kept, so the test (tests/models/CMakeLists.txt, through tandem_conformance)
checks labels exactly and probabilities within 1e-5. Models already there are kept unless
--force; names limit the set. Run with the repository's .venv/bin/python:

  .venv/bin/python scripts/make_sklearn_models.py [--models models] [--force] [NAME ...]
"""
import argparse
import os
import shutil
import sys
import warnings

import numpy as np
import onnx
import onnxruntime as ort
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.feature_extraction import DictVectorizer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import Binarizer, Normalizer, OneHotEncoder, StandardScaler
from sklearn.svm import SVC, SVR, LinearSVC
from skl2onnx import to_onnx
from skl2onnx.common.data_types import DictionaryType, FloatTensorType, StringTensorType

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from write_onnx_node_tests import to_proto  # noqa: E402  (maps and sequences of maps as protos)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Opsets every converter here supports and ONNX Runtime (requirements.txt) runs.
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}
TEST_ROWS = 8


def classification(classes, seed=0):
    x, y = make_classification(n_samples=200, n_features=4, n_informative=3, n_redundant=1,
                               n_classes=classes, random_state=seed)
    return x.astype(np.float32), y


def float_input(x):
    return [("X", FloatTensorType([None, x.shape[1]]))]


def convert(model, initial_types, options=None):
    return to_onnx(model, initial_types=initial_types, target_opset=TARGET_OPSET, options=options)


def logistic_regression_zipmap():
    """Three classes; probabilities through ZipMap as a sequence of maps (the converter's default)."""
    x, y = classification(3)
    model = LogisticRegression(max_iter=500).fit(x, y)
    return convert(model, float_input(x)), [x[-TEST_ROWS:]]


def random_forest_classifier():
    x, y = classification(3, seed=1)
    model = RandomForestClassifier(n_estimators=10, max_depth=5, random_state=0).fit(x, y)
    return convert(model, float_input(x)), [x[-TEST_ROWS:]]


def random_forest_binary():
    """Two classes with string labels, probabilities as a tensor (no ZipMap)."""
    x, y = classification(2, seed=2)
    labels = np.array(["no", "yes"])[y]
    model = RandomForestClassifier(n_estimators=8, max_depth=4, random_state=0).fit(x, labels)
    return convert(model, float_input(x), {id(model): {"zipmap": False}}), [x[-TEST_ROWS:]]


def gradient_boosting_regressor():
    x, y = make_regression(n_samples=200, n_features=5, noise=0.1, random_state=3)
    x = x.astype(np.float32)
    model = GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0).fit(x, y)
    return convert(model, float_input(x)), [x[-TEST_ROWS:]]


def svc_probability():
    """An RBF SVC with Platt probabilities over three classes."""
    x, y = classification(3, seed=4)
    model = SVC(probability=True, random_state=0).fit(x, y)
    return convert(model, float_input(x)), [x[-TEST_ROWS:]]


def svc_binary():
    """An RBF SVC without probabilities over two classes: decision scores."""
    x, y = classification(2, seed=5)
    model = SVC(kernel="poly", degree=2, random_state=0).fit(x, y)
    return convert(model, float_input(x), {id(model): {"zipmap": False}}), [x[-TEST_ROWS:]]


def svr():
    x, y = make_regression(n_samples=150, n_features=4, noise=0.5, random_state=6)
    x = x.astype(np.float32)
    model = SVR(C=10.0).fit(x, y / 10)
    return convert(model, float_input(x)), [x[-TEST_ROWS:]]


def linear_svc():
    x, y = classification(3, seed=7)
    model = LinearSVC(random_state=0).fit(x, y)
    return convert(model, float_input(x)), [x[-TEST_ROWS:]]


def column_transformer():
    """SimpleImputer + StandardScaler on numbers, OneHotEncoder on strings, then a classifier;
    the numbers and the strings are the model's two inputs."""
    rng = np.random.default_rng(8)
    n = 120
    numbers = rng.standard_normal((n, 3)).astype(np.float32)
    numbers[rng.random((n, 3)) < 0.1] = np.nan
    colours = rng.choice(["red", "green", "blue"], size=n)
    sizes = rng.choice(["S", "M", "L"], size=n)
    strings = np.stack([colours, sizes], axis=1).astype(object)
    y = ((np.nan_to_num(numbers[:, 0]) > 0) ^ (colours == "red")).astype(np.int64)
    table = np.concatenate([numbers.astype(object), strings], axis=1)
    prep = ColumnTransformer([
        ("numbers", Pipeline([("impute", SimpleImputer(strategy="mean")), ("scale", StandardScaler())]), [0, 1, 2]),
        ("strings", OneHotEncoder(handle_unknown="ignore"), [3, 4]),
    ])
    model = Pipeline([("prep", prep), ("classify", LogisticRegression())]).fit(table, y)
    # skl2onnx maps the columns of several inputs in order: the numbers are columns 0-2, the
    # strings 3-4.
    onx = convert(model, [("numbers", FloatTensorType([None, 3])), ("strings", StringTensorType([None, 2]))])
    return onx, [numbers[-TEST_ROWS:], strings[-TEST_ROWS:]]


def dict_vectorizer():
    """A dict of feature name to value, vectorised, then a classifier (ONNX Runtime takes one
    dict per run)."""
    rng = np.random.default_rng(9)
    names = ["age", "height", "weight", "score"]
    rows = [{k: float(v) for k, v in zip(names, rng.standard_normal(4)) if rng.random() > 0.2} for _ in range(100)]
    y = np.array([int(r.get("age", 0) + r.get("score", 0) > 0) for r in rows])
    model = Pipeline([("vectorise", DictVectorizer(sparse=False)), ("classify", LogisticRegression())]).fit(rows, y)
    onx = convert(model, [("X", DictionaryType(StringTensorType([]), FloatTensorType([])))])
    test = {"age": 0.5, "score": -1.25, "weight": 2.0}
    return onx, [test]


def normalizer_binarizer():
    """Normalizer (l2) then Binarizer: a transformer pipeline with one float output."""
    rng = np.random.default_rng(10)
    x = rng.standard_normal((50, 5)).astype(np.float32)
    model = Pipeline([("normalise", Normalizer()), ("binarise", Binarizer(threshold=0.2))]).fit(x)
    return convert(model, float_input(x)), [x[-TEST_ROWS:]]


MODELS = {f.__name__: f for f in [
    logistic_regression_zipmap, random_forest_classifier, random_forest_binary, gradient_boosting_regressor,
    svc_probability, svc_binary, svr, linear_svc, column_transformer, dict_vectorizer, normalizer_binarizer,
]}


def ort_value(value):
    """What ONNX Runtime returns, ready for to_proto: arrays stay arrays, lists of dicts lists."""
    return value if isinstance(value, (list, dict)) else np.asarray(value)


def write(folder, onx, inputs):
    shutil.rmtree(folder, ignore_errors=True)
    data = os.path.join(folder, "test_data_set_0")
    os.makedirs(data)
    onnx.save(onx, os.path.join(folder, "model.onnx"))
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    feed = {i.name: value for i, value in zip(session.get_inputs(), inputs)}
    outputs = session.run(None, feed)
    for k, (info, value) in enumerate(zip(onx.graph.input, inputs)):
        with open(os.path.join(data, f"input_{k}.pb"), "wb") as f:
            f.write(to_proto(value, info).SerializeToString())
    for k, (info, value) in enumerate(zip(onx.graph.output, outputs)):
        with open(os.path.join(data, f"output_{k}.pb"), "wb") as f:
            f.write(to_proto(ort_value(value), info).SerializeToString())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=os.path.join(REPO, "models"))
    parser.add_argument("--force", action="store_true", help="rewrite models that are already there")
    parser.add_argument("names", nargs="*", help=f"models to make (default all): {', '.join(MODELS)}")
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in MODELS]
    if unknown:
        parser.error(f"unknown models {unknown}; known: {', '.join(MODELS)}")
    for name in args.names or MODELS:
        folder = os.path.join(args.models, "sklearn", name)
        if os.path.exists(os.path.join(folder, "model.onnx")) and not args.force:
            print(f"{name}: kept")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence and deprecation chatter of the tiny fits
            onx, inputs = MODELS[name]()
        write(folder, onx, inputs)
        print(f"{name}: wrote {folder}")


if __name__ == "__main__":
    main()
