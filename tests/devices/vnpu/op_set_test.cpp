// Every op of the VNPU's op set, one node each: the VNPU says yes, and its f16 run through the
// reference kernels matches the CPU's f32 run within FP16 tolerance. An op whose reference kernel
// cannot compute in f16 fails here and leaves the op set.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "devices/vnpu/vnpu_test_util.h"

namespace tandem::vnpu {
namespace {

struct Input {
  std::string name;  // "" for an omitted optional input
  Tensor value;
  bool constant = false;
};

struct OpTest {
  std::string op;
  int opset = 17;
  std::vector<Input> inputs;
  std::map<std::string, ir::Attribute> attributes = {};
  int outputs = 1;
  std::string domain = "";
};

class Cases {
 public:
  explicit Cases(uint32_t seed) : rng_(seed) {}
  Input act(Shape shape, float lo = -3.0f, float hi = 3.0f) {
    return {next_name(), testing::random_f32(shape, rng_, lo, hi), false};
  }
  template <class T>
  Input act_int(Shape shape, int lo, int hi) {
    return {next_name(), testing::random_int<T>(shape, rng_, lo, hi), false};
  }
  Input weights(Shape shape, float lo = -1.0f, float hi = 1.0f) {
    return {next_name(), testing::random_f32(shape, rng_, lo, hi), true};
  }
  template <class T>
  Input weights_int(Shape shape, int lo, int hi) {
    return {next_name(), testing::random_int<T>(shape, rng_, lo, hi), true};
  }
  Input cst(Tensor value) { return {next_name(), std::move(value), true}; }
  static Input omitted() { return {}; }

