// The ml family (domain ai.onnx.ml): every op of it, one line each. ZipMap, DictVectorizer and
// CastMap take or give maps, which tandem::Value cannot hold, so they are left out.
#include "ops/ml/ml_common.h"
#include "ops/registry.h"

namespace tandem::ops {

void register_ml(Registry& registry) {
  registry.add(array_feature_extractor_op());
  registry.add(binarizer_op());
  registry.add(imputer_op());
  registry.add(label_encoder_op());
  registry.add(linear_classifier_op());
  registry.add(linear_regressor_op());
  registry.add(normalizer_op());
  registry.add(one_hot_encoder_op());
  registry.add(scaler_op());
  registry.add(tree_ensemble_op());
  registry.add(tree_ensemble_classifier_op());
  registry.add(tree_ensemble_regressor_op());
}

}  // namespace tandem::ops
