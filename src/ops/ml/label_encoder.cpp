// LabelEncoder: maps each element of X through keys -> values, else to the default.
//
// Opset 1 maps strings to their index in classes_strings (default_int64 when absent) or int64
// indices to those strings (default_string when out of range). Opset 2 takes parallel keys_* and
// values_* lists (float, int64, string) with a default_* of the values' type. Opset 4 adds int16,
// int32 and double through keys_tensor/values_tensor/default_tensor; a NaN key matches any NaN,
// and a repeated key's last value wins.
#include <map>
#include <unordered_map>

#include "ops/ml/ml_common.h"

namespace tandem::ops {
namespace {
// The keys: one of the three lists (or the tensor), as a tensor.
Tensor keys_of(const NodeContext& ctx) {
  std::vector<Tensor> found;
  if (ctx.has_attr("keys_floats"))
    found.push_back(Tensor::from(ctx.attr<std::vector<float>>("keys_floats")));
  if (ctx.has_attr("keys_int64s"))
    found.push_back(Tensor::from(ctx.attr<std::vector<int64_t>>("keys_int64s")));
  if (ctx.has_attr("keys_strings"))
    found.push_back(Tensor::from(ctx.attr<std::vector<std::string>>("keys_strings")));
  if (ctx.opset() >= 4 && ctx.has_attr("keys_tensor"))
    found.push_back(ctx.attr<Tensor>("keys_tensor"));
  if (found.size() != 1)
    throw ctx.error(ErrorKind::InvalidModel, "exactly one keys_* attribute must be set, got {}",
                    found.size());
  return found[0].reshaped({found[0].size()});
}

Tensor values_of(const NodeContext& ctx) {
  std::vector<Tensor> found;
  if (ctx.has_attr("values_floats"))
    found.push_back(Tensor::from(ctx.attr<std::vector<float>>("values_floats")));
  if (ctx.has_attr("values_int64s"))
    found.push_back(Tensor::from(ctx.attr<std::vector<int64_t>>("values_int64s")));
  if (ctx.has_attr("values_strings"))
    found.push_back(Tensor::from(ctx.attr<std::vector<std::string>>("values_strings")));
  if (ctx.opset() >= 4 && ctx.has_attr("values_tensor"))
    found.push_back(ctx.attr<Tensor>("values_tensor"));
  if (found.size() != 1)
    throw ctx.error(ErrorKind::InvalidModel, "exactly one values_* attribute must be set, got {}",
                    found.size());
  return found[0].reshaped({found[0].size()});
}

// The default of the values' type: default_tensor (opset 4) or the default_* attribute.
Tensor default_of(const NodeContext& ctx, ElementType type) {
  if (ctx.opset() >= 4 && ctx.has_attr("default_tensor")) {
    Tensor t = ctx.attr<Tensor>("default_tensor");
    if (t.element_type() != type || t.size() != 1)
      throw ctx.error(ErrorKind::InvalidModel, "default_tensor must hold one {}, got {}",
                      to_string(type), describe(t));
    return t.reshaped({});
  }
  switch (type) {
    case ElementType::String:
      return Tensor::scalar<std::string>(ctx.attr<std::string>("default_string", "_Unused"));
    case ElementType::F32:
      return Tensor::scalar<float>(ctx.attr<float>("default_float", -0.0f));
    case ElementType::F64:
      return Tensor::scalar<double>(-0.0);
    case ElementType::I64:
      return Tensor::scalar<int64_t>(ctx.attr<int64_t>("default_int64", -1));
    case ElementType::I32:
      return Tensor::scalar<int32_t>(-1);
    case ElementType::I16:
      return Tensor::scalar<int16_t>(-1);
    default:
      throw ctx.error(ErrorKind::InvalidModel, "values of type {} are not supported",
                      to_string(type));
  }
}

// Opset 1 as keys and values: strings -> indices, or indices -> strings.
std::pair<Tensor, Tensor> opset1_mapping(const NodeContext& ctx, ElementType input) {
  const auto classes = ctx.attr<std::vector<std::string>>("classes_strings", {});
  std::vector<int64_t> indices(classes.size());
  for (size_t i = 0; i < classes.size(); ++i) indices[i] = int64_t(i);
  if (input == ElementType::String) return {Tensor::from(classes), Tensor::from(indices)};
  return {Tensor::from(indices), Tensor::from(classes)};
}

ElementType output_type(const NodeContext& ctx, ElementType input) {
  if (ctx.opset() < 2) return input == ElementType::String ? ElementType::I64 : ElementType::String;
  return values_of(ctx).element_type();
}

void infer(InferContext& ctx) {
  const ElementType input = ctx.input_type(0);
  if (ctx.opset() >= 2 && input != ElementType::Undefined && keys_of(ctx).element_type() != input)
    throw ctx.error(ErrorKind::InvalidModel, "input {} does not match the keys of type {}",
                    to_string(input), to_string(keys_of(ctx).element_type()));
  ctx.set_output(0, output_type(ctx, input), ctx.input_shape(0));
}

// A key of any type, ordered for a map: NaN keys are folded into one.
template <class T>
struct KeyLess {
  bool operator()(const T& a, const T& b) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(a) || std::isnan(b)) return !std::isnan(a) && std::isnan(b);
    }
    return a < b;
  }
};

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor keys, values;
  if (ctx.opset() < 2) {
    std::tie(keys, values) = opset1_mapping(ctx, x.element_type());
  } else {
    keys = keys_of(ctx);
    values = values_of(ctx);
  }
  if (keys.element_type() != x.element_type())
    throw ctx.error(ErrorKind::InvalidArgument, "input {} does not match the keys of type {}",
                    describe(x), to_string(keys.element_type()));
  if (keys.size() != values.size())
    throw ctx.error(ErrorKind::InvalidModel, "{} keys but {} values", keys.size(), values.size());
  const Tensor fallback = default_of(ctx, values.element_type());
  std::vector<int64_t> found(size_t(x.size()), -1);
  visit_types<kNumeric | kString>(x.element_type(), [&]<class K>() {
    std::map<K, int64_t, KeyLess<K>> index;
    auto k = keys.span<const K>();
    for (size_t i = 0; i < k.size(); ++i) index[k[i]] = int64_t(i);
    auto in = x.span<const K>();
    for (size_t i = 0; i < in.size(); ++i)
      if (auto it = index.find(in[i]); it != index.end()) found[i] = it->second;
  });
  Tensor& y = ctx.allocate_output(0, values.element_type(), x.shape());
  visit_types<kNumeric | kString>(values.element_type(), [&]<class V>() {
    auto v = values.span<const V>();
    auto out = y.span<V>();
    const V d = fallback.span<const V>()[0];
    for (size_t i = 0; i < found.size(); ++i) out[i] = found[i] < 0 ? d : v[size_t(found[i])];
  });
}
}  // namespace

const OpDef& label_encoder_op() {
  static const OpDef def{.name = "LabelEncoder",
                         .domain = kMlDomain,
                         .versions = {1, 2, 4},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
