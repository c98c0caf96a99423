// The compiled state: opset check, plan, streams.
#include "runtime/compiled_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <future>

#include "devices/cpu/kernels/kernels.h"

namespace tandem::runtime {
namespace {

// The newest opset of the default domain whose ops the library defines, version by version.
constexpr int kMaxOpset = 28;

const ir::Model& supported(const ir::Model& model) {
  const int opset = model.opset("");
  if (opset > kMaxOpset)
    throw Error(ErrorKind::Unsupported,
                fmt::format("{}: the model imports opset {} of domain 'ai.onnx'; tandem supports opsets 1 to {}",
                            model.path, opset, kMaxOpset));
  return model;
}

}  // namespace

CompiledState::CompiledState(std::shared_ptr<const ir::Model> model, std::string device, CompileConfig config)
    : model_(std::move(model)),
      device_(std::move(device)),
      config_(std::move(config)),
      streams_(std::make_unique<StreamExecutor>(config_.streams, std::max(1, config_.threads / config_.streams))) {
  supported(*model_);
  run_on_stream([&] {
    plan_ = std::make_unique<const execution::GraphPlan>(*model_->graph, model_->opsets, execution::OuterScope{},
                                                         model_->path, cpu::select_kernel);
  });
}

void CompiledState::run_on_stream(const std::function<void()>& job) const {
  if (streams_->is_worker_thread()) return job();  // e.g. a callback running infer(): already there
  std::exception_ptr error;
  std::promise<void> done;
  streams_->submit([&] {
    try {
      job();
    } catch (...) {
      error = std::current_exception();
    }
    done.set_value();
  });
  done.get_future().wait();
  if (error) std::rethrow_exception(error);
}

}  // namespace tandem::runtime
