// The comparisons: Equal, Greater, Less, GreaterOrEqual, LessOrEqual, with broadcasting and a
// bool output.
#include <functional>

#include "ops/elementwise/elementwise_common.h"

namespace tandem::ops {
namespace {

// Versions differ in element types and broadcasting: opset 1 broadcasts by the
// `broadcast`/`axis` attributes, 7 by numpy rules; later versions widened the types (Equal-11
// floats, 13 bfloat16, Equal-19 strings; strings are accepted ahead of 19 rather than rejected).
template <unsigned Set, class Compare>
void compare_kernel(KernelContext& ctx) {
  binary_kernel<Set, bool>(ctx, [](const auto& a, const auto& b) { return Compare()(a, b); });
}

OpDef comparison_op(std::string_view name, std::vector<int> versions, KernelFn reference) {
  return OpDef{.name = name,
               .versions = std::move(versions),
               .infer = infer_broadcast_bool,
               .reference = reference};
}

}  // namespace

const OpDef& equal_op() {
  static const OpDef def =
      comparison_op("Equal", {1, 7, 11, 13, 19}, compare_kernel<kAll, std::equal_to<>>);
  return def;
}

const OpDef& greater_op() {
  static const OpDef def =
      comparison_op("Greater", {1, 7, 9, 13}, compare_kernel<kNumeric, std::greater<>>);
  return def;
}

const OpDef& less_op() {
  static const OpDef def =
      comparison_op("Less", {1, 7, 9, 13}, compare_kernel<kNumeric, std::less<>>);
  return def;
}

const OpDef& greater_or_equal_op() {
  static const OpDef def =
      comparison_op("GreaterOrEqual", {12, 16}, compare_kernel<kNumeric, std::greater_equal<>>);
  return def;
}

const OpDef& less_or_equal_op() {
  static const OpDef def =
      comparison_op("LessOrEqual", {12, 16}, compare_kernel<kNumeric, std::less_equal<>>);
  return def;
}

}  // namespace tandem::ops
