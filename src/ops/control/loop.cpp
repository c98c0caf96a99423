// Loop: runs the body while the trip count M and the condition allow, carrying N values from
// one iteration to the next and stacking K scan outputs along a new first axis.
#include <limits>

#include "ops/op.h"
#include "ops/sequence/pieces.h"

namespace tandem::ops {
namespace {
// Opset 11 made the body's cond/iteration inputs explicit scalars; 13 allowed sequences among the
// carried values, 16 optionals; 19 to 25 only added element types (float8, int4, float4, int2)
// that tandem's tensors cannot hold. The body takes (iteration_num, cond, carried...) and gives
// (cond, carried..., scan outputs...).
struct Counts {
  size_t carried = 0, scans = 0;
};

Counts counts(const NodeContext& ctx, const ir::Graph& body) {
  const size_t carried = ctx.num_inputs() > 2 ? ctx.num_inputs() - 2 : 0;
  if (body.inputs.size() != carried + 2)
    throw ctx.error(ErrorKind::InvalidModel,
                    "the body takes {} inputs, expected {} (iteration, cond and {} carried)",
                    body.inputs.size(), carried + 2, carried);
  if (body.outputs.size() < carried + 1)
    throw ctx.error(ErrorKind::InvalidModel, "the body gives {} outputs, expected at least {}",
                    body.outputs.size(), carried + 1);
  const size_t scans = body.outputs.size() - 1 - carried;
  if (ctx.num_outputs() > carried + scans)
    throw ctx.error(ErrorKind::InvalidModel, "the node has {} outputs, the body gives {}",
                    ctx.num_outputs(), carried + scans);
  return {carried, scans};
}

void infer(InferContext& ctx) {
  const ir::Graph& body = ctx.subgraph("body");
  const Counts n = counts(ctx, body);
  for (size_t i = 0; i < n.carried; ++i)
    ctx.set_output(i, merge_types(body.outputs[1 + i].type, ctx.input(2 + i)));
  for (size_t k = 0; k < n.scans; ++k) {
    const ValueType& element = body.outputs[1 + n.carried + k].type;
    PartialShape shape;
    if (element.shape.rank_known()) {
      std::vector<Dimension> dims = element.shape.dims();
      dims.insert(dims.begin(), Dimension());
      shape = PartialShape(std::move(dims));
    }
    ctx.set_output(n.carried + k, element.element_type, std::move(shape));
  }
}

// The scan output of a loop that never ran: [0] followed by the body's declared element shape
// (unknown dimensions as 0: the tensor is empty either way).
Tensor empty_scan_output(const KernelContext& ctx, const ir::Graph& body, size_t output) {
  const ValueType& element = body.outputs[output].type;
  if (!element.is_tensor() || element.element_type == ElementType::Undefined)
    throw ctx.error(ErrorKind::Unsupported,
                    "the loop ran no iteration and body output '{}' declares no element type",
                    body.outputs[output].name);
  Shape shape{0};
  if (element.shape.rank_known())
    for (const Dimension& d : element.shape.dims()) shape.push_back(d.is_static() ? d.value : 0);
  return Tensor(element.element_type, shape);
}

void reference(KernelContext& ctx) {
  const ir::Graph& body = ctx.subgraph("body");
  const Counts n = counts(ctx, body);
  int64_t trip_count = std::numeric_limits<int64_t>::max();
  if (ctx.has_input(0)) {
    const Tensor& m = ctx.input(0);
    if (m.size() != 1)
      throw ctx.error(ErrorKind::InvalidArgument, "M must hold one value, got {}", describe(m));
    trip_count = m.scalar<int64_t>();
  }
  bool cond = true;
  if (ctx.has_input(1)) {
    const Tensor& c = ctx.input(1);
    if (c.size() != 1)
      throw ctx.error(ErrorKind::InvalidArgument, "cond must hold one value, got {}", describe(c));
    cond = c.scalar<bool>();
  }
  std::vector<Value> carried;
  for (size_t i = 0; i < n.carried; ++i) carried.push_back(ctx.value(2 + i));
  std::vector<std::vector<Tensor>> scans(n.scans);
  for (int64_t i = 0; i < trip_count && cond; ++i) {
    std::vector<Value> inputs{Tensor::scalar<int64_t>(i), Tensor::scalar<bool>(cond)};
    inputs.insert(inputs.end(), carried.begin(), carried.end());
    std::vector<Value> outputs = ctx.run_subgraph(body, std::move(inputs));
    if (outputs.size() != body.outputs.size())
      throw ctx.error(ErrorKind::Runtime, "the body gave {} outputs, expected {}", outputs.size(),
                      body.outputs.size());
    const Tensor& c = outputs[0].tensor();
    if (c.size() != 1)
      throw ctx.error(ErrorKind::InvalidArgument, "the body's cond must hold one value, got {}",
                      describe(c));
    cond = c.scalar<bool>();
    for (size_t j = 0; j < n.carried; ++j) carried[j] = std::move(outputs[1 + j]);
    for (size_t k = 0; k < n.scans; ++k) {
      const Value& v = outputs[1 + n.carried + k];
      if (!v.is_tensor())
        throw ctx.error(ErrorKind::InvalidArgument, "scan output {} must be a tensor, got {}", k,
                        to_string(type_of(v)));
      scans[k].push_back(v.tensor());
    }
  }
  for (size_t j = 0; j < n.carried; ++j) ctx.set_output(j, std::move(carried[j]));
  for (size_t k = 0; k < n.scans; ++k) {
    Tensor out = scans[k].empty() ? empty_scan_output(ctx, body, 1 + n.carried + k)
                                  : stack_along(ctx, scans[k], 0);
    ctx.set_output(n.carried + k, std::move(out));
  }
}
}  // namespace

const OpDef& loop_op() {
  static const OpDef def{.name = "Loop",
                         .versions = {1, 11, 13, 16, 19, 21, 23, 24, 25},
                         .infer = infer,
                         .reference = reference};
  return def;
}

}  // namespace tandem::ops
