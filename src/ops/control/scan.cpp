// Scan: runs the body once per slice of the scan inputs, carrying N state values and stacking K
// scan outputs.
#include <algorithm>

#include "ops/op.h"
#include "ops/sequence/pieces.h"
#include "ops/shape_utils.h"

namespace tandem::ops {
namespace {
// Opset 8 has a leading batch axis on every state and scan input/output, an optional first input
// sequence_lens, and `directions` for the inputs; scans run along axis 1. Opset 9 dropped the
// batch axis and sequence_lens and added scan_input_axes/directions and scan_output_axes/
// directions; 11 allowed negative axes; 16 and 19 to 25 only widened the types (19 on: float8,
// int4, float4, int2, which tandem's tensors cannot hold).
struct Layout {
  size_t first = 0;  // index of the first state input (1 in opset 8, after sequence_lens)
  size_t states = 0, scan_inputs = 0, scan_outputs = 0;
};

Layout layout(const NodeContext& ctx, const ir::Graph& body) {
  Layout l;
  l.first = ctx.opset() < 9 ? 1 : 0;
  const int64_t m = ctx.attr<int64_t>("num_scan_inputs");
  if (m <= 0 || size_t(m) + l.first > ctx.num_inputs())
    throw ctx.error(ErrorKind::InvalidModel, "num_scan_inputs is {}, but the node has {} inputs", m,
                    ctx.num_inputs());
  l.scan_inputs = size_t(m);
  l.states = ctx.num_inputs() - l.first - l.scan_inputs;
  if (body.inputs.size() != l.states + l.scan_inputs)
    throw ctx.error(ErrorKind::InvalidModel,
                    "the body takes {} inputs, expected {} states and {} scan inputs",
                    body.inputs.size(), l.states, l.scan_inputs);
  if (body.outputs.size() < l.states)
    throw ctx.error(ErrorKind::InvalidModel, "the body gives {} outputs, fewer than its {} states",
                    body.outputs.size(), l.states);
  l.scan_outputs = body.outputs.size() - l.states;
  return l;
}

// A per-input or per-output attribute list (axes, directions), zeros when absent.
std::vector<int64_t> list_attr(const NodeContext& ctx, const std::string& name, size_t count) {
  std::vector<int64_t> values = ctx.attr<std::vector<int64_t>>(name, {});
  if (values.empty()) return std::vector<int64_t>(count, 0);
  if (values.size() != count)
    throw ctx.error(ErrorKind::InvalidModel, "{} has {} values, expected {}", name, values.size(),
                    count);
  return values;
}

void infer(InferContext& ctx) {
  const ir::Graph& body = ctx.subgraph("body");
  const Layout l = layout(ctx, body);
  const bool batched = ctx.opset() < 9;
  for (size_t i = 0; i < l.states; ++i)
    ctx.set_output(i, batched ? ctx.input(l.first + i)
                              : merge_types(body.outputs[i].type, ctx.input(l.first + i)));
  // The scan length, from the first scan input where known.
  Dimension length, batch;
  const PartialShape& first_scan = ctx.input_shape(l.first + l.states);
  const std::vector<int64_t> in_axes =
      batched ? std::vector<int64_t>{1} : list_attr(ctx, "scan_input_axes", l.scan_inputs);
  if (first_scan.rank_known() && first_scan.rank() > 0) {
    const auto axis = size_t(normalize_axis(ctx, in_axes[0], first_scan.rank()));
    length = first_scan[axis];
    if (batched) batch = first_scan[0];
  }
  const std::vector<int64_t> out_axes = batched
                                            ? std::vector<int64_t>(l.scan_outputs, 0)
                                            : list_attr(ctx, "scan_output_axes", l.scan_outputs);
  for (size_t k = 0; k < l.scan_outputs; ++k) {
    const ValueType& element = body.outputs[l.states + k].type;
    PartialShape shape;
    if (element.shape.rank_known()) {
      std::vector<Dimension> dims = element.shape.dims();
      const auto axis = size_t(normalize_axis(ctx, out_axes[k], dims.size() + 1));
      dims.insert(dims.begin() + ptrdiff_t(axis), length);
      if (batched) dims.insert(dims.begin(), batch);
      shape = PartialShape(std::move(dims));
    }
    ctx.set_output(l.states + k, element.element_type, std::move(shape));
  }
}

// Element `index` of `tensor` along `axis`, the axis dropped.
Tensor take(const Tensor& tensor, size_t axis, int64_t index) {
  Tensor slice = slice_along(tensor, axis, index, 1);
  Shape shape = tensor.shape();
  shape.erase(shape.begin() + ptrdiff_t(axis));
  return slice.reshaped(std::move(shape));
}

std::vector<Value> run_body(const KernelContext& ctx, const ir::Graph& body,
                            std::vector<Value> inputs) {
  std::vector<Value> outputs = ctx.run_subgraph(body, std::move(inputs));
  if (outputs.size() != body.outputs.size())
    throw ctx.error(ErrorKind::Runtime, "the body gave {} outputs, expected {}", outputs.size(),
                    body.outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i)
    if (!outputs[i].is_tensor())
      throw ctx.error(ErrorKind::InvalidArgument, "body output {} must be a tensor, got {}", i,
                      to_string(type_of(outputs[i])));
  return outputs;
}

// The element type and shape a body output declares, for scan outputs no iteration produced.
// Unknown dimensions read as 0 where the result is empty anyway (`exact` false).
std::pair<ElementType, Shape> declared_element(const KernelContext& ctx, const Port& output,
                                               bool exact) {
  const ValueType& element = output.type;
  const bool usable = element.is_tensor() && element.element_type != ElementType::Undefined &&
                      (exact ? element.shape.is_static() : element.shape.rank_known());
  if (!usable)
    throw ctx.error(ErrorKind::Unsupported,
                    "no iteration gave scan output '{}', and the body declares it as {}",
                    output.name, to_string(element));
  Shape shape;
  for (const Dimension& d : element.shape.dims()) shape.push_back(d.is_static() ? d.value : 0);
  return {element.element_type, shape};
}

void reference_v9(KernelContext& ctx, const ir::Graph& body, const Layout& l) {
  const auto in_axes = list_attr(ctx, "scan_input_axes", l.scan_inputs);
  const auto in_directions = list_attr(ctx, "scan_input_directions", l.scan_inputs);
  const auto out_axes = list_attr(ctx, "scan_output_axes", l.scan_outputs);
  const auto out_directions = list_attr(ctx, "scan_output_directions", l.scan_outputs);
  std::vector<Value> states;
  for (size_t i = 0; i < l.states; ++i) states.push_back(ctx.value(i));
  std::vector<const Tensor*> inputs;
  std::vector<size_t> axes;
  int64_t length = -1;
  for (size_t j = 0; j < l.scan_inputs; ++j) {
    const Tensor& x = ctx.input(l.states + j);
    if (x.rank() == 0) throw ctx.error(ErrorKind::InvalidArgument, "scan input {} is a scalar", j);
    const auto axis = size_t(normalize_axis(ctx, in_axes[j], x.rank()));
    if (length >= 0 && x.shape()[axis] != length)
      throw ctx.error(ErrorKind::InvalidArgument,
                      "scan input {} has length {} along axis {}, expected {}", j, x.shape()[axis],
                      axis, length);
    length = x.shape()[axis];
    inputs.push_back(&x);
    axes.push_back(axis);
  }
  std::vector<std::vector<Tensor>> scans(l.scan_outputs);
  for (int64_t t = 0; t < length; ++t) {
    std::vector<Value> body_inputs = states;
    for (size_t j = 0; j < l.scan_inputs; ++j)
      body_inputs.push_back(take(*inputs[j], axes[j], in_directions[j] ? length - 1 - t : t));
    std::vector<Value> outputs = run_body(ctx, body, std::move(body_inputs));
    for (size_t i = 0; i < l.states; ++i) states[i] = std::move(outputs[i]);
    for (size_t k = 0; k < l.scan_outputs; ++k) scans[k].push_back(outputs[l.states + k].tensor());
  }
  for (size_t i = 0; i < l.states; ++i) ctx.set_output(i, std::move(states[i]));
  for (size_t k = 0; k < l.scan_outputs; ++k) {
    const ValueType& element = body.outputs[l.states + k].type;
    const size_t rank = scans[k].empty() ? element.shape.rank() : scans[k][0].rank();
    const auto axis = size_t(normalize_axis(ctx, out_axes[k], rank + 1));
    if (scans[k].empty()) {
      auto [type, shape] = declared_element(ctx, body.outputs[l.states + k], false);
      shape.insert(shape.begin() + ptrdiff_t(axis), 0);
      ctx.set_output(l.states + k, Tensor(type, shape));
      continue;
    }
    if (out_directions[k]) std::reverse(scans[k].begin(), scans[k].end());
    ctx.set_output(l.states + k, stack_along(ctx, scans[k], axis));
  }
}

// Opset 8: each batch entry is its own scan along axis 1; shorter sequences are padded with zeros.
void reference_v8(KernelContext& ctx, const ir::Graph& body, const Layout& l) {
  const auto directions = list_attr(ctx, "directions", l.scan_inputs);
  std::vector<const Tensor*> states, inputs;
  for (size_t i = 0; i < l.states; ++i) states.push_back(&ctx.input(1 + i));
  for (size_t j = 0; j < l.scan_inputs; ++j) inputs.push_back(&ctx.input(1 + l.states + j));
  const Tensor& first = *inputs[0];
  if (first.rank() < 2)
    throw ctx.error(ErrorKind::InvalidArgument,
                    "scan input 0 must be [batch, sequence, ...], got {}", describe(first));
  const int64_t batch = first.shape()[0], max_length = first.shape()[1];
  for (const Tensor* t : states)
    if (t->rank() == 0 || t->shape()[0] != batch)
      throw ctx.error(ErrorKind::InvalidArgument, "state {} must have the batch size {} first",
                      describe(*t), batch);
  for (const Tensor* t : inputs)
    if (t->rank() < 2 || t->shape()[0] != batch || t->shape()[1] != max_length)
      throw ctx.error(ErrorKind::InvalidArgument, "scan input {} must be [{}, {}, ...]",
                      describe(*t), batch, max_length);
  std::vector<int64_t> lengths(size_t(batch), max_length);
  if (ctx.has_input(0)) {
    lengths = ctx.input(0).to_int64();
    if (int64_t(lengths.size()) != batch)
      throw ctx.error(ErrorKind::InvalidArgument, "sequence_lens has {} values for a batch of {}",
                      lengths.size(), batch);
    for (int64_t n : lengths)
      if (n < 0 || n > max_length)
        throw ctx.error(ErrorKind::InvalidArgument, "sequence_lens holds {}, outside [0, {}]", n,
                        max_length);
  }
  std::vector<std::vector<Tensor>> final_states(l.states);  // per state, per batch entry
  std::vector<std::vector<std::vector<Tensor>>> steps(l.scan_outputs);  // per output, entry, step
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<Value> carried;
    for (const Tensor* s : states) carried.push_back(take(*s, 0, b));
    std::vector<Tensor> rows;
    for (const Tensor* x : inputs) rows.push_back(take(*x, 0, b));
    for (auto& per_output : steps) per_output.emplace_back();
    const int64_t length = lengths[b];
    for (int64_t t = 0; t < length; ++t) {
      std::vector<Value> body_inputs = carried;
      for (size_t j = 0; j < l.scan_inputs; ++j)
        body_inputs.push_back(take(rows[j], 0, directions[j] ? length - 1 - t : t));
      std::vector<Value> outputs = run_body(ctx, body, std::move(body_inputs));
      for (size_t i = 0; i < l.states; ++i) carried[i] = std::move(outputs[i]);
      for (size_t k = 0; k < l.scan_outputs; ++k)
        steps[k].back().push_back(outputs[l.states + k].tensor());
    }
    for (size_t i = 0; i < l.states; ++i) final_states[i].push_back(carried[i].tensor());
  }
  for (size_t i = 0; i < l.states; ++i)
    ctx.set_output(i, batch ? stack_along(ctx, final_states[i], 0) : states[i]->clone());
  for (size_t k = 0; k < l.scan_outputs; ++k) {
    const Tensor* sample = nullptr;
    for (const auto& entry : steps[k])
      if (!entry.empty()) sample = &entry[0];
    if (!sample) {  // every sequence is empty: all padding
      auto [type, shape] =
          declared_element(ctx, body.outputs[l.states + k], batch * max_length > 0);
      shape.insert(shape.begin(), {batch, max_length});
      ctx.set_output(l.states + k, Tensor(type, shape));
      continue;
    }
    const Tensor padding(sample->element_type(), sample->shape());  // zeros
    std::vector<Tensor> entries;
    for (auto& entry : steps[k]) {
      while (int64_t(entry.size()) < max_length) entry.push_back(padding);
      entries.push_back(stack_along(ctx, entry, 0));
    }
    ctx.set_output(l.states + k, stack_along(ctx, entries, 0));
  }
}

void reference(KernelContext& ctx) {
  const ir::Graph& body = ctx.subgraph("body");
  const Layout l = layout(ctx, body);
  if (ctx.opset() < 9)
    reference_v8(ctx, body, l);
  else
    reference_v9(ctx, body, l);
}
}  // namespace

const OpDef& scan_op() {
  static const OpDef def{.name = "Scan",
                         .versions = {8, 9, 11, 16, 19, 21, 23, 24, 25},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
