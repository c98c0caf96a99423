// The pass-time type inference: shape arithmetic computed on the way, so that what follows it
// (a Pad whose pads come from Shape ops, as converters write them) has static types.
#include "passes/value_types.h"

#include "passes/pass_test_util.h"

namespace tandem::passes {
namespace {

TEST(ValueTypes, ShapeArithmeticGivesStaticTypesAfterIt) {
  // pads = Concat(0, 0, Shape(x)[2] - 3, 0, 0, 0, 1, 0): [0,0,1,0,0,0,1,0] for x [1,2,4,5], one
  // row before and one after.
  auto model = testing::ModelBuilder()
                   .input("x", {1, 2, 4, 5})
                   .output("y")
                   .initializer("two", Tensor::from<int64_t>({2}, Shape{1}))
                   .initializer("three", Tensor::from<int64_t>({3}, Shape{1}))
                   .initializer("head", Tensor::from<int64_t>({0, 0}))
                   .initializer("tail", Tensor::from<int64_t>({0, 0, 0, 1, 0}))
                   .node("Shape", {"x"}, {"s"})
                   .node("Gather", {"s", "two"}, {"h"})
                   .node("Sub", {"h", "three"}, {"d"})
                   .node("Concat", {"head", "d", "tail"}, {"pads"}, {{"axis", int64_t{0}}})
                   .node("Pad", {"x", "pads"}, {"y"})
                   .build();
  const GraphIndex index(*model->graph);
  const auto types = infer_value_types(*model, index);
  ASSERT_TRUE(types.contains("y"));
  EXPECT_EQ(to_string(types.at("y")), to_string(ValueType::tensor(ElementType::F32, PartialShape(Shape{1, 2, 6, 5}))));
}

TEST(ValueTypes, DynamicShapesStayUnknown) {
  auto model = testing::ModelBuilder().input("x", {1, 2}).output("y").node("Shape", {"x"}, {"s"}).node("Relu", {"x"}, {"y"}).build();
  model->graph->inputs[0].type = ValueType::tensor(ElementType::F32, PartialShape({Dimension::named("n"), Dimension(2)}));
  const GraphIndex index(*model->graph);
  const auto types = infer_value_types(*model, index);
  EXPECT_EQ(types.at("s"), ValueType::tensor(ElementType::I64, PartialShape(Shape{2})));
  EXPECT_FALSE(types.at("y").shape.is_static());
}

}  // namespace
}  // namespace tandem::passes
