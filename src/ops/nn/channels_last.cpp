// ChannelsLast (com.tandem): the inner op's inference and reference kernel on the images laid out
// channels-first again, the output laid out channels-last. The reference transposes through
// Transpose's own reference kernel, so it computes exactly what the inner op does.
#include "ops/nn/channels_last.h"

#include <algorithm>
#include <string>
#include <utility>

#include "ops/nn/fused_conv.h"
#include "ops/op.h"
#include "ops/registry.h"
#include "ops/tandem_domain.h"

namespace tandem::ops {
namespace {

constexpr const char* kInnerOp = "inner_op";
constexpr const char* kInnerDomain = "inner_domain";
constexpr const char* kInnerOpset = "inner_opset";
constexpr const char* kImageInputs = "image_inputs";

const OpDef& inner_def(const NodeContext& ctx, const ir::Node& inner) {
  const OpDef* def = Registry::global().find(inner.domain, inner.op_type);
  if (!def) throw ctx.error(ErrorKind::InvalidModel, "wraps op {}, which tandem does not have", inner.op_type);
  return *def;
}

bool is_image(const std::vector<int64_t>& images, size_t i) {
  return std::find(images.begin(), images.end(), int64_t(i)) != images.end();
}

PartialShape permuted(const NodeContext& ctx, const PartialShape& shape, const std::vector<int64_t>& perm) {
  if (!shape.rank_known()) return PartialShape::of_rank(perm.size());
  if (shape.rank() != perm.size())
    throw ctx.error(ErrorKind::InvalidModel, "an image input has shape {}; it must have rank {}", to_string(shape),
                    perm.size());
  std::vector<Dimension> dims;
  for (int64_t p : perm) dims.push_back(shape[size_t(p)]);
  return PartialShape(std::move(dims));
}

Value transposed(const NodeContext& ctx, const Value& x, const std::vector<int64_t>& perm) {
  const ir::Node transpose{ctx.node().name, "Transpose", "", {"x"}, {"y"}, {{"perm", perm}}};
  const Tensor& t = x.tensor();
  return run_reference(transpose, 13, {&x},
                       ValueType::tensor(t.element_type(), permuted(ctx, PartialShape(t.shape()), perm)));
}

void infer(InferContext& ctx) {
  const InnerNode inner = channels_last_inner(ctx);
  const std::vector<int64_t> images = channels_last_images(ctx);
  if (ctx.num_outputs() != 1) throw ctx.error(ErrorKind::InvalidModel, "has {} outputs, not one", ctx.num_outputs());
  std::vector<ValueType> types(ctx.num_inputs());
  std::vector<const ValueType*> type_of(ctx.num_inputs(), nullptr);
  std::vector<const Value*> value_of(ctx.num_inputs(), nullptr);
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) continue;
    types[i] = ctx.input(i);
    if (is_image(images, i))
      types[i].shape = permuted(ctx, types[i].shape, kToChannelsFirst);
    else
      value_of[i] = ctx.input_value(i);
    type_of[i] = &types[i];
  }
  InferContext inner_ctx(inner.node, inner.opset, std::move(type_of), std::move(value_of));
  inner_def(ctx, inner.node).infer(inner_ctx);
  ValueType y = inner_ctx.outputs()[0];
  y.shape = permuted(ctx, y.shape, kToChannelsLast);
  ctx.set_output(0, std::move(y));
}

void reference(KernelContext& ctx) {
  const InnerNode inner = channels_last_inner(ctx);
  const std::vector<int64_t> images = channels_last_images(ctx);
  std::vector<Value> first(ctx.num_inputs());  // the images, channels-first
  std::vector<const Value*> inputs(ctx.num_inputs(), nullptr);
  std::vector<ValueType> input_types(ctx.num_inputs());
  std::vector<const ValueType*> type_of(ctx.num_inputs(), nullptr);
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) continue;
    if (is_image(images, i)) {
      first[i] = transposed(ctx, ctx.value(i), kToChannelsFirst);
      inputs[i] = &first[i];
    } else {
      inputs[i] = &ctx.value(i);
    }
    const Tensor& t = inputs[i]->tensor();
    input_types[i] = ValueType::tensor(t.element_type(), PartialShape(t.shape()));
    type_of[i] = &input_types[i];
  }
  const OpDef& def = inner_def(ctx, inner.node);
  InferContext inner_types(inner.node, inner.opset, type_of, inputs);
  def.infer(inner_types);
  KernelContext kernel(inner.node, inner.opset, inputs, inner_types.outputs(), nullptr);
  def.reference(kernel);
  ctx.set_output(0, transposed(ctx, kernel.results()[0], kToChannelsLast));
}

}  // namespace

InnerNode channels_last_inner(const NodeContext& ctx) {
  InnerNode inner;
  inner.node = ctx.node();
  inner.node.op_type = ctx.attr<std::string>(kInnerOp);
  inner.node.domain = ctx.attr<std::string>(kInnerDomain, "");
  inner.opset = int(ctx.attr<int64_t>(kInnerOpset));
  for (const char* name : {kInnerOp, kInnerDomain, kInnerOpset, kImageInputs}) inner.node.attributes.erase(name);
  return inner;
}

std::vector<int64_t> channels_last_images(const NodeContext& ctx) {
  std::vector<int64_t> images = ctx.attr<std::vector<int64_t>>(kImageInputs);
  for (int64_t i : images)
    if (i < 0 || size_t(i) >= ctx.num_inputs())
      throw ctx.error(ErrorKind::InvalidModel, "image input {} is not one of its {} inputs", i, ctx.num_inputs());
  return images;
}

ir::Node wrap_channels_last(const ir::Node& inner, int inner_opset, const std::vector<int64_t>& images) {
  ir::Node node = inner;
  node.op_type = std::string(kChannelsLastOp);
  node.domain = std::string(kTandemDomain);
  node.attributes[kInnerOp] = inner.op_type;
  node.attributes[kInnerDomain] = inner.domain;
  node.attributes[kInnerOpset] = int64_t(inner_opset);
  node.attributes[kImageInputs] = images;
  return node;
}

const OpDef& channels_last_op() {
  static const OpDef def{.name = kChannelsLastOp,
                         .domain = kTandemDomain,
                         .versions = {kTandemOpset},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
