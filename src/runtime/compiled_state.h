// What a compiled model holds: the IR it keeps alive, the plan every request runs, its streams.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "ir/graph.h"
#include "runtime/compile_config.h"
#include "execution/graph_plan.h"
#include "runtime/stream_executor.h"

namespace tandem::runtime {

class CompiledState {
 public:
  CompiledState(std::shared_ptr<const ir::Model> model, std::string device, CompileConfig config);

  const ir::Model& model() const { return *model_; }
  const execution::GraphPlan& plan() const { return *plan_; }
  const std::string& device() const { return device_; }
  const CompileConfig& config() const { return config_; }
  const std::vector<Port>& inputs() const { return model_->graph->inputs; }
  const std::vector<Port>& outputs() const { return model_->graph->outputs; }
  /// The streams every run happens on (thread-safe).
  StreamExecutor& streams() const { return *streams_; }
  /// Runs `job` on a stream and waits for it, rethrowing what it threw. Keeping all OpenMP work
  /// (oneDNN's kernels and weight reorders) on the streams means OpenMP teams never outnumber the
  /// cores: libgomp then lets idle team threads spin briefly instead of sleeping after every
  /// kernel, which costs the next kernel a wake-up (measured: async was 20-30% slower than sync
  /// while compiling and sync runs used the caller's thread).
  void run_on_stream(const std::function<void()>& job) const;

 private:
  std::shared_ptr<const ir::Model> model_;
  std::string device_;
  CompileConfig config_;
  std::unique_ptr<StreamExecutor> streams_;
  std::unique_ptr<const execution::GraphPlan> plan_;
};

}  // namespace tandem::runtime
