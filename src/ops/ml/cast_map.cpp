// CastMap: a map from int64 keys to strings or floats becomes a row [1, K] of float, int64 or
// string, its values in ascending key order. DENSE packs the map's values; SPARSE places each value
// at its key's column in [1, max_map] and pads the rest. As ONNX Runtime: strings parse with stof
// and stoll, floats print with std::to_string, float to int64 truncates, and string padding is
// "0.f".
#include <algorithm>
#include <numeric>

#include "ops/ml/ml_common.h"

namespace tandem::ops {
namespace {
enum class CastTo { Float, String, Int64 };

CastTo cast_to_of(const NodeContext& ctx) {
  const std::string s = ctx.attr<std::string>("cast_to", "TO_FLOAT");
  if (s == "TO_FLOAT") return CastTo::Float;
  if (s == "TO_STRING") return CastTo::String;
  if (s == "TO_INT64") return CastTo::Int64;
  throw ctx.error(ErrorKind::InvalidModel,
                  "cast_to must be TO_FLOAT, TO_STRING or TO_INT64, got '{}'", s);
}

bool is_sparse(const NodeContext& ctx) {
  const std::string s = ctx.attr<std::string>("map_form", "DENSE");
  if (s != "DENSE" && s != "SPARSE")
    throw ctx.error(ErrorKind::InvalidModel, "map_form must be DENSE or SPARSE, got '{}'", s);
  return s == "SPARSE";
}

ElementType output_type(CastTo to) {
  switch (to) {
    case CastTo::Float:
      return ElementType::F32;
    case CastTo::String:
      return ElementType::String;
    case CastTo::Int64:
      return ElementType::I64;
  }
  return ElementType::Undefined;
}

void infer(InferContext& ctx) {
  const CastTo to = cast_to_of(ctx);
  const bool sparse = is_sparse(ctx);
  const ValueType& x = ctx.input(0);
  if (x.kind == ValueType::Kind::Map &&
      (x.key_type != ElementType::I64 ||
       (x.element_type != ElementType::F32 && x.element_type != ElementType::String)))
    throw ctx.error(ErrorKind::InvalidModel,
                    "input must be a map from int64 to float or string, got {}", to_string(x));
  if (x.kind != ValueType::Kind::Map && x.kind != ValueType::Kind::Unknown)
    throw ctx.error(ErrorKind::InvalidModel, "input must be a map, got {}", to_string(x));
  const Dimension width = sparse ? Dimension(ctx.attr<int64_t>("max_map", 1)) : Dimension();
  ctx.set_output(0, output_type(to), PartialShape({Dimension(1), width}));
}

// One value cast, from float or string.
template <class To>
To cast(const NodeContext& ctx, const Tensor& values, size_t i) {
  if (values.element_type() == ElementType::String) {
    const std::string& s = values.span<const std::string>()[i];
    try {
      if constexpr (std::is_same_v<To, float>) return std::stof(s);
      if constexpr (std::is_same_v<To, int64_t>) return std::stoll(s);
      if constexpr (std::is_same_v<To, std::string>) return s;
    } catch (const std::logic_error&) {
      throw ctx.error(ErrorKind::InvalidArgument, "cannot cast the string '{}' to a number", s);
    }
  }
  const float v = values.span<const float>()[i];
  if constexpr (std::is_same_v<To, float>) return v;
  if constexpr (std::is_same_v<To, int64_t>) return int64_t(v);
  if constexpr (std::is_same_v<To, std::string>) return std::to_string(v);
}

template <class To>
void fill(KernelContext& ctx, const Tensor& keys, const Tensor& values, bool sparse, To pad) {
  auto k = keys.span<const int64_t>();
  std::vector<size_t> order(k.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return k[a] < k[b]; });
  const int64_t width = sparse ? ctx.attr<int64_t>("max_map", 1) : int64_t(k.size());
  if (width < 0)
    throw ctx.error(ErrorKind::InvalidModel, "max_map must not be negative, got {}", width);
  auto y = ctx.allocate_output(0, element_type_of<To>(), {1, width}).template span<To>();
  if (!sparse) {
    for (size_t i = 0; i < order.size(); ++i) y[i] = cast<To>(ctx, values, order[i]);
    return;
  }
  if (!order.empty() && k[order[0]] < 0)
    throw ctx.error(ErrorKind::InvalidArgument, "SPARSE needs keys >= 0, got {}", k[order[0]]);
  std::fill(y.begin(), y.end(), pad);
  for (size_t i : order)
    if (k[i] < width) y[size_t(k[i])] = cast<To>(ctx, values, i);
}

void reference(KernelContext& ctx) {
  const Value& x = ctx.value(0);
  const Tensor& keys = x.map_keys();
  const Tensor& values = x.map_values();
  if (keys.element_type() != ElementType::I64 ||
      (values.element_type() != ElementType::F32 && values.element_type() != ElementType::String))
    throw ctx.error(ErrorKind::InvalidArgument,
                    "input must be a map from int64 to float or string, got keys {} and values {}",
                    describe(keys), describe(values));
  const bool sparse = is_sparse(ctx);
  switch (cast_to_of(ctx)) {
    case CastTo::Float:
      return fill<float>(ctx, keys, values, sparse, 0.0f);
    case CastTo::Int64:
      return fill<int64_t>(ctx, keys, values, sparse, 0);
    case CastTo::String:
      return fill<std::string>(ctx, keys, values, sparse, "0.f");
  }
}
}  // namespace

const OpDef& cast_map_op() {
  static const OpDef def{.name = "CastMap",
                         .domain = kMlDomain,
                         .versions = {1},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