 private:
  std::string next_name() { return fmt::format("in{}", count_++); }
  std::mt19937 rng_;
  int count_ = 0;
};

std::vector<OpTest> op_tests() {
  Cases c(17);
  using I = std::vector<int64_t>;
  const Shape image{1, 3, 7, 7}, nd{2, 3, 4, 5};
  auto unary = [&](std::string op, float lo = -3.0f, float hi = 3.0f,
                   std::map<std::string, ir::Attribute> a = {}) {
    return OpTest{std::move(op), 17, {c.act(nd, lo, hi)}, std::move(a)};
  };
  auto binary = [&](std::string op, float lo = -3.0f, float hi = 3.0f) {
    return OpTest{std::move(op), 17, {c.act(nd), c.act(nd, lo, hi)}};
  };
  auto scalar = [](auto v) { return Tensor::scalar(v); };
  std::vector<OpTest> tests = {
      {"Conv",
       17,
       {c.act(image), c.weights({4, 3, 3, 3}), c.weights({4})},
       {{"pads", I{1, 1, 1, 1}}}},
      {"ConvTranspose", 17, {c.act({1, 4, 5, 5}), c.weights({4, 2, 3, 3})}, {{"strides", I{2, 2}}}},
      {"MatMul", 17, {c.act({2, 3, 8}), c.weights({8, 5})}},
      {"Gemm",
       17,
       {c.act({3, 8}), c.weights({5, 8}), c.weights({5})},
       {{"transB", int64_t(1)}, {"alpha", 0.5f}}},
      {"MaxPool", 17, {c.act(image)}, {{"kernel_shape", I{3, 3}}, {"strides", I{2, 2}}}},
      {"AveragePool", 17, {c.act(image)}, {{"kernel_shape", I{3, 3}}, {"pads", I{1, 1, 1, 1}}}},
      {"GlobalAveragePool", 17, {c.act(image)}},
      {"GlobalMaxPool", 17, {c.act(image)}},
      unary("Relu"),
      unary("LeakyRelu", -3, 3, {{"alpha", 0.1f}}),
      {"PRelu", 17, {c.act(nd), c.weights({3, 1, 1}, 0.0f, 0.5f)}},
      {"Clip", 17, {c.act(nd), c.cst(scalar(-1.0f)), c.cst(scalar(2.0f))}},
      unary("Sigmoid"),
      unary("Tanh"),
      unary("HardSigmoid"),
      unary("HardSwish"),
      {"Gelu", 20, {c.act(nd)}},
      unary("Erf"),
      unary("Elu"),
      unary("Selu"),
      unary("Softplus"),
      unary("Softsign"),
      binary("Add"),
      binary("Sub"),
      binary("Mul"),
      binary("Div", 0.5f, 2.0f),
      {"Pow", 17, {c.act(nd, 0.5f, 2.0f), c.cst(scalar(3.0f))}},
      unary("Sqrt", 0.1f, 4.0f),
      unary("Neg"),
      unary("Abs"),
      unary("Exp"),
      unary("Log", 0.1f, 4.0f),
      unary("Reciprocal", 0.5f, 2.0f),
      binary("Max"),
      binary("Min"),
      binary("Sum"),
      binary("Mean"),
      {"Softmax", 17, {c.act({2, 3, 10})}, {{"axis", int64_t(-1)}}},
      {"BatchNormalization",
       15,
       {c.act({1, 3, 4, 4}), c.weights({3}), c.weights({3}), c.weights({3}),
        c.weights({3}, 0.5f, 2.0f)}},
      {"LayerNormalization",
       17,
       {c.act({2, 5, 8}), c.weights({8}), c.weights({8})},
       {{"axis", int64_t(-1)}}},
      {"InstanceNormalization", 17, {c.act({1, 3, 4, 4}), c.weights({3}), c.weights({3})}},
      {"ReduceMean", 18, {c.act({2, 5, 8}), c.cst(Tensor::from<int64_t>({-1}))}},
      {"ReduceSum", 13, {c.act({2, 5, 8}), c.cst(Tensor::from<int64_t>({-1}))}},
      {"Concat", 13, {c.act({1, 2, 3}), c.act({1, 4, 3})}, {{"axis", int64_t(1)}}},
      {"Reshape", 14, {c.act({2, 6}), c.cst(Tensor::from<int64_t>({3, 4}))}},
      {"Flatten", 13, {c.act(nd)}, {{"axis", int64_t(2)}}},
      {"Transpose", 13, {c.act(nd)}, {{"perm", I{0, 2, 3, 1}}}},
      {"Squeeze", 13, {c.act({1, 3, 1, 4}), c.cst(Tensor::from<int64_t>({0, 2}))}},
      {"Unsqueeze", 13, {c.act({3, 4}), c.cst(Tensor::from<int64_t>({0, 3}))}},
      {"Slice",
       13,
       {c.act(nd), c.cst(Tensor::from<int64_t>({1, 0})), c.cst(Tensor::from<int64_t>({3, 5})),
        c.cst(Tensor::from<int64_t>({1, 3})), c.cst(Tensor::from<int64_t>({1, 2}))}},
      {"Gather", 13, {c.act(nd), c.cst(Tensor::from<int64_t>({2, 0}))}, {{"axis", int64_t(1)}}},
      {"Split",
       18,
       {c.act({2, 6}), c.cst(Tensor::from<int64_t>({2, 4}))},
       {{"axis", int64_t(1)}},
       2},
      {"Pad",
       18,
       {c.act({1, 2, 3, 3}), c.cst(Tensor::from<int64_t>({0, 0, 1, 2, 0, 0, 2, 1})),
        c.cst(scalar(0.5f))}},
      {"Resize",
       13,
       {c.act({1, 2, 3, 3}), c.omitted(), c.cst(Tensor::from<float>({1, 1, 2, 2}))},
       {{"mode", std::string("linear")}}},
      unary("Identity"),
      {"Cast", 17, {c.act(nd, 0.0f, 200.0f)}, {{"to", int64_t(ElementType::U8)}}},
      {"QuantizeLinear", 13, {c.act(nd), c.cst(scalar(0.03f)), c.cst(scalar(uint8_t(128)))}},
      {"QuantizeLinear", 19, {c.act(nd), c.cst(scalar(0.03f)), c.cst(scalar(int8_t(-3)))}},
      {"DequantizeLinear",
       13,
       {c.act_int<uint8_t>(nd, 0, 255), c.cst(scalar(0.03f)), c.cst(scalar(uint8_t(128)))}},
      {"QLinearConv",
       13,
       {c.act_int<uint8_t>({1, 2, 5, 5}, 0, 255), c.cst(scalar(0.02f)), c.cst(scalar(uint8_t(120))),
        c.weights_int<int8_t>({3, 2, 3, 3}, -127, 127), c.cst(scalar(0.01f)),
        c.cst(scalar(int8_t(0))), c.cst(scalar(0.5f)), c.cst(scalar(uint8_t(128)))}},
      {"QLinearMatMul",
       13,
       {c.act_int<uint8_t>({3, 4}, 0, 255), c.cst(scalar(0.02f)), c.cst(scalar(uint8_t(120))),
        c.weights_int<uint8_t>({4, 5}, 0, 255), c.cst(scalar(0.01f)), c.cst(scalar(uint8_t(128))),
        c.cst(scalar(0.1f)), c.cst(scalar(uint8_t(128)))}},
      {"MatMulInteger",
       13,
       {c.act_int<uint8_t>({3, 4}, 0, 255), c.weights_int<uint8_t>({4, 5}, 0, 255),
        c.cst(scalar(uint8_t(120))), c.cst(scalar(uint8_t(128)))}},
      {"ConvInteger",
       13,
       {c.act_int<uint8_t>({1, 2, 5, 5}, 0, 255), c.weights_int<uint8_t>({3, 2, 3, 3}, 0, 255)}},
      {"FusedConv",
       1,
       {c.act(image), c.weights({4, 3, 3, 3}), c.weights({4}), c.act({1, 4, 7, 7})},
       {{"pads", I{1, 1, 1, 1}}, {"activation", std::string("Relu")}},
       1,
       "com.tandem"},
  };
  return tests;
}

std::shared_ptr<const ir::Model> one_node_model(const OpTest& t,
                                                const std::vector<ElementType>& output_types) {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = t.domain.empty() ? t.opset : 17;
  if (!t.domain.empty()) model->opsets[t.domain] = t.opset;
  ir::Graph& g = *model->graph;
  g.name = t.op;
  ir::Node node{"node", t.op, t.domain, {}, {}, t.attributes};
  for (const Input& input : t.inputs) {
    node.inputs.push_back(input.name);
    if (input.name.empty()) continue;
    if (input.constant)
      g.initializers[input.name] = input.value;
    else
      g.inputs.push_back(Port{input.name, ValueType::tensor(input.value.element_type(),
                                                            PartialShape(input.value.shape()))});
  }
  for (int i = 0; i < t.outputs; ++i) {
    node.outputs.push_back(fmt::format("out{}", i));
    const ElementType type =
        size_t(i) < output_types.size() ? output_types[size_t(i)] : ElementType::Undefined;
    g.outputs.push_back(Port{node.outputs.back(), ValueType::tensor(type, PartialShape())});
  }
  g.nodes.push_back(std::move(node));
  return model;
}

TEST(VnpuOpSet, EveryOpRunsInF16WithinTolerance) {
  for (const OpTest& t : op_tests()) {
    SCOPED_TRACE(fmt::format("{} opset {}", t.op, t.opset));
    std::vector<Tensor> inputs;
    for (const Input& input : t.inputs)
      if (!input.name.empty() && !input.constant) inputs.push_back(input.value);
    const std::vector<Tensor> want =
        testing::run_on(cpu::cpu_device(), one_node_model(t, {}), inputs);
    std::vector<ElementType> types;
    for (const Tensor& w : want) types.push_back(w.element_type());
    auto model = one_node_model(t, types);
    const devices::Support answer = testing::ask_vnpu(*model, "node");
    EXPECT_TRUE(answer.ok) << answer.reason;
    std::vector<Tensor> got;
    try {
      got = testing::run_on(vnpu_device(), model, inputs);
    } catch (const Error& e) {
      ADD_FAILURE() << e.what();
      continue;
    }
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) testing::expect_fp16_close(got[i], want[i]);
  }
}

}  // namespace
}  // namespace tandem::vnpu
