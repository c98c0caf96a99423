// CategoryMapper: strings map to int64 and int64 to strings through the parallel lists
// cats_strings and cats_int64s; a value missing from the list maps to default_int64 (-1) or
// default_string ("_Unused"). The output has the input's shape.
#include <unordered_map>

#include "ops/ml/ml_common.h"

namespace tandem::ops {
namespace {
struct Categories {
  std::vector<std::string> strings;
  std::vector<int64_t> ints;
};

Categories categories_of(const NodeContext& ctx) {
  Categories c{ctx.attr<std::vector<std::string>>("cats_strings", {}),
               ctx.attr<std::vector<int64_t>>("cats_int64s", {})};
  if (c.strings.size() != c.ints.size())
    throw ctx.error(ErrorKind::InvalidModel, "cats_strings has {} entries, cats_int64s {}",
                    c.strings.size(), c.ints.size());
  return c;
}

void infer(InferContext& ctx) {
  categories_of(ctx);
  const ElementType t = ctx.input_type(0);
  if (t != ElementType::String && t != ElementType::I64 && t != ElementType::Undefined)
    throw ctx.error(ErrorKind::InvalidModel, "input must be string or int64, got {}", to_string(t));
  const ElementType out = t == ElementType::String ? ElementType::I64
                          : t == ElementType::I64  ? ElementType::String
                                                   : ElementType::Undefined;
  ctx.set_output(0, out, ctx.input_shape(0));
}

// A repeated category keeps its first mapping.
template <class From, class To>
void map_all(std::span<const From> x, std::span<To> y, const std::vector<From>& from,
             const std::vector<To>& to, const To& fallback) {
  std::unordered_map<From, size_t> index;
  for (size_t i = 0; i < from.size(); ++i) index.emplace(from[i], i);
  for (size_t i = 0; i < x.size(); ++i) {
    auto it = index.find(x[i]);
    y[i] = it == index.end() ? fallback : to[it->second];
  }
}

void reference(KernelContext& ctx) {
  const Categories c = categories_of(ctx);
  const Tensor& x = ctx.input(0);
  if (x.element_type() == ElementType::String) {
    Tensor& y = ctx.allocate_output(0, ElementType::I64, x.shape());
    map_all(x.span<const std::string>(), y.span<int64_t>(), c.strings, c.ints,
            ctx.attr<int64_t>("default_int64", -1));
    return;
  }
  if (x.element_type() != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidArgument, "input must be string or int64, got {}",
                    describe(x));
  Tensor& y = ctx.allocate_output(0, ElementType::String, x.shape());
  map_all(x.span<const int64_t>(), y.span<std::string>(), c.ints, c.strings,
          ctx.attr<std::string>("default_string", "_Unused"));
}
}  // namespace

const OpDef& category_mapper_op() {
  static const OpDef def{.name = "CategoryMapper",
                         .domain = kMlDomain,
                         .versions = {1},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
