// How ScatterElements and ScatterND combine an update with the value already in place.
#pragma once

#include <algorithm>

#include "ops/dispatch.h"
#include "ops/node_context.h"

namespace tandem::ops {

enum class ScatterReduction { None, Add, Mul, Max, Min };

/// The node's `reduction`: opset 16 added none/add/mul, opset 18 max/min; InvalidModel otherwise.
ScatterReduction scatter_reduction(const NodeContext& ctx);

/// t = reduction(t, u), computed in compute_t<T>; not for ScatterReduction::None.
template <class T>
void scatter_combine(ScatterReduction reduction, T& t, const T& u) {
  using C = compute_t<T>;
  switch (reduction) {
    case ScatterReduction::Add: t = T(C(t) + C(u)); return;
    case ScatterReduction::Mul: t = T(C(t) * C(u)); return;
    case ScatterReduction::Max: t = T(std::max(C(t), C(u))); return;
    case ScatterReduction::Min: t = T(std::min(C(t), C(u))); return;
    case ScatterReduction::None: t = u; return;
  }
}

}  // namespace tandem::ops
