// The compiled state: opset check, plan, streams.
#include "runtime/compiled_state.h"

#include <fmt/format.h>

#include <algorithm>

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
      plan_(*model_->graph, supported(*model_).opsets, {}, model_->path),
      streams_(std::make_unique<StreamExecutor>(config_.streams, std::max(1, config_.threads / config_.streams))) {}

}  // namespace tandem::runtime
