// The misc family: every op of it, one line each.
#include "ops/misc/misc_common.h"
#include "ops/registry.h"

namespace tandem::ops {

void register_misc(Registry& registry) {
  // Detection and sampling.
  registry.add(non_max_suppression_op());
  registry.add(roi_align_op());
  registry.add(grid_sample_op());
  registry.add(affine_grid_op());
  // Text.
  registry.add(string_normalizer_op());
  registry.add(tfidf_vectorizer_op());
  // Signal.
  registry.add(dft_op());
  registry.add(stft_op());
  registry.add(blackman_window_op());
  registry.add(hamming_window_op());
  registry.add(hann_window_op());
  registry.add(mel_weight_matrix_op());
  // Random generators.
  registry.add(random_normal_op());
  registry.add(random_normal_like_op());
  registry.add(random_uniform_op());
  registry.add(random_uniform_like_op());
  registry.add(multinomial_op());
  registry.add(bernoulli_op());
  // Training preview (ai.onnx.preview.training). Gradient needs autodiff and stays undefined.
  registry.add(adagrad_op());
  registry.add(adam_op());
  registry.add(momentum_op());
}

}  // namespace tandem::ops
