// If, Loop and Scan: branches and bodies built in memory, reading the node's inputs by name.
#include <gtest/gtest.h>

#include "ops/op_case.h"

namespace tandem::testing {
namespace {

ir::Node make_node(std::string op, std::vector<std::string> inputs, std::vector<std::string> outputs) {
  ir::Node n;
  n.name = outputs.at(0) + "_node";
  n.op_type = std::move(op);
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  return n;
}

ir::GraphPtr make_graph(std::vector<Port> inputs, std::vector<ir::Node> nodes, std::vector<Port> outputs) {
  auto g = std::make_shared<ir::Graph>();
  g->name = "body";
  g->inputs = std::move(inputs);
  g->nodes = std::move(nodes);
  g->outputs = std::move(outputs);
  return g;
}

ValueType f32(PartialShape shape) { return ValueType::tensor(ElementType::F32, std::move(shape)); }
const ValueType kScalarI64 = ValueType::tensor(ElementType::I64, PartialShape(Shape{}));
const ValueType kScalarBool = ValueType::tensor(ElementType::Bool, PartialShape(Shape{}));

// If: each branch passes one of the node's own inputs on (names of the enclosing graph).
OpCase if_case(bool cond) {
  auto then_branch = make_graph({}, {make_node("Identity", {"x1"}, {"a"})}, {{"a", f32(Shape{2})}});
  auto else_branch = make_graph({}, {make_node("Identity", {"x2"}, {"b"})}, {{"b", f32(Shape{3})}});
  return OpCase("If", 13)
      .attr("then_branch", then_branch)
      .attr("else_branch", else_branch)
      .input<bool>({}, {cond})
      .input<float>({2}, {1, 2})
      .input<float>({3}, {3, 4, 5});
}

TEST(If, RunsTheBranchCondPicks) {
  expect_tensor<float>(if_case(true).run_tensor(), {2}, {1, 2});
  expect_tensor<float>(if_case(false).run_tensor(), {3}, {3, 4, 5});
}

TEST(If, CondWithSeveralValuesIsAnError) {
  auto c = OpCase("If", 13)
               .attr("then_branch", make_graph({}, {make_node("Identity", {"x1"}, {"a"})}, {{"a", f32({})}}))
               .attr("else_branch", make_graph({}, {make_node("Identity", {"x1"}, {"b"})}, {{"b", f32({})}}))
               .input<bool>({2}, {true, false})
               .input<float>({1}, {1});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "single value");
}

// Loop body: carries (s, inc), s += inc; scans out the new s; cond_out is `cond_op` applied to the
// body's cond input (Identity keeps going, Not stops after one trip).
ir::GraphPtr sum_body(const std::string& cond_op) {
  return make_graph(
      {{"i", kScalarI64}, {"c", kScalarBool}, {"s", f32(Shape{1})}, {"inc", f32(Shape{1})}},
      {make_node("Add", {"s", "inc"}, {"s2"}), make_node("Identity", {"inc"}, {"inc2"}),
       make_node(cond_op, {"c"}, {"c2"}), make_node("Identity", {"s2"}, {"scan"})},
      {{"c2", kScalarBool}, {"s2", f32(Shape{1})}, {"inc2", f32(Shape{1})}, {"scan", f32(Shape{1})}});
}

OpCase loop_case(const std::string& cond_op, int64_t trips, bool with_cond) {
  OpCase c("Loop", 16);
  c.attr("body", sum_body(cond_op)).input<int64_t>({}, {trips});
  if (with_cond)
    c.input<bool>({}, {true});
  else
    c.omitted_input();
  return c.input<float>({1}, {0}).input<float>({1}, {2}).outputs(3);
}

TEST(Loop, TripCountAloneCarriesAndScans) {
  std::vector<Value> out = loop_case("Identity", 3, false).run();
  expect_tensor<float>(out[0].tensor(), {1}, {6});
  expect_tensor<float>(out[1].tensor(), {1}, {2});
  expect_tensor<float>(out[2].tensor(), {3, 1}, {2, 4, 6});
}

TEST(Loop, ConditionStopsTheLoop) {
  std::vector<Value> out = loop_case("Not", 5, true).run();
  expect_tensor<float>(out[0].tensor(), {1}, {2});
  expect_tensor<float>(out[2].tensor(), {1, 1}, {2});
}

TEST(Loop, ZeroTripsGiveInitialValuesAndEmptyScans) {
  std::vector<Value> out = loop_case("Identity", 0, true).run();
  expect_tensor<float>(out[0].tensor(), {1}, {0});
  expect_tensor<float>(out[2].tensor(), {0, 1}, {});
}

TEST(Loop, BodyWithTheWrongInputCountIsInvalid) {
  auto body = make_graph({{"i", kScalarI64}, {"c", kScalarBool}}, {make_node("Identity", {"c"}, {"c2"})},
                         {{"c2", kScalarBool}});
  auto c = OpCase("Loop", 13)
               .attr("body", body)
               .input<int64_t>({}, {1})
               .input<bool>({}, {true})
               .input<float>({1}, {0});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidModel, "the body takes 2 inputs");
}

// Scan body: s += x_t; scans out the new s.
ir::GraphPtr scan_body(PartialShape row) {
  return make_graph({{"s", f32(row)}, {"x", f32(row)}},
                    {make_node("Add", {"s", "x"}, {"s2"}), make_node("Identity", {"s2"}, {"y"})},
                    {{"s2", f32(row)}, {"y", f32(row)}});
}

