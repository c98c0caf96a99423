// ONNX Transpose of f32 tensors of static shapes as a strided copy: the input seen through
// permuted strides (BERT-base's and ViT-B/16's attention transposes took 1.6 and 3.5 ms per
// inference on the reference kernel, 0.5 and 1.3 ms so).
#include <algorithm>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

#include "devices/cpu/kernels/kernels.h"
#include "devices/cpu/kernels/onednn_common.h"
#include "devices/cpu/kernels/onednn_strided_copy.h"
#include "ops/node_context.h"
#include "ops/registry.h"

namespace tandem::cpu {
namespace {

using dnnl::memory;

// `perm` as Transpose reads it (absent: the axes reversed), or empty where it is malformed (the
// reference reports that).
std::vector<int64_t> permutation(const NodeInfo& info, size_t rank) {
  std::vector<int64_t> perm;
  try {
    const ops::NodeContext ctx(info.node, info.opset);
    if (!ctx.has_attr("perm")) {
      for (size_t i = rank; i-- > 0;) perm.push_back(int64_t(i));
      return perm;
    }
    perm = ctx.attr<std::vector<int64_t>>("perm");
  } catch (const Error&) {
    return {};
  }
  if (perm.size() != rank) return {};
  std::vector<bool> seen(rank, false);
  for (int64_t& p : perm) {
    if (p < -int64_t(rank) || p >= int64_t(rank)) return {};
    if (p < 0) p += int64_t(rank);
    if (seen[size_t(p)]) return {};
    seen[size_t(p)] = true;
  }
  return perm;
}

}  // namespace

std::unique_ptr<Kernel> make_onednn_transpose(const NodeInfo& info) {
  const ir::Node& node = info.node;
  if (!(node.domain.empty() || node.domain == "ai.onnx") || node.op_type != "Transpose" ||
      node.outputs.size() != 1 || info.input_types.empty() || !is_static_f32(info.input_types[0]))
    return nullptr;
  const Shape x = info.input_types[0]->shape.to_shape();
  if (x.empty() || x.size() > DNNL_MAX_NDIMS || shape_size(x) == 0) return nullptr;
  const std::vector<int64_t> perm = permutation(info, x.size());
  if (perm.empty()) return nullptr;
  // y[i0, i1, ...] = x at i_k along axis perm[k]: x's plain strides, permuted, over y's dims.
  const memory::desc plain_x = plain_f32_desc(memory::dims(x.begin(), x.end()));
  memory::dims y_dims, strides;
  for (int64_t p : perm) {
    y_dims.push_back(x[size_t(p)]);
    strides.push_back(plain_x.data.format_desc.blocking.strides[p]);
  }
  const ops::OpDef* def = ops::Registry::global().find(node.domain, node.op_type);
  return make_strided_copy("transpose", x, {}, y_dims, strides, 0, def->reference);
}

}  // namespace tandem::cpu
