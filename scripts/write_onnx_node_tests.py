"""Writes the node tests of the installed `onnx` package as test folders.

Since onnx 1.23 the backend tests are built in memory (collect_testcases) instead of shipped as
files. This writes them in the layout earlier versions shipped, which our conformance runner and
scripts/compare_backends.py read:
    <out>/<test>/model.onnx
    <out>/<test>/test_data_set_N/{input,output}_K.pb   (TensorProto, SequenceProto, OptionalProto or
                                                        MapProto, following the graph's types)
Usage: .venv/bin/python scripts/write_onnx_node_tests.py OUT_DIR
"""
import os
import shutil
import sys
import warnings

import numpy as np
import onnx
from onnx import SequenceProto, TensorProto, helper, numpy_helper
from onnx.backend.test.case.node import collect_testcases


def map_to_proto(value, map_type, name=None):
    """A dict as MapProto, its keys and values of the declared types (numpy_helper.from_dict takes
    them from the Python values, and so cannot write str keys or float32 values)."""
    proto = onnx.MapProto()
    if name:
        proto.name = name
    proto.key_type = map_type.key_type
    if map_type.key_type == TensorProto.STRING:
        proto.string_keys.extend(k.encode() if isinstance(k, str) else k for k in value)
    else:
        proto.keys.extend(int(k) for k in value)
    value_dtype = helper.tensor_dtype_to_np_dtype(map_type.value_type.tensor_type.elem_type)
    proto.values.elem_type = SequenceProto.TENSOR
    proto.values.tensor_values.extend(numpy_helper.from_array(np.array(v, dtype=value_dtype)) for v in value.values())
    return proto


def to_proto(value, value_info):
    kind = value_info.type.WhichOneof("value")
    if kind == "map_type":
        return map_to_proto(value, value_info.type.map_type, value_info.name)
    if kind == "sequence_type":
        element = value_info.type.sequence_type.elem_type
        if element.WhichOneof("value") == "map_type":
            proto = SequenceProto(name=value_info.name, elem_type=SequenceProto.MAP)
            proto.map_values.extend(map_to_proto(m, element.map_type) for m in value)
            return proto
        return numpy_helper.from_list(value, value_info.name)
    if kind == "optional_type":
        return numpy_helper.from_optional(value, value_info.name)
    if isinstance(value, TensorProto):
        return value
    return numpy_helper.from_array(value, value_info.name)


def write_case(case, out_dir):
    folder = os.path.join(out_dir, case.name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    with open(os.path.join(folder, "model.onnx"), "wb") as f:
        f.write(case.model.SerializeToString())
    graph = case.model.graph
    for i, (inputs, outputs) in enumerate(case.data_sets):
        data_dir = os.path.join(folder, f"test_data_set_{i}")
        os.makedirs(data_dir)
        for stem, values, infos in (("input", inputs, graph.input), ("output", outputs, graph.output)):
            for k, value in enumerate(values):
                with open(os.path.join(data_dir, f"{stem}_{k}.pb"), "wb") as f:
                    f.write(to_proto(value, infos[k]).SerializeToString())


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = collect_testcases(None)
    for case in cases:
        write_case(case, out_dir)
    with open(os.path.join(out_dir, "VERSION"), "w") as f:
        f.write(f"onnx {onnx.__version__}, {len(cases)} node tests\n")
    print(f"wrote {len(cases)} node tests of onnx {onnx.__version__} to {out_dir}")


if __name__ == "__main__":
    main()
