// oneDNN softmax kernels for ONNX Softmax and LogSoftmax on f32 tensors of static shapes,
// multithreaded over the rows where the reference runs them one after another on one thread.
// One difference at the edges: a row holding NaN or +inf is NaN throughout in the reference, while
// oneDNN (whose max skips NaN) gives NaN there only and 0 (-inf for LogSoftmax) beside it.
#include <algorithm>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "devices/cpu/kernels/kernels.h"
#include "devices/cpu/kernels/onednn_common.h"
#include "devices/cpu/kernels/onednn_same_shape_kernel.h"
#include "ops/node_context.h"
#include "ops/registry.h"

namespace tandem::cpu {
namespace {

using dnnl::memory;

}  // namespace

std::unique_ptr<Kernel> make_onednn_softmax(const NodeInfo& info) {
  const ir::Node& node = info.node;
  if (!(node.domain.empty() || node.domain == "ai.onnx") ||
      (node.op_type != "Softmax" && node.op_type != "LogSoftmax") || node.outputs.size() != 1 ||
      info.input_types.empty() || !is_static_f32(info.input_types[0]))
    return nullptr;
  const Shape x = info.input_types[0]->shape.to_shape();
  const auto rank = int64_t(x.size());
  if (rank == 0 || shape_size(x) == 0) return nullptr;
  int64_t axis = 0;
  try {
    axis = ops::NodeContext(node, info.opset).attr<int64_t>("axis", info.opset < 13 ? 1 : -1);
  } catch (const Error&) {
    return nullptr;  // a malformed attribute: the reference reports it
  }
  if (axis < -rank || axis >= rank) return nullptr;
  if (axis < 0) axis += rank;
  // Before opset 13 the rows are the trailing axes from `axis` on, flattened: a 2-D view
  // [prod(x[:axis]), prod(x[axis:])] normalised along its second axis. From 13 it is one axis of
  // the tensor as it is; a 3-D view [outer, n, inner] keeps the rank within oneDNN's.
  memory::dims dims;
  const auto product = [&](int64_t from, int64_t to) {
    memory::dim p = 1;
    for (int64_t d = from; d < to; ++d) p *= x[d];
    return p;
  };
  if (info.opset < 13)
    dims = {product(0, axis), product(axis, rank)};
  else
    dims = {product(0, axis), x[axis], product(axis + 1, rank)};
  try {
    const memory::desc md(dims, memory::data_type::f32,
                          dims.size() == 2 ? memory::format_tag::ab : memory::format_tag::abc);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // per-thread, see run()
    const auto algorithm = node.op_type == "Softmax" ? dnnl::algorithm::softmax_accurate
                                                     : dnnl::algorithm::softmax_log;
    const dnnl::softmax_v2_forward::primitive_desc pd(
        dnnl::softmax_v2_forward::desc(dnnl::prop_kind::forward_inference, algorithm, md, md,
                                       /*axis=*/1),
        attr, cpu_engine());
    const ops::OpDef* def = ops::Registry::global().find(node.domain, node.op_type);
    return std::make_unique<OnednnSameShapeKernel<dnnl::softmax_v2_forward>>("softmax", x, pd, def->reference);
  } catch (const dnnl::error&) {
    return nullptr;
  }
}

}  // namespace tandem::cpu
