// Which attention the GPU runs (devices/gpu/cuda/kernels/attention.cpp): MultiHeadAttention over
// f32, f16 and bf16, 3-D or 4-D, with or without a mask that broadcasts to the scores, within
// cuBLAS's int dimensions; not empty ones.
#include <fmt/format.h>

#include <array>
#include <limits>

#include "devices/gpu/support/judge_util.h"
#include "devices/gpu/support/op_support.h"
#include "ops/attention/multi_head_attention.h"
#include "ops/node_context.h"
#include "ops/tandem_domain.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

devices::Support judge(const ops::NodeContext& ctx, const Shape& q, const Shape& k, const Shape& v,
                       const Shape* mask) {
  const size_t rank = q.size();
  if ((rank != 3 && rank != 4) || k.size() != rank || v.size() != rank)
    return {false, fmt::format("Q {}, K {} and V {} must all be 3-D or all 4-D", to_string(q),
                               to_string(k), to_string(v))};
  const int64_t batch = rank == 4 ? q[0] : 1;
  const int64_t q_len = q[rank - 3], heads = q[rank - 2], head_size = q[rank - 1];
  const int64_t kv_len = k[rank - 3], v_head_size = v[rank - 1];
  if (k[rank - 2] != heads || v[rank - 2] != heads || k[rank - 1] != head_size ||
      v[rank - 3] != kv_len || (rank == 4 && (k[0] != batch || v[0] != batch)))
    return {false, fmt::format("Q {}, K {} and V {} do not fit together", to_string(q),
                               to_string(k), to_string(v))};
  for (int64_t d : {batch, q_len, heads, head_size, kv_len, v_head_size})
    if (d == 0) return {false, "empty attention"};
  const int64_t int_max = std::numeric_limits<int>::max();
  for (int64_t d : {batch, heads, q_len, kv_len, heads * head_size, heads * v_head_size})
    if (d > int_max) return {false, "attention larger than cuBLAS's int dimensions"};
  if (mask) {
    const std::array<int64_t, 4> scores{batch, heads, q_len, kv_len};
    bool fits = mask->size() <= 4;
    for (size_t a = 0; fits && a < mask->size(); ++a) {
      const int64_t dim = (*mask)[mask->size() - 1 - a];
      fits = dim == 1 || dim == scores[3 - a];
    }
    if (!fits)
      return {false, fmt::format("Mask {} does not broadcast to the scores [{},{},{},{}]",
                                 to_string(*mask), batch, heads, q_len, kv_len)};
  }
  ctx.attr<float>("scale");  // required
  return {true, ""};
}

}  // namespace

std::optional<devices::Support> attention_support(const execution::NodeInfo& info) {
  const ir::Node& node = info.node;
  if (node.domain != ops::kTandemDomain || node.op_type != "MultiHeadAttention")
    return std::nullopt;
  const ops::NodeContext ctx(node, info.opset);
  const size_t mask_input = ops::kMultiHeadAttentionMaskInput;
  const bool has_mask = ctx.has_input(mask_input);
  const size_t count = has_mask ? mask_input + 1 : 3;
  if (info.input_types.size() < count)
    return devices::Support{false, "inputs Q, K and V are required"};
  std::vector<Shape> shapes;
  for (size_t i = 0; i < count; ++i) {
    const ValueType* type = info.input_types[i];
    if (!ctx.has_input(i) || !type)
      return devices::Support{false, "inputs Q, K and V are required"};
    if (!is_float(type->element_type))
      return devices::Support{
          false, fmt::format("input {} is {}; the GPU's attention takes f32, f16 and bf16", i,
                             to_string(type->element_type))};
    shapes.push_back(type->shape.to_shape());
  }
  try {
    return judge(ctx, shapes[0], shapes[1], shapes[2], has_mask ? &shapes[mask_input] : nullptr);
  } catch (const Error& e) {
    return devices::Support{false, e.what()};
  }
}

}  // namespace tandem::gpu
