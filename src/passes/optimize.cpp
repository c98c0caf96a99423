// The pass pipeline: BatchNormalization folds into Conv first, so that the Conv it leaves can
// then fuse with its activation.
#include "passes/optimize.h"

#include "passes/passes.h"

namespace tandem::passes {

std::shared_ptr<const ir::Model> optimize(std::shared_ptr<const ir::Model> model) {
  if (!model || !model->graph) return model;
  auto copy = std::make_shared<ir::Model>(*model);
  copy->graph = std::make_shared<ir::Graph>(*model->graph);  // Tensor copies share their bytes
  fold_conv_batch_norm(*copy);
  fuse_conv(*copy);
  return copy;
}

}  // namespace tandem::passes
