// The ONNX frontend: ModelProto to ir::Model. The parsed proto is consumed: weights move from it
// into the IR rather than being copied.
#include "frontend/onnx/reader.h"

#include "frontend/onnx/attributes.h"
#include "frontend/onnx/external_data.h"
#include "frontend/onnx/functions.h"
#include "frontend/onnx/proto_file.h"
#include "frontend/onnx/tensor_proto.h"
#include "frontend/onnx/types.h"

#include <fmt/format.h>

#include <unordered_set>

namespace tandem::onnx_frontend {
namespace {
std::string normalize_domain(const std::string& domain) {
  return domain == "ai.onnx" ? "" : domain;
}

class GraphReader {
 public:
  GraphReader(const ir::Model& model, ExternalData& external_data)
      : model_(model), tensors_{model.path, ErrorKind::InvalidModel, &external_data} {}

  std::shared_ptr<ir::Graph> read(onnx::GraphProto& proto) {
    auto graph = std::make_shared<ir::Graph>();
    graph->name = proto.name();
    read_initializers(proto, *graph);
    for (const auto& input : proto.input()) {
      // Models before IR version 4 list every initializer among the inputs; later ones may, as an
      // overridable default. Either way they are constants here, not inputs a user must bind.
      if (graph->initializers.contains(input.name())) continue;
      graph->inputs.push_back(port(input, "input"));
    }
    for (const auto& output : proto.output()) graph->outputs.push_back(port(output, "output"));
    for (const auto& info : proto.value_info()) {
      if (info.name().empty() || !info.has_type()) continue;
      graph->value_types[info.name()] = value_type_from_proto(info.type(), where("value '{}'", info.name()));
    }
    graph->nodes.reserve(size_t(proto.node_size()));
    for (int i = 0; i < proto.node_size(); ++i) graph->nodes.push_back(read_node(*proto.mutable_node(i), i));
    return graph;
  }

 private:
  template <class... Args>
  std::string where(fmt::format_string<Args...> format, Args&&... args) const {
    return model_.path + ": " + fmt::format(format, std::forward<Args>(args)...);
  }
  template <class... Args>
  Error error(fmt::format_string<Args...> format, Args&&... args) const {
    return Error(ErrorKind::InvalidModel, where(format, std::forward<Args>(args)...));
  }

  void read_initializers(onnx::GraphProto& proto, ir::Graph& graph) {
    for (auto& t : *proto.mutable_initializer()) {
      if (t.name().empty()) throw error("graph '{}' has an initializer without a name", proto.name());
      std::string name = t.name();
      if (graph.initializers.contains(name)) throw error("initializer '{}' is defined twice", name);
      graph.initializers.emplace(name, tensor_from_proto(t, tensors_, fmt::format("initializer '{}'", name)));
    }
    if (proto.sparse_initializer_size() > 0)
      throw Error(ErrorKind::Unsupported, where("sparse initializer '{}' is not supported",
                                                proto.sparse_initializer(0).values().name()));
  }

  Port port(const onnx::ValueInfoProto& info, const char* kind) const {
    if (info.name().empty()) throw error("a graph {} has no name", kind);
    ValueType type;
    if (info.has_type()) type = value_type_from_proto(info.type(), where("{} '{}'", kind, info.name()));
    return Port{info.name(), std::move(type)};
  }

  ir::Node read_node(onnx::NodeProto& proto, int index) {
    ir::Node node;
    node.op_type = proto.op_type();
    node.domain = normalize_domain(proto.domain());
    // Unnamed nodes (most exported models) get a name that stays the same across reads.
    node.name = proto.name().empty() ? fmt::format("{}_{}", node.op_type, index) : proto.name();
    if (node.op_type.empty()) throw error("node {} ('{}') has no op_type", index, node.name);
    node.inputs.assign(proto.input().begin(), proto.input().end());
    node.outputs.assign(proto.output().begin(), proto.output().end());
    AttributeContext ctx{ir::describe_node(node, model_.opset(node.domain)), tensors_,
                         [this](onnx::GraphProto& g) -> ir::GraphPtr { return read(g); }};
    for (auto& a : *proto.mutable_attribute()) {
      if (a.name().empty()) throw error("{}: an attribute has no name", ctx.node);
      std::string name = a.name();
      if (node.attributes.contains(name)) throw error("{}: attribute '{}' is given twice", ctx.node, name);
      node.attributes.emplace(std::move(name), attribute_from_proto(a, ctx));
    }
    return node;
  }

  const ir::Model& model_;
  TensorSource tensors_;
};

ir::OpsetImports read_opsets(const onnx::ModelProto& proto, const std::string& path) {
  ir::OpsetImports opsets;
  for (const auto& o : proto.opset_import()) {
    if (o.version() < 1 || o.version() > 1000)
      throw Error(ErrorKind::InvalidModel, fmt::format("{}: opset import of domain '{}' has version {}", path,
                                                       o.domain(), o.version()));
    opsets[normalize_domain(o.domain())] = int(o.version());
  }
  // Domains only local functions import keep the functions' versions once inlined.
  for (const auto& f : proto.functions())
    for (const auto& o : f.opset_import())
      if (o.version() >= 1 && o.version() <= 1000)
        opsets.try_emplace(normalize_domain(o.domain()), int(o.version()));
  // IR version 1 and 2 models have no opset imports: the default domain is then at opset 1.
  opsets.try_emplace("", 1);
  return opsets;
}
}  // namespace

std::shared_ptr<ir::Model> convert_model(onnx::ModelProto& proto, const std::string& path) {
  if (!proto.has_graph())
    throw Error(ErrorKind::InvalidModel, path + ": not an ONNX model (it has no graph)");
  auto model = std::make_shared<ir::Model>();
  model->path = path;
  model->ir_version = proto.ir_version();
  model->producer = proto.producer_name();
  if (!proto.producer_version().empty()) model->producer += " " + proto.producer_version();
  model->opsets = read_opsets(proto, path);
  inline_functions(proto, path);
  ExternalData external_data(path);
  model->graph = GraphReader(*model, external_data).read(*proto.mutable_graph());
  return model;
}

std::shared_ptr<ir::Model> read_model(const std::string& path) {
  onnx::ModelProto proto;
  parse_proto_file(path, proto, ErrorKind::InvalidModel);
  return convert_model(proto, path);
}

std::shared_ptr<ir::Model> read_model_bytes(std::string_view bytes, const std::string& where) {
  onnx::ModelProto proto;
  if (!parse_proto_bytes(bytes.data(), bytes.size(), proto))
    throw Error(ErrorKind::InvalidModel,
                where + ": not a valid ONNX model (the bytes are truncated or not protobuf)");
  return convert_model(proto, where);
}

}  // namespace tandem::onnx_frontend
