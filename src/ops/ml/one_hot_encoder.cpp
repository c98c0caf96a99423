// OneHotEncoder: each element of X becomes a float row of length len(cats) with a 1 at its
// category: Y [..., len(cats)]. Numbers are looked up in cats_int64s (cast to int64), strings in
// cats_strings; an unknown value gives a zero row, or an error when zeros is 0.
#include <unordered_map>

#include "ops/ml/ml_common.h"

namespace tandem::ops {
namespace {
void infer(InferContext& ctx) {
  const bool strings = ctx.has_attr("cats_strings");
  if (strings == ctx.has_attr("cats_int64s"))
    throw ctx.error(ErrorKind::InvalidModel,
                    "exactly one of cats_int64s and cats_strings must be set");
  const int64_t count = strings ? int64_t(ctx.attr<std::vector<std::string>>("cats_strings").size())
                                : int64_t(ctx.attr<std::vector<int64_t>>("cats_int64s").size());
  const ElementType type = ctx.input_type(0);
  if (type != ElementType::Undefined && (type == ElementType::String) != strings)
    throw ctx.error(ErrorKind::InvalidModel, "input {} does not match the {} categories",
                    to_string(type), strings ? "string" : "int64");
  const PartialShape& x = ctx.input_shape(0);
  if (!x.rank_known()) return ctx.set_output(0, ElementType::F32, PartialShape());
  std::vector<Dimension> dims = x.dims();
  dims.emplace_back(count);
  ctx.set_output(0, ElementType::F32, PartialShape(std::move(dims)));
}

void reference(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const bool zeros = ctx.attr<int64_t>("zeros", 1) != 0;
  std::vector<int64_t> positions(size_t(x.size()), -1);
  int64_t count = 0;
  if (x.element_type() == ElementType::String) {
    const auto cats = ctx.attr<std::vector<std::string>>("cats_strings");
    count = int64_t(cats.size());
    std::unordered_map<std::string, int64_t> index;
    for (size_t i = 0; i < cats.size(); ++i) index.emplace(cats[i], int64_t(i));
    auto in = x.span<const std::string>();
    for (size_t i = 0; i < in.size(); ++i)
      if (auto it = index.find(in[i]); it != index.end()) positions[i] = it->second;
  } else {
    const auto cats = ctx.attr<std::vector<int64_t>>("cats_int64s");
    count = int64_t(cats.size());
    std::unordered_map<int64_t, int64_t> index;
    for (size_t i = 0; i < cats.size(); ++i) index.emplace(cats[i], int64_t(i));
    const std::vector<double> in = x.to_double();
    for (size_t i = 0; i < in.size(); ++i)
      if (auto it = index.find(int64_t(in[i])); std::isfinite(in[i]) && it != index.end())
        positions[i] = it->second;
  }
  auto y = ctx.output(0).span<float>();
  for (size_t i = 0; i < positions.size(); ++i) {
    if (positions[i] >= 0) {
      y[i * size_t(count) + size_t(positions[i])] = 1.0f;
    } else if (!zeros) {
      throw ctx.error(ErrorKind::InvalidArgument, "element {} of X has no category and zeros is 0",
                      i);
    }
  }
}
}  // namespace

const OpDef& one_hot_encoder_op() {
  static const OpDef def{.name = "OneHotEncoder",
                         .domain = kMlDomain,
                         .versions = {1},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
