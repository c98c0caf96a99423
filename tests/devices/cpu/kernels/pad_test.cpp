// The CPU pad kernel against the reference kernel: a channels-last image's spatial padding (as
// Open-NSFW pads its input), asymmetric pads with a fill value, pads over chosen axes (opset 18),
// edge, reflect and wrap (pads longer than the dimension, and dimensions of 1, included); pads that
// crop stay with the reference. A copy: exact.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "devices/cpu/kernels/onednn_node_case.h"

namespace tandem {
namespace {

using testing::NodeCase;
using Ints = std::vector<int64_t>;

NodeCase pad(Shape x, Ints pads, std::optional<float> value = std::nullopt, Ints axes = {}, int opset = 19) {
  NodeCase c{"Pad", opset, {std::move(x)}};
  c.constants.emplace_back("pads", Tensor::from<int64_t>(pads));
  if (value || !axes.empty()) c.constants.emplace_back("value", Tensor::scalar<float>(value.value_or(0.0f)));
  if (!axes.empty()) c.constants.emplace_back("axes", Tensor::from<int64_t>(axes));
  return c;
}

void expect_matches(const NodeCase& c, std::string_view kernel, std::mt19937& rng) {
  testing::expect_matches_reference(c, testing::random_inputs(c, rng, -1.0f, 1.0f), kernel, 0.0f, 0.0f);
}

TEST(CpuPad, HandPickedCasesMatchReference) {
  std::mt19937 rng(31);
  expect_matches(pad({1, 224, 224, 3}, {0, 3, 3, 0, 0, 3, 3, 0}), "cpu_pad_f32", rng);
  expect_matches(pad({2, 5, 7, 9}, {0, 0, 1, 2, 0, 0, 3, 0}, -2.5f), "cpu_pad_f32", rng);
  expect_matches(pad({3, 17}, {1, 0, 0, 4}, 7.0f), "cpu_pad_f32", rng);
  expect_matches(pad({4, 6, 8}, {2, 1}, 1.0f, {-1}), "cpu_pad_f32", rng);
  expect_matches(pad({33}, {0, 0}), "cpu_pad_f32", rng);
}

TEST(CpuPad, EdgeReflectAndWrapMatchReference) {
  std::mt19937 rng(41);
  for (const char* mode : {"edge", "reflect", "wrap"}) {
    const auto with_mode = [&](NodeCase c) {
      c.attributes = {{"mode", std::string(mode)}};
      return c;
    };
    expect_matches(with_mode(pad({1, 64, 112, 112}, {0, 0, 1, 1, 0, 0, 1, 1})), "cpu_pad_f32", rng);
    expect_matches(with_mode(pad({2, 3, 5, 4}, {1, 0, 2, 3, 0, 2, 1, 0})), "cpu_pad_f32", rng);
    expect_matches(with_mode(pad({3, 4}, {0, 9, 0, 7})), "cpu_pad_f32", rng);  // longer than the dimension
    expect_matches(with_mode(pad({1, 1, 5}, {0, 2, 1, 0, 3, 1})), "cpu_pad_f32", rng);  // a dimension of 1
  }
}

TEST(CpuPad, CropsStayWithTheReference) {
  std::mt19937 rng(37);
  expect_matches(pad({1, 4, 5, 6}, {0, 0, -1, 1, 0, 0, 1, 1}), "reference", rng);
}

}  // namespace
}  // namespace tandem
