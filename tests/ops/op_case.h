// OpCase: a one-node model built in memory, for testing an op's inference and reference kernel.
//
//   auto c = OpCase("Clip", 6).attr("min", -1.0f).input<float>({4}, {-3, -.5, .5, 3});
//   Tensor y = c.run_tensor();                     // infer + reference, through the runtime
//   EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "must be a scalar");
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "ir/graph.h"
#include "tandem/tandem.h"

namespace tandem::testing {

class OpCase {
 public:
  OpCase(std::string op, int opset, std::string domain = "");

  /// Integers become int attributes, floating-point numbers float ones, text string ones.
  template <class T>
  OpCase& attr(const std::string& name, T value) {
    if constexpr (std::is_integral_v<T>)
      return set_attr(name, int64_t(value));
    else if constexpr (std::is_floating_point_v<T>)
      return set_attr(name, float(value));
    else if constexpr (std::is_convertible_v<T, std::string>)
      return set_attr(name, std::string(value));
    else
      return set_attr(name, ir::Attribute(std::move(value)));
  }
  OpCase& set_attr(const std::string& name, ir::Attribute value);
  /// Appends an input (a tensor, a sequence or an empty optional).
  OpCase& input(Value value);
  template <class T>
  OpCase& input(Shape shape, std::vector<T> values) {
    return input(Value(Tensor::from<T>(std::move(values), std::move(shape))));
  }
  /// Appends an omitted optional input ("" in ONNX).
  OpCase& omitted_input();
  /// Number of outputs the node declares (default 1).
  OpCase& outputs(int count);

  /// Runs the node through the public API; returns every output.
  std::vector<Value> run() const;
  /// The first output as a tensor.
  Tensor run_tensor() const { return run().at(0).tensor(); }

 private:
  ir::Node node_;
  std::vector<Value> inputs_;
  int opset_;
  int outputs_ = 1;
};

/// Expects `tensor` to have `shape` and values within tolerance (exact for integers).
template <class T>
void expect_tensor(const Tensor& tensor, const Shape& shape, const std::vector<T>& values,
                   double tolerance = 1e-5) {
  ASSERT_EQ(tensor.element_type(), element_type_of<T>());
  ASSERT_EQ(tensor.shape(), shape);
  auto got = tensor.span<const T>();
  ASSERT_EQ(got.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(values[i]))
        EXPECT_TRUE(std::isnan(got[i])) << "at " << i;
      else if (std::isinf(values[i]))
        EXPECT_EQ(got[i], values[i]) << "at " << i;
      else
        EXPECT_NEAR(got[i], values[i], tolerance) << "at " << i;
    }
    else
      EXPECT_EQ(got[i], values[i]) << "at " << i;
  }
}

}  // namespace tandem::testing

/// Expects `statement` to throw tandem::Error of `kind` with `text` in its message.
#define EXPECT_THROW_KIND(statement, error_kind, text)                                  \
  do {                                                                                   \
    try {                                                                                \
      statement;                                                                         \
      ADD_FAILURE() << "no exception from " #statement;                                 \
    } catch (const ::tandem::Error& e) {                                                 \
      EXPECT_EQ(e.kind(), error_kind) << e.what();                                       \
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();        \
    }                                                                                    \
  } while (0)
