// oneDNN layer normalisation for ONNX LayerNormalization (opset 17, and tandem's of domain
// com.tandem that the graph passes make of a written-out one) on f32 tensors of static shapes, over the trailing axes from `axis` on, with a Scale and optional B that cover the
// normalised shape without broadcasting; the Mean and InvStdDev outputs are left to the reference.
#include <algorithm>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "devices/cpu/kernels/activation_pool.h"
#include "devices/cpu/kernels/kernels.h"
#include "devices/cpu/kernels/onednn_common.h"
#include "ops/node_context.h"
#include "ops/registry.h"
#include "ops/tandem_domain.h"

namespace tandem::cpu {
namespace {

using dnnl::memory;

class OnednnLayerNorm final : public Kernel {
 public:
  OnednnLayerNorm(Shape x, bool has_bias, memory::dim inner,
                  const dnnl::layer_normalization_forward::primitive_desc& pd,
                  ops::KernelFn reference)
      : x_(std::move(x)),
        has_bias_(has_bias),
        md_(pd.src_desc()),
        parameter_md_({inner}, memory::data_type::f32, memory::format_tag::a),
        scratchpad_md_(pd.scratchpad_desc()),
        layer_norm_(pd),
        reference_(reference),
        name_(std::string("onednn_layer_norm_f32:") + pd.impl_info_str()) {}

  std::string_view name() const override { return name_; }

  void run(ops::KernelContext& ctx) const override {
    const Tensor &x = ctx.input(0), &scale = ctx.input(1);
    // The primitive is fixed to the shapes known at compile time; other shapes or types at run
    // time (a model whose declared shapes were wrong) go to the reference.
    const size_t inner = parameter_md_.get_size() / sizeof(float);
    const auto fits = [&](const Tensor& t) {
      return t.element_type() == ElementType::F32 && size_t(t.size()) == inner;
    };
    if (x.element_type() != ElementType::F32 || x.shape() != x_ || !fits(scale) ||
        (has_bias_ && !fits(ctx.input(2))))
      return reference_(ctx);
    const Arg args[] = {{DNNL_ARG_SRC, &md_, x.data()},
                        {DNNL_ARG_DST, &md_, pooled_output(ctx, 0).data()},
                        {DNNL_ARG_SCALE, &parameter_md_, scale.data()},
                        {DNNL_ARG_SCRATCHPAD, &scratchpad_md_, thread_workspace(scratchpad_md_.get_size())},
                        {DNNL_ARG_SHIFT, &parameter_md_, has_bias_ ? ctx.input(2).data() : nullptr}};
    execute_memory_bound(layer_norm_, std::span<const Arg>(args, has_bias_ ? 5 : 4), x.size());
  }

 private:
  Shape x_;
  bool has_bias_;
  memory::desc md_, parameter_md_, scratchpad_md_;
  dnnl::layer_normalization_forward layer_norm_;
  ops::KernelFn reference_;
  std::string name_;
};

// Whether a parameter of shape `p`, broadcast to `normalized`, is `normalized`'s elements in
// order: it repeats nothing, so oneDNN can read it as one value per normalised element.
bool covers(const Shape& p, const Shape& normalized) {
  if (p.size() > normalized.size()) return false;
  const size_t lead = normalized.size() - p.size();
  return std::equal(p.begin(), p.end(), normalized.begin() + lead) &&
         std::all_of(normalized.begin(), normalized.begin() + lead,
                     [](int64_t d) { return d == 1; });
}

}  // namespace

std::unique_ptr<Kernel> make_onednn_layer_norm(const NodeInfo& info) {
  const ir::Node& node = info.node;
  if (!(node.domain.empty() || node.domain == "ai.onnx" || node.domain == ops::kTandemDomain) ||
      node.op_type != "LayerNormalization" || node.inputs.size() < 2)
    return nullptr;
  // Mean and InvStdDev are what oneDNN's training pass writes, in its own statistics layout.
  for (size_t i = 1; i < node.outputs.size(); ++i)
    if (!node.outputs[i].empty()) return nullptr;
  const bool has_bias = node.inputs.size() > 2 && !node.inputs[2].empty();
  if (info.input_types.size() < (has_bias ? 3u : 2u)) return nullptr;
  for (size_t i = 0; i < (has_bias ? 3u : 2u); ++i)
    if (!is_static_f32(info.input_types[i])) return nullptr;
  const Shape x = info.input_types[0]->shape.to_shape();
  const auto rank = int64_t(x.size());
  if (rank == 0 || shape_size(x) == 0) return nullptr;
  int64_t axis = 0;
  float epsilon = 0;
  try {
    const ops::NodeContext ctx(node, info.opset);
    axis = ctx.attr<int64_t>("axis", -1);
    epsilon = ctx.attr<float>("epsilon", 1e-5f);
    // Statistics in f32, as oneDNN keeps them; other stash types stay with the reference.
    if (ctx.attr<int64_t>("stash_type", 1) != int64_t(ElementType::F32)) return nullptr;
  } catch (const Error&) {
    return nullptr;  // a malformed attribute: the reference reports it
  }
  if (axis < -rank || axis >= rank) return nullptr;
  if (axis < 0) axis += rank;
  const Shape normalized(x.begin() + axis, x.end());
  if (!covers(info.input_types[1]->shape.to_shape(), normalized) ||
      (has_bias && !covers(info.input_types[2]->shape.to_shape(), normalized)))
    return nullptr;
  const memory::dim inner = shape_size(normalized);
  try {
    // The normalised axes flattened into one: oneDNN normalises over the last.
    const memory::desc md({memory::dim(shape_size(x)) / inner, inner}, memory::data_type::f32,
                          memory::format_tag::ab);
    auto flags = dnnl::normalization_flags::use_scale;
    if (has_bias) flags |= dnnl::normalization_flags::use_shift;
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // per-thread, see run()
    const dnnl::layer_normalization_forward::primitive_desc pd(
        dnnl::layer_normalization_forward::desc(dnnl::prop_kind::forward_inference, md, epsilon,
                                                flags),
        attr, cpu_engine());
    const ops::OpDef* def = ops::Registry::global().find(node.domain, node.op_type);
    return std::make_unique<OnednnLayerNorm>(x, has_bias, inner, pd, def->reference);
  } catch (const dnnl::error&) {
    return nullptr;
  }
}

}  // namespace tandem::cpu
