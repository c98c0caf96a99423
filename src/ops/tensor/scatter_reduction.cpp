// The `reduction` attribute of ScatterElements and ScatterND.
#include "ops/tensor/scatter_reduction.h"

#include <string>

namespace tandem::ops {

ScatterReduction scatter_reduction(const NodeContext& ctx) {
  const std::string r = ctx.opset() >= 16 ? ctx.attr<std::string>("reduction", "none") : "none";
  if ((r == "max" || r == "min") && ctx.opset() < 18)
    throw ctx.error(ErrorKind::InvalidModel, "reduction '{}' needs opset 18", r);
  if (r == "none") return ScatterReduction::None;
  if (r == "add") return ScatterReduction::Add;
  if (r == "mul") return ScatterReduction::Mul;
  if (r == "max") return ScatterReduction::Max;
  if (r == "min") return ScatterReduction::Min;
  throw ctx.error(ErrorKind::InvalidModel, "unknown reduction '{}'", r);
}

}  // namespace tandem::ops
