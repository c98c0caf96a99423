// Attribute conversion. Models before IR version 2 have no type field: the kind is then told by
// which value field is present.
#include "frontend/onnx/attributes.h"

#include "frontend/onnx/types.h"

#include <fmt/format.h>

namespace tandem::onnx_frontend {
namespace {
using onnx::AttributeProto;

AttributeProto::AttributeType kind_of(const AttributeProto& a) {
  if (a.type() != AttributeProto::UNDEFINED) return a.type();
  if (a.has_f()) return AttributeProto::FLOAT;
  if (a.has_i()) return AttributeProto::INT;
  if (a.has_s()) return AttributeProto::STRING;
  if (a.has_t()) return AttributeProto::TENSOR;
  if (a.has_g()) return AttributeProto::GRAPH;
  if (a.has_sparse_tensor()) return AttributeProto::SPARSE_TENSOR;
  if (a.has_tp()) return AttributeProto::TYPE_PROTO;
  if (a.floats_size()) return AttributeProto::FLOATS;
  if (a.ints_size()) return AttributeProto::INTS;
  if (a.strings_size()) return AttributeProto::STRINGS;
  if (a.tensors_size()) return AttributeProto::TENSORS;
  if (a.graphs_size()) return AttributeProto::GRAPHS;
  if (a.sparse_tensors_size()) return AttributeProto::SPARSE_TENSORS;
  if (a.type_protos_size()) return AttributeProto::TYPE_PROTOS;
  return AttributeProto::UNDEFINED;
}
}  // namespace

ir::Attribute attribute_from_proto(AttributeProto& proto, const AttributeContext& ctx) {
  std::string where = fmt::format("{}: attribute '{}'", ctx.node, proto.name());
  auto error = [&](ErrorKind kind, const std::string& what) {
    return Error(kind, fmt::format("{}: {}: {}", ctx.tensors.file, where, what));
  };
  if (!proto.ref_attr_name().empty())
    throw error(ErrorKind::InvalidModel,
                fmt::format("refers to function attribute '{}' outside a function", proto.ref_attr_name()));
  auto tensor = [&](onnx::TensorProto& t) { return tensor_from_proto(t, ctx.tensors, where); };
  switch (kind_of(proto)) {
    case AttributeProto::FLOAT: return proto.f();
    case AttributeProto::INT: return int64_t(proto.i());
    case AttributeProto::STRING: return proto.s();
    case AttributeProto::TENSOR: return tensor(*proto.mutable_t());
    case AttributeProto::GRAPH: return ctx.read_graph(*proto.mutable_g());
    case AttributeProto::TYPE_PROTO:
      return value_type_from_proto(proto.tp(), fmt::format("{}: {}", ctx.tensors.file, where));
    case AttributeProto::FLOATS: return std::vector<float>(proto.floats().begin(), proto.floats().end());
    case AttributeProto::INTS: return std::vector<int64_t>(proto.ints().begin(), proto.ints().end());
    case AttributeProto::STRINGS:
      return std::vector<std::string>(proto.strings().begin(), proto.strings().end());
    case AttributeProto::TENSORS: {
      std::vector<Tensor> tensors;
      for (auto& t : *proto.mutable_tensors()) tensors.push_back(tensor(t));
      return tensors;
    }
    case AttributeProto::GRAPHS: {
      std::vector<ir::GraphPtr> graphs;
      for (auto& g : *proto.mutable_graphs()) graphs.push_back(ctx.read_graph(g));
      return graphs;
    }
    case AttributeProto::SPARSE_TENSOR:
    case AttributeProto::SPARSE_TENSORS:
      throw error(ErrorKind::Unsupported, "sparse tensor attributes are not supported");
    case AttributeProto::TYPE_PROTOS:
      throw error(ErrorKind::Unsupported, "lists of types (type_protos) are not supported");
    case AttributeProto::UNDEFINED: break;
  }
  throw error(ErrorKind::InvalidModel, proto.type() == AttributeProto::UNDEFINED
                                           ? std::string("has no value")
                                           : fmt::format("has unknown type {}", int(proto.type())));
}

}  // namespace tandem::onnx_frontend
