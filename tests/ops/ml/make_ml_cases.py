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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "scripts"))
from write_onnx_node_tests import to_proto  # noqa: E402  (writes maps and sequences of maps)

ML = "ai.onnx.ml"
X4 = np.array([[1.0, -2.0, 3.5, 0.0], [0.5, 4.0, -1.0, 2.0], [-3.0, 0.25, 1.5, np.nan]], np.float32)


def map_type(key_type, value_type):
    return helper.make_map_type_proto(key_type, helper.make_tensor_type_proto(value_type, None))


def value_info(name, value_or_type, shape=None):
    """An array gives a tensor type; an int an element type; a TypeProto is used as it is."""
    if isinstance(value_or_type, np.ndarray):
        return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(value_or_type.dtype), value_or_type.shape)
    if isinstance(value_or_type, onnx.TypeProto):
        return helper.make_value_info(name, value_or_type)
    return helper.make_tensor_value_info(name, value_or_type, shape)


def case(out_dir, name, op, attrs, inputs, outputs, ml_opset=3):
    """inputs: list of (name, array) or (name, dict, map TypeProto); outputs: list of
    (name, element type or TypeProto, shape or None)."""
    node = helper.make_node(op, [i[0] for i in inputs], [n for n, _, _ in outputs], domain=ML, **attrs)
    input_infos = [value_info(i[0], i[2] if len(i) == 3 else i[1]) for i in inputs]
    output_infos = [value_info(n, t, s) for n, t, s in outputs]
    graph = helper.make_graph([node], name, input_infos, output_infos)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(ML, ml_opset)])
    model.ir_version = 8
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    results = sess.run(None, {i[0]: i[1] for i in inputs})
    d = os.path.join(out_dir, f"test_ml_{name}")
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    onnx.save(model, os.path.join(d, "model.onnx"))
    for k, (i, info) in enumerate(zip(inputs, input_infos)):
        with open(os.path.join(d, "test_data_set_0", f"input_{k}.pb"), "wb") as f:
            f.write(to_proto(i[1], info).SerializeToString())
    for k, (r, info) in enumerate(zip(results, output_infos)):
        value = r if isinstance(r, (list, dict)) else np.asarray(r)
        with open(os.path.join(d, "test_data_set_0", f"output_{k}.pb"), "wb") as f:
            f.write(to_proto(value, info).SerializeToString())


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
        # (One base value is left out: where class 1 gets no vote ONNX Runtime leaves Z's second
        # column unwritten, so its output there is whatever the memory held.)
        for base in ([0.1, 0.3],):
            case(out_dir, f"tree_classifier_2_base{len(base)}_{pt.lower()}", "TreeEnsembleClassifier",
                 dict(trees, class_treeids=[0, 0, 0, 0, 1, 1], class_nodeids=[2, 3, 4, 4, 1, 2],
                      class_ids=[0, 1, 0, 1, 0, 1], class_weights=[0.4, 0.6, 0.3, 0.7, 0.2, 0.5],
                      classlabels_int64s=[0, 1], post_transform=pt, base_values=base),
                 [("X", X4)], [("Y", I, None), ("Z", F, None)])


    map_ops(out_dir)
    svm_ops(out_dir)


def map_ops(out_dir):
    """ZipMap, DictVectorizer and CastMap (maps in and out), CategoryMapper, FeatureVectorizer."""
    F, I, S = TensorProto.FLOAT, TensorProto.INT64, TensorProto.STRING
    probabilities = np.array([[0.1, 0.9], [0.75, 0.25], [0.5, 0.5]], np.float32)
    case(out_dir, "zip_map_strings", "ZipMap", dict(classlabels_strings=["no", "yes"]), [("X", probabilities)],
         [("Z", helper.make_sequence_type_proto(map_type(S, F)), None)])
    case(out_dir, "zip_map_int64", "ZipMap", dict(classlabels_int64s=[3, 1]), [("X", probabilities)],
         [("Z", helper.make_sequence_type_proto(map_type(I, F)), None)])
    case(out_dir, "dict_vectorizer_strings", "DictVectorizer", dict(string_vocabulary=["a", "b", "c", "d"]),
         [("X", {"c": 3.0, "a": 1.5, "z": 7.0}, map_type(S, F))], [("Y", F, None)])
    # ONNX Runtime's Python binding makes float maps of Python dicts, so no double case here.
    case(out_dir, "dict_vectorizer_int64", "DictVectorizer", dict(int64_vocabulary=[5, 1, 9]),
         [("X", {1: 2.5, 9: -1.0}, map_type(I, F))], [("Y", F, None)])
    sparse = {4: 1.5, 0: -2.25, 2: 3.0}
    case(out_dir, "cast_map_dense", "CastMap", dict(), [("X", sparse, map_type(I, F))], [("Y", F, None)])
    case(out_dir, "cast_map_sparse_int64", "CastMap", dict(map_form="SPARSE", max_map=6, cast_to="TO_INT64"),
         [("X", sparse, map_type(I, F))], [("Y", I, None)])
    # (ONNX Runtime's Python binding cannot pass a map of strings: gtests cover that input.)
    case(out_dir, "category_mapper_to_int", "CategoryMapper",
         dict(cats_strings=["a", "b", "c"], cats_int64s=[1, 2, 3], default_int64=-7),
         [("X", np.array([["a", "x"], ["c", "b"]], object))], [("Y", I, None)])
    case(out_dir, "category_mapper_to_string", "CategoryMapper",
         dict(cats_strings=["a", "b", "c"], cats_int64s=[1, 2, 3]),
         [("X", np.array([3, 0, 1], np.int64))], [("Y", S, None)])
    case(out_dir, "feature_vectorizer", "FeatureVectorizer", dict(inputdimensions=[2, 3, 1]),
         [("A", np.nan_to_num(X4)), ("B", np.array([[1], [2], [3]], np.float32)),
          ("C", np.array([[0.5, 9], [1.5, 9], [2.5, 9]], np.float32))], [("Y", F, None)])
    case(out_dir, "feature_vectorizer_int64", "FeatureVectorizer", dict(inputdimensions=[1, 2]),
         [("A", np.array([[1, 2], [3, 4]], np.int64)), ("B", np.array([[5], [6]], np.int64))], [("Y", F, None)])


