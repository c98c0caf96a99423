// The ml family (domain ai.onnx.ml): every op of it, one line each.
#include "ops/ml/ml_common.h"
#include "ops/registry.h"

namespace tandem::ops {

void register_ml(Registry& registry) {
  registry.add(array_feature_extractor_op());
  registry.add(binarizer_op());
  registry.add(cast_map_op());
  registry.add(category_mapper_op());
  registry.add(dict_vectorizer_op());
  registry.add(feature_vectorizer_op());
  registry.add(imputer_op());
  registry.add(label_encoder_op());
  registry.add(linear_classifier_op());
  registry.add(linear_regressor_op());
  registry.add(normalizer_op());
  registry.add(one_hot_encoder_op());
  registry.add(scaler_op());
  registry.add(svm_classifier_op());
  registry.add(svm_regressor_op());
  registry.add(tree_ensemble_op());
  registry.add(tree_ensemble_classifier_op());
  registry.add(tree_ensemble_regressor_op());
  registry.add(zip_map_op());
}

}  // namespace tandem::ops
