"""Builds tiny ai.onnx.ml models with expected outputs from ONNX Runtime, in the layout of the ONNX
node tests (case/model.onnx, case/test_data_set_0/{input,output}_K.pb), so that the conformance
runner checks tandem against ONNX Runtime:

  .venv/bin/python tests/ops/ml/make_ml_cases.py /tmp/ml_cases
  build/tests/conformance/tandem_conformance --suite /tmp/ml_cases
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ML = "ai.onnx.ml"
X4 = np.array([[1.0, -2.0, 3.5, 0.0], [0.5, 4.0, -1.0, 2.0], [-3.0, 0.25, 1.5, np.nan]], np.float32)


def case(out_dir, name, op, attrs, inputs, outputs, ml_opset=3):
    """inputs: list of (name, array); outputs: list of (name, elem_type, shape or None)."""
    node = helper.make_node(op, [n for n, _ in inputs], [n for n, _, _ in outputs], domain=ML, **attrs)
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape) for n, a in inputs],
        [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(ML, ml_opset)])
    model.ir_version = 8
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    results = sess.run(None, {n: a for n, a in inputs})
    d = os.path.join(out_dir, f"test_ml_{name}")
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    onnx.save(model, os.path.join(d, "model.onnx"))
    for k, (n, a) in enumerate(inputs):
        onnx.save_tensor(numpy_helper.from_array(a, n), os.path.join(d, "test_data_set_0", f"input_{k}.pb"))
    for k, ((n, _, _), r) in enumerate(zip(outputs, results)):
        onnx.save_tensor(numpy_helper.from_array(np.asarray(r), n), os.path.join(d, "test_data_set_0", f"output_{k}.pb"))


def main(out_dir):
    x = np.nan_to_num(X4)
    F, I, S = TensorProto.FLOAT, TensorProto.INT64, TensorProto.STRING
    case(out_dir, "scaler", "Scaler", dict(offset=[1.0, 0.0, -1.0, 2.0], scale=[2.0, 0.5, 1.0, -1.0]),
         [("X", x)], [("Y", F, None)])
    for norm in ["MAX", "L1", "L2"]:
        case(out_dir, f"normalizer_{norm.lower()}", "Normalizer", dict(norm=norm), [("X", x)], [("Y", F, None)])
    case(out_dir, "imputer_nan", "Imputer", dict(imputed_value_floats=[9.0, 8.0, 7.0, 6.0], replaced_value_float=float("nan")),
         [("X", X4)], [("Y", F, None)])
    case(out_dir, "imputer_int", "Imputer", dict(imputed_value_int64s=[5], replaced_value_int64=0),
         [("X", np.array([[0, 1], [2, 0]], np.int64))], [("Y", I, None)])
    case(out_dir, "one_hot_int", "OneHotEncoder", dict(cats_int64s=[1, 3, 5], zeros=1),
         [("X", np.array([[1, 2], [5, 3]], np.int64))], [("Y", F, None)])
    case(out_dir, "one_hot_string", "OneHotEncoder", dict(cats_strings=["a", "b"]),
         [("X", np.array(["b", "a", "c"], object))], [("Y", F, None)])
    for pt in ["NONE", "LOGISTIC", "SOFTMAX"]:
        case(out_dir, f"linear_regressor_{pt.lower()}", "LinearRegressor",
             dict(coefficients=[0.5, -1.0, 2.0, 0.1, 1.0, 1.0, -0.5, 0.0], intercepts=[0.1, -0.2], targets=2, post_transform=pt),
             [("X", x)], [("Y", F, None)])
        case(out_dir, f"linear_classifier_3_{pt.lower()}", "LinearClassifier",
             dict(coefficients=[0.5, -1.0, 2.0, 0.1, 1.0, 1.0, -0.5, 0.0, -0.3, 0.2, 0.1, 0.4], intercepts=[0.1, -0.2, 0.3],
                  classlabels_ints=[7, 8, 9], post_transform=pt),
             [("X", x)], [("Y", I, None), ("Z", F, None)])
        case(out_dir, f"linear_classifier_binary_{pt.lower()}", "LinearClassifier",
             dict(coefficients=[0.5, -1.0, 2.0, 0.1], intercepts=[0.1], classlabels_strings=["no", "yes"], post_transform=pt),
             [("X", x)], [("Y", S, None), ("Z", F, None)])
    # Two trees of depth 2 over 4 features.
    trees = dict(nodes_treeids=[0, 0, 0, 0, 0, 1, 1, 1], nodes_nodeids=[0, 1, 2, 3, 4, 0, 1, 2],
                 nodes_featureids=[0, 1, 0, 0, 0, 2, 0, 0],
                 nodes_modes=["BRANCH_LEQ", "BRANCH_LT", "LEAF", "LEAF", "LEAF", "BRANCH_GT", "LEAF", "LEAF"],
                 nodes_values=[0.5, 1.0, 0, 0, 0, 1.0, 0, 0], nodes_truenodeids=[1, 2, 0, 0, 0, 1, 0, 0],
                 nodes_falsenodeids=[4, 3, 0, 0, 0, 2, 0, 0],
                 nodes_missing_value_tracks_true=[0, 0, 0, 0, 0, 1, 0, 0])
    for agg in ["SUM", "AVERAGE", "MIN", "MAX"]:
        case(out_dir, f"tree_regressor_{agg.lower()}", "TreeEnsembleRegressor",
             dict(trees, n_targets=2, aggregate_function=agg, target_treeids=[0, 0, 0, 0, 1, 1],
                  target_nodeids=[2, 3, 4, 4, 1, 2], target_ids=[0, 0, 1, 0, 1, 1],
                  target_weights=[1.0, 2.0, 3.0, -1.0, 0.5, -0.5], base_values=[0.1, 0.2]),
             [("X", X4)], [("Y", F, None)])
    for pt in ["NONE", "SOFTMAX", "LOGISTIC"]:
        case(out_dir, f"tree_classifier_3_{pt.lower()}", "TreeEnsembleClassifier",
             dict(trees, class_treeids=[0, 0, 0, 1, 1, 1], class_nodeids=[2, 3, 4, 1, 2, 2],
                  class_ids=[0, 1, 2, 1, 2, 0], class_weights=[0.4, 0.3, 0.6, 0.2, 0.5, 0.1],
                  classlabels_int64s=[10, 20, 30], post_transform=pt),
             [("X", X4)], [("Y", I, None), ("Z", F, None)])
        case(out_dir, f"tree_classifier_binary_{pt.lower()}", "TreeEnsembleClassifier",
             dict(trees, class_treeids=[0, 0, 0, 1, 1], class_nodeids=[2, 3, 4, 1, 2],
                  class_ids=[1, 1, 1, 1, 1], class_weights=[0.4, 0.1, 0.3, 0.2, 0.05],
                  classlabels_strings=["neg", "pos"], post_transform=pt),
             [("X", X4)], [("Y", S, None), ("Z", F, None)])
        case(out_dir, f"tree_classifier_binary_class0_{pt.lower()}", "TreeEnsembleClassifier",
             dict(trees, class_treeids=[0, 0, 0, 1, 1], class_nodeids=[2, 3, 4, 1, 2],
                  class_ids=[0, 0, 0, 0, 0], class_weights=[0.4, -0.9, 0.3, 0.2, -0.05],
                  classlabels_int64s=[0, 1], post_transform=pt),
             [("X", X4)], [("Y", I, None), ("Z", F, None)])
        case(out_dir, f"tree_classifier_binary_mixed_{pt.lower()}", "TreeEnsembleClassifier",
             dict(trees, class_treeids=[0, 0, 0, 1, 1], class_nodeids=[2, 3, 4, 1, 2],
                  class_ids=[1, 1, 1, 1, 1], class_weights=[0.4, -0.9, 0.3, 0.2, -0.05],
                  classlabels_int64s=[0, 1], post_transform=pt),
             [("X", X4)], [("Y", I, None), ("Z", F, None)])
        case(out_dir, f"tree_classifier_2_{pt.lower()}", "TreeEnsembleClassifier",
             dict(trees, class_treeids=[0, 0, 0, 0, 1, 1], class_nodeids=[2, 3, 4, 4, 1, 2],
                  class_ids=[0, 1, 0, 1, 0, 1], class_weights=[0.4, 0.6, 0.3, 0.7, 0.2, 0.5],
                  classlabels_int64s=[0, 1], post_transform=pt),
             [("X", X4)], [("Y", I, None), ("Z", F, None)])


if __name__ == "__main__":
    main(sys.argv[1])
