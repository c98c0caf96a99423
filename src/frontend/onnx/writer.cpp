// ir::Model to ModelProto. Tensors are copied into raw_data: a written model owns its bytes.
#include "frontend/onnx/writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <variant>

#include "frontend/onnx/tensor_proto.h"
#include "frontend/onnx/types.h"

namespace tandem::onnx_frontend {
namespace {
using onnx::AttributeProto;

// IR version 8 is the first with every construct the IR holds (optional types, local functions
// aside); models made in memory (ir_version 0) are written as that.
constexpr int64_t kDefaultIrVersion = 8;

void graph_to_proto(const ir::Graph& graph, onnx::GraphProto& proto);

void set_value_info(onnx::ValueInfoProto& info, const std::string& name, const ValueType& type) {
  info.set_name(name);
  // The reader leaves a value without a type as Kind::Unknown: write no type for it.
  if (type.kind != ValueType::Kind::Unknown) *info.mutable_type() = value_type_to_proto(type);
}

// The attribute's kind follows the variant's alternative, as attribute_kind_name names them.
struct AttributeWriter {
  AttributeProto& proto;

  void operator()(float v) { proto.set_type(AttributeProto::FLOAT), proto.set_f(v); }
  void operator()(int64_t v) { proto.set_type(AttributeProto::INT), proto.set_i(v); }
  void operator()(const std::string& v) { proto.set_type(AttributeProto::STRING), proto.set_s(v); }
  void operator()(const Tensor& v) {
    proto.set_type(AttributeProto::TENSOR);
    *proto.mutable_t() = tensor_to_proto(v);
  }
  void operator()(const ir::GraphPtr& v) {
    proto.set_type(AttributeProto::GRAPH);
    if (v) graph_to_proto(*v, *proto.mutable_g());
  }
  void operator()(const std::vector<float>& v) {
    proto.set_type(AttributeProto::FLOATS);
    proto.mutable_floats()->Add(v.begin(), v.end());
  }
  void operator()(const std::vector<int64_t>& v) {
    proto.set_type(AttributeProto::INTS);
    proto.mutable_ints()->Add(v.begin(), v.end());
  }
  void operator()(const std::vector<std::string>& v) {
    proto.set_type(AttributeProto::STRINGS);
    for (const std::string& s : v) proto.add_strings(s);
  }
  void operator()(const std::vector<Tensor>& v) {
    proto.set_type(AttributeProto::TENSORS);
    for (const Tensor& t : v) *proto.add_tensors() = tensor_to_proto(t);
  }
  void operator()(const std::vector<ir::GraphPtr>& v) {
    proto.set_type(AttributeProto::GRAPHS);
    for (const ir::GraphPtr& g : v) {
      onnx::GraphProto* graph = proto.add_graphs();
      if (g) graph_to_proto(*g, *graph);
    }
  }
  void operator()(const ValueType& v) {
    proto.set_type(AttributeProto::TYPE_PROTO);
    *proto.mutable_tp() = value_type_to_proto(v);
  }
};

void node_to_proto(const ir::Node& node, onnx::NodeProto& proto) {
  proto.set_name(node.name);
  proto.set_op_type(node.op_type);
  if (!node.domain.empty()) proto.set_domain(node.domain);
  for (const std::string& input : node.inputs) proto.add_input(input);
  for (const std::string& output : node.outputs) proto.add_output(output);
  for (const auto& [name, attribute] : node.attributes) {
    AttributeProto* a = proto.add_attribute();
    a->set_name(name);
    std::visit(AttributeWriter{*a}, attribute);
  }
}

void graph_to_proto(const ir::Graph& graph, onnx::GraphProto& proto) {
  proto.set_name(graph.name);
  for (const Port& input : graph.inputs) set_value_info(*proto.add_input(), input.name, input.type);
  for (const Port& output : graph.outputs)
    set_value_info(*proto.add_output(), output.name, output.type);
  // Sorted by name, so that the same graph always gives the same bytes (unordered_map's order is
  // not a property of the graph).
  std::vector<const std::string*> names;
  for (const auto& [name, tensor] : graph.initializers) names.push_back(&name);
  std::sort(names.begin(), names.end(), [](auto* a, auto* b) { return *a < *b; });
  for (const std::string* name : names) {
    const Tensor& tensor = graph.initializers.at(*name);
    *proto.add_initializer() = tensor_to_proto(tensor, *name);
  }
  names.clear();
  for (const auto& [name, type] : graph.value_types) names.push_back(&name);
  std::sort(names.begin(), names.end(), [](auto* a, auto* b) { return *a < *b; });
  for (const std::string* name : names)
    set_value_info(*proto.add_value_info(), *name, graph.value_types.at(*name));
  for (const ir::Node& node : graph.nodes) node_to_proto(node, *proto.add_node());
}

}  // namespace

onnx::ModelProto model_to_proto(const ir::Model& model) {
  onnx::ModelProto proto;
  proto.set_ir_version(model.ir_version > 0 ? model.ir_version : kDefaultIrVersion);
  // The reader joins name and version with a space; one field keeps that string as it is.
  proto.set_producer_name(model.producer);
  for (const auto& [domain, version] : model.opsets) {
    auto* opset = proto.add_opset_import();
    opset->set_domain(domain);
    opset->set_version(version);
  }
  if (model.graph) graph_to_proto(*model.graph, *proto.mutable_graph());
  return proto;
}

std::string write_model(const ir::Model& model) {
  const onnx::ModelProto proto = model_to_proto(model);
  const size_t size = proto.ByteSizeLong();
  if (size > size_t(std::numeric_limits<int>::max()))
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("{}: the model takes {} bytes as ONNX, over protobuf's 2 GiB",
                            model.path, size));
  std::string bytes;
  proto.SerializeToString(&bytes);
  return bytes;
}

}  // namespace tandem::onnx_frontend
