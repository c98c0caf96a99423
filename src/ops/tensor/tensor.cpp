// The tensor family: every op of it, one line each.
#include "ops/registry.h"
#include "ops/tensor/tensor_common.h"

namespace tandem::ops {

void register_tensor(Registry& registry) {
  registry.add(bit_cast_op());
  registry.add(center_crop_pad_op());
  registry.add(col2im_op());
  registry.add(compress_op());
  registry.add(concat_op());
  registry.add(constant_op());
  registry.add(constant_of_shape_op());
  registry.add(depth_to_space_op());
  registry.add(expand_op());
  registry.add(eye_like_op());
  registry.add(flatten_op());
  registry.add(gather_op());
  registry.add(gather_elements_op());
  registry.add(gather_nd_op());
  registry.add(identity_op());
  registry.add(non_zero_op());
  registry.add(one_hot_op());
  registry.add(pad_op());
  registry.add(range_op());
  registry.add(reshape_op());
  registry.add(resize_op());
  registry.add(reverse_sequence_op());
  registry.add(scatter_op());
  registry.add(scatter_elements_op());
  registry.add(scatter_nd_op());
  registry.add(shape_op());
  registry.add(size_op());
  registry.add(slice_op());
  registry.add(space_to_depth_op());
  registry.add(split_op());
  registry.add(squeeze_op());
  registry.add(tensor_scatter_op());
  registry.add(tile_op());
  registry.add(transpose_op());
  registry.add(trilu_op());
  registry.add(unique_op());
  registry.add(unsqueeze_op());
  registry.add(upsample_op());
}

}  // namespace tandem::ops
