#!/usr/bin/env python3
"""A small model for hello_npu's test, with what the sample must handle: a dynamic batch (reshaped
to 1 before compiling), nodes an NPU runs (Conv, Relu, pooling, Softmax) and one it does not
(TopK, which falls back to the CPU between two VNPU subgraphs).

  make_test_model.py OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    rng = np.random.default_rng(11)
    weights = numpy_helper.from_array(rng.standard_normal((8, 3, 3, 3)).astype(np.float32), "W")
    bias = numpy_helper.from_array(rng.standard_normal(8).astype(np.float32), "B")
    k = numpy_helper.from_array(np.array([3], np.int64), "K")
    nodes = [
        helper.make_node("Conv", ["image", "W", "B"], ["conv"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["conv"], ["relu"], name="relu"),
        helper.make_node("GlobalAveragePool", ["relu"], ["pool"], name="pool"),
        helper.make_node("Flatten", ["pool"], ["features"], name="flatten"),
        helper.make_node("TopK", ["features", "K"], ["top", "classes"], name="top3"),
        helper.make_node("Softmax", ["top"], ["scores"], name="softmax", axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "hello_npu_test",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, 16, 16])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", 3]),
         helper.make_tensor_value_info("classes", TensorProto.INT64, ["batch", 3])],
        initializer=[weights, bias, k])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="hello_npu test")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