def svm_ops(out_dir):
    """SVMClassifier and SVMRegressor with each kernel, with and without probabilities."""
    F, I, S = TensorProto.FLOAT, TensorProto.INT64, TensorProto.STRING
    rng = np.random.default_rng(5)
    x = rng.standard_normal((5, 3)).astype(np.float32)
    kernels = {"LINEAR": [0.0, 0.0, 0.0], "RBF": [0.4, 0.0, 0.0], "POLY": [0.3, 1.0, 3.0], "SIGMOID": [0.2, 0.1, 0.0]}
    for kernel, params in kernels.items():
        sv = rng.standard_normal(4 * 3).round(2).tolist()
        case(out_dir, f"svm_regressor_{kernel.lower()}", "SVMRegressor",
             dict(kernel_type=kernel, kernel_params=params, n_supports=4, support_vectors=sv,
                  coefficients=[0.5, -1.0, 0.25, 0.75], rho=[0.1]),
             [("X", x)], [("Y", F, None)])
        # Three classes with 2, 1 and 2 support vectors.
        svc = dict(kernel_type=kernel, kernel_params=params, vectors_per_class=[2, 1, 2],
                   support_vectors=rng.standard_normal(5 * 3).round(2).tolist(),
                   coefficients=rng.standard_normal(2 * 5).round(2).tolist(), rho=[0.1, -0.2, 0.05],
                   classlabels_ints=[4, 5, 6])
        case(out_dir, f"svm_classifier_3_{kernel.lower()}", "SVMClassifier", svc, [("X", x)],
             [("Y", I, None), ("Z", F, None)])
        case(out_dir, f"svm_classifier_3_{kernel.lower()}_proba", "SVMClassifier",
             dict(svc, prob_a=[-1.5, -0.8, -2.0], prob_b=[0.1, -0.05, 0.2]), [("X", x)],
             [("Y", I, None), ("Z", F, None)])
    binary = dict(kernel_type="RBF", kernel_params=[0.5, 0.0, 0.0], vectors_per_class=[2, 2],
                  support_vectors=rng.standard_normal(4 * 3).round(2).tolist(), coefficients=[1.0, 0.5, -0.75, -0.75],
                  rho=[0.05], classlabels_strings=["neg", "pos"])
    for pt in ["NONE", "LOGISTIC", "SOFTMAX", "SOFTMAX_ZERO", "PROBIT"]:
        case(out_dir, f"svm_classifier_binary_{pt.lower()}", "SVMClassifier", dict(binary, post_transform=pt),
             [("X", x)], [("Y", S, None), ("Z", F, None)])
    case(out_dir, "svm_classifier_binary_proba", "SVMClassifier", dict(binary, prob_a=[-2.0], prob_b=[0.1]),
         [("X", x)], [("Y", S, None), ("Z", F, None)])
    # ONNX Runtime requires kernel_params even where the kernel ignores them.
    linear = dict(coefficients=[0.5, -1.0, 0.25, -0.5, 1.0, 0.5, 0.1, 0.2, -0.3], rho=[0.1],
                  classlabels_ints=[0, 1, 2], kernel_params=[0.0, 0.0, 0.0])
    for pt in ["NONE", "SOFTMAX", "LOGISTIC"]:
        case(out_dir, f"svm_classifier_linear_{pt.lower()}", "SVMClassifier", dict(linear, post_transform=pt),
             [("X", x)], [("Y", I, None), ("Z", F, None)])
    case(out_dir, "svm_classifier_linear_binary", "SVMClassifier",
         dict(coefficients=[0.5, -1.0, 0.25, -0.5, 1.0, 0.5], rho=[0.1], classlabels_ints=[0, 1],
              kernel_params=[0.0, 0.0, 0.0]),
         [("X", x)], [("Y", I, None), ("Z", F, None)])


if __name__ == "__main__":
    main(sys.argv[1])
