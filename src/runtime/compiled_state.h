// What a compiled model holds: the IR it keeps alive, the plan every request runs, its streams.
#pragma once

#include <memory>
#include <string>

#include "ir/graph.h"
#include "runtime/compile_config.h"
#include "runtime/graph_plan.h"
#include "runtime/stream_executor.h"

namespace tandem::runtime {

class CompiledState {
 public:
  CompiledState(std::shared_ptr<const ir::Model> model, std::string device, CompileConfig config);

  const ir::Model& model() const { return *model_; }
  const GraphPlan& plan() const { return plan_; }
  const std::string& device() const { return device_; }
  const CompileConfig& config() const { return config_; }
  const std::vector<Port>& inputs() const { return model_->graph->inputs; }
  const std::vector<Port>& outputs() const { return model_->graph->outputs; }
  /// The streams asynchronous requests run on (thread-safe).
  StreamExecutor& streams() const { return *streams_; }

 private:
  std::shared_ptr<const ir::Model> model_;
  std::string device_;
  CompileConfig config_;
  GraphPlan plan_;
  std::unique_ptr<StreamExecutor> streams_;
};

}  // namespace tandem::runtime