OpCase scan_case(int opset) {
  OpCase c("Scan", opset);
  c.attr("body", scan_body(Shape{2})).attr("num_scan_inputs", 1).input<float>({2}, {0, 0});
  return c.outputs(2);
}

TEST(Scan, Opset9RunsForwardAlongAxis0) {
  std::vector<Value> out = scan_case(9).input<float>({3, 2}, {1, 2, 3, 4, 5, 6}).run();
  expect_tensor<float>(out[0].tensor(), {2}, {9, 12});
  expect_tensor<float>(out[1].tensor(), {3, 2}, {1, 2, 4, 6, 9, 12});
}

TEST(Scan, ReverseInputDirection) {
  auto c = scan_case(9).attr("scan_input_directions", std::vector<int64_t>{1});
  std::vector<Value> out = c.input<float>({3, 2}, {1, 2, 3, 4, 5, 6}).run();
  expect_tensor<float>(out[1].tensor(), {3, 2}, {5, 6, 8, 10, 9, 12});
}

TEST(Scan, ReverseOutputDirectionAndOutputAxis) {
  auto c = scan_case(9).attr("scan_output_directions", std::vector<int64_t>{1});
  expect_tensor<float>(c.input<float>({3, 2}, {1, 2, 3, 4, 5, 6}).run()[1].tensor(), {3, 2},
                       {9, 12, 4, 6, 1, 2});
  auto d = scan_case(9).attr("scan_output_axes", std::vector<int64_t>{1});
  expect_tensor<float>(d.input<float>({3, 2}, {1, 2, 3, 4, 5, 6}).run()[1].tensor(), {2, 3},
                       {1, 4, 9, 2, 6, 12});
}

TEST(Scan, Opset11TakesNegativeInputAxes) {
  auto c = scan_case(11).attr("scan_input_axes", std::vector<int64_t>{-1});
  std::vector<Value> out = c.input<float>({2, 3}, {1, 3, 5, 2, 4, 6}).run();
  expect_tensor<float>(out[1].tensor(), {3, 2}, {1, 2, 4, 6, 9, 12});
}

TEST(Scan, ScanInputsOfDifferentLengthsAreAnError) {
  auto body = make_graph({{"s", f32(Shape{})}, {"a", f32(Shape{})}, {"b", f32(Shape{})}},
                         {make_node("Add", {"a", "b"}, {"s2"})}, {{"s2", f32(Shape{})}});
  auto c = OpCase("Scan", 9).attr("body", body).attr("num_scan_inputs", 2);
  c.input<float>({}, {0}).input<float>({2}, {1, 2}).input<float>({3}, {1, 2, 3});
  EXPECT_THROW_KIND(c.run(), ErrorKind::InvalidArgument, "has length 3");
}

TEST(Scan, Opset8ScansEachBatchEntryAndPadsShortSequences) {
  auto c = OpCase("Scan", 8).attr("body", scan_body(Shape{2})).attr("num_scan_inputs", 1).outputs(2);
  c.input<int64_t>({2}, {3, 2})
      .input<float>({2, 2}, {0, 0, 0, 0})
      .input<float>({2, 3, 2}, {1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60});
  std::vector<Value> out = c.run();
  expect_tensor<float>(out[0].tensor(), {2, 2}, {9, 12, 40, 60});
  expect_tensor<float>(out[1].tensor(), {2, 3, 2}, {1, 2, 4, 6, 9, 12, 10, 20, 40, 60, 0, 0});
}

TEST(Scan, Opset8ReverseDirectionStaysInsideEachLength) {
  auto c = OpCase("Scan", 8).attr("body", scan_body(Shape{2})).attr("num_scan_inputs", 1).outputs(2);
  c.attr("directions", std::vector<int64_t>{1});
  c.input<int64_t>({2}, {3, 2})
      .input<float>({2, 2}, {0, 0, 0, 0})
      .input<float>({2, 3, 2}, {1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60});
  std::vector<Value> out = c.run();
  expect_tensor<float>(out[1].tensor(), {2, 3, 2}, {5, 6, 8, 10, 9, 12, 30, 40, 40, 60, 0, 0});
}

TEST(Scan, Opset8EmptySequencePadsWithZeros) {
  auto c = OpCase("Scan", 8).attr("body", scan_body(Shape{2})).attr("num_scan_inputs", 1).outputs(2);
  c.input<int64_t>({2}, {0, 1})
      .input<float>({2, 2}, {7, 7, 0, 0})
      .input<float>({2, 2, 2}, {1, 2, 3, 4, 10, 20, 30, 40});
  std::vector<Value> out = c.run();
  expect_tensor<float>(out[0].tensor(), {2, 2}, {7, 7, 10, 20});
  expect_tensor<float>(out[1].tensor(), {2, 2, 2}, {0, 0, 0, 0, 10, 20, 0, 0});
}

TEST(Scan, ZeroLengthUsesTheDeclaredElementShape) {
  std::vector<Value> out = scan_case(9).input<float>({0, 2}, {}).run();
  expect_tensor<float>(out[0].tensor(), {2}, {0, 0});
  expect_tensor<float>(out[1].tensor(), {0, 2}, {});
}

}  // namespace
}  // namespace tandem::testing
