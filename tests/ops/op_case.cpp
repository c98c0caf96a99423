// OpCase: builds a one-node model in memory and runs it through the public API.
#include "ops/op_case.h"

#include "execution/graph_executor.h"

namespace tandem::testing {

OpCase::OpCase(std::string op, int opset, std::string domain) : opset_(opset) {
  node_.name = "node";
  node_.op_type = std::move(op);
  node_.domain = std::move(domain);
}

OpCase& OpCase::set_attr(const std::string& name, ir::Attribute value) {
  node_.attributes[name] = std::move(value);
  return *this;
}

OpCase& OpCase::input(Value value) {
  node_.inputs.push_back("x" + std::to_string(inputs_.size()));
  inputs_.push_back(std::move(value));
  return *this;
}

OpCase& OpCase::omitted_input() {
  node_.inputs.emplace_back();
  return *this;
}

OpCase& OpCase::outputs(int count) {
  outputs_ = count;
  return *this;
}

std::vector<Value> OpCase::run() const {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[node_.domain] = opset_;
  if (!node_.domain.empty()) model->opsets[""] = 17;
  ir::Graph& graph = *model->graph;
  graph.name = "op_case";
  ir::Node node = node_;
  for (int i = 0; i < outputs_; ++i) {
    node.outputs.push_back("y" + std::to_string(i));
    graph.outputs.push_back(Port{node.outputs.back(), ValueType{}});
  }
  for (size_t i = 0; i < inputs_.size(); ++i) {
    ValueType type = execution::type_of(inputs_[i], ValueType{});
    graph.inputs.push_back(Port{"x" + std::to_string(i), type});
  }
  graph.nodes.push_back(std::move(node));

  Core core;
  CompiledModel compiled = core.compile_model(Model(model), "CPU");
  InferRequest request = compiled.create_infer_request();
  for (size_t i = 0; i < inputs_.size(); ++i) request.set_value("x" + std::to_string(i), inputs_[i]);
  request.infer();
  std::vector<Value> outputs;
  for (int i = 0; i < outputs_; ++i) outputs.push_back(request.get_value("y" + std::to_string(i)));
  return outputs;
}

}  // namespace tandem::testing
