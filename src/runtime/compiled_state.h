// What a compiled model holds: the IR it keeps alive and the plan every request runs.
#pragma once

#include <memory>
#include <string>

#include "ir/graph.h"
#include "runtime/graph_plan.h"

namespace tandem::runtime {

class CompiledState {
 public:
  CompiledState(std::shared_ptr<const ir::Model> model, std::string device);

  const ir::Model& model() const { return *model_; }
  const GraphPlan& plan() const { return plan_; }
  const std::string& device() const { return device_; }
  const std::vector<Port>& inputs() const { return model_->graph->inputs; }
  const std::vector<Port>& outputs() const { return model_->graph->outputs; }

 private:
  std::shared_ptr<const ir::Model> model_;
  std::string device_;
  GraphPlan plan_;
};

/// One request's bindings: an input value per graph input, the outputs of the last run.
class RequestState {
 public:
  explicit RequestState(std::shared_ptr<const CompiledState> compiled);

  void set_input(const std::string& name, const Value& value, const char* api);
  Value get(const std::string& name, const char* api) const;
  void infer();

 private:
  int input_index(const std::string& name) const;
  int output_index(const std::string& name) const;

  std::shared_ptr<const CompiledState> compiled_;
  std::vector<Value> inputs_;
  std::vector<Value> outputs_;
};

}  // namespace tandem::runtime
