// The ONNX writer as the reader's inverse: read → write → read gives the same graph, on a graph
// holding every attribute kind and on the model tests' models (a control-flow one among them).
#include "frontend/onnx/writer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "frontend/onnx/reader.h"

namespace tandem::onnx_frontend {
namespace {

void expect_same_graph(const ir::Graph& a, const ir::Graph& b, const std::string& where);

void expect_same_tensor(const Tensor& a, const Tensor& b, const std::string& where) {
  ASSERT_EQ(a.element_type(), b.element_type()) << where;
  ASSERT_EQ(a.shape(), b.shape()) << where;
  if (a.element_type() == ElementType::String) {
    EXPECT_TRUE(std::equal(a.span<std::string>().begin(), a.span<std::string>().end(),
                           b.span<std::string>().begin()))
        << where;
    return;
  }
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.byte_size()), 0) << where << ": the bytes differ";
}

void expect_same_attribute(const ir::Attribute& a, const ir::Attribute& b,
                           const std::string& where) {
  ASSERT_EQ(a.index(), b.index()) << where << ": " << ir::attribute_kind_name(a) << " became "
                                  << ir::attribute_kind_name(b);
  if (const auto* t = std::get_if<Tensor>(&a))
    return expect_same_tensor(*t, std::get<Tensor>(b), where);
  if (const auto* ts = std::get_if<std::vector<Tensor>>(&a)) {
    const auto& other = std::get<std::vector<Tensor>>(b);
    ASSERT_EQ(ts->size(), other.size()) << where;
    for (size_t i = 0; i < ts->size(); ++i) expect_same_tensor((*ts)[i], other[i], where);
    return;
  }
  if (const auto* g = std::get_if<ir::GraphPtr>(&a))
    return expect_same_graph(**g, *std::get<ir::GraphPtr>(b), where + " > subgraph");
  if (const auto* gs = std::get_if<std::vector<ir::GraphPtr>>(&a)) {
    const auto& other = std::get<std::vector<ir::GraphPtr>>(b);
    ASSERT_EQ(gs->size(), other.size()) << where;
    for (size_t i = 0; i < gs->size(); ++i)
      expect_same_graph(*(*gs)[i], *other[i], where + " > subgraph");
    return;
  }
  std::visit(
      [&]<class T>(const T& x) {
        if constexpr (!std::is_same_v<T, Tensor> && !std::is_same_v<T, std::vector<Tensor>>) {
          EXPECT_TRUE(x == std::get<T>(b)) << where;
        }
      },
      a);
}

void expect_same_ports(const std::vector<Port>& a, const std::vector<Port>& b,
                       const std::string& where) {
  ASSERT_EQ(a.size(), b.size()) << where;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].name, b[i].name) << where;
    EXPECT_TRUE(a[i].type == b[i].type)
        << where << " '" << a[i].name << "': " << to_string(a[i].type) << " became "
        << to_string(b[i].type);
  }
}

void expect_same_graph(const ir::Graph& a, const ir::Graph& b, const std::string& where) {
  EXPECT_EQ(a.name, b.name) << where;
  expect_same_ports(a.inputs, b.inputs, where + " inputs");
  expect_same_ports(a.outputs, b.outputs, where + " outputs");
  ASSERT_EQ(a.initializers.size(), b.initializers.size()) << where;
  for (const auto& [name, tensor] : a.initializers) {
    auto it = b.initializers.find(name);
    ASSERT_NE(it, b.initializers.end()) << where << ": initializer '" << name << "' is lost";
    expect_same_tensor(tensor, it->second, where + " initializer '" + name + "'");
  }
  ASSERT_EQ(a.value_types.size(), b.value_types.size()) << where;
  for (const auto& [name, type] : a.value_types) {
    auto it = b.value_types.find(name);
    ASSERT_NE(it, b.value_types.end()) << where << ": value_info '" << name << "' is lost";
    EXPECT_TRUE(type == it->second) << where << " value '" << name << "'";
  }
  ASSERT_EQ(a.nodes.size(), b.nodes.size()) << where;
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const ir::Node &x = a.nodes[i], &y = b.nodes[i];
    const std::string at = where + " node '" + x.name + "'";
    EXPECT_EQ(x.name, y.name) << at;
    EXPECT_EQ(x.op_type, y.op_type) << at;
    EXPECT_EQ(x.domain, y.domain) << at;
    EXPECT_EQ(x.inputs, y.inputs) << at;
    EXPECT_EQ(x.outputs, y.outputs) << at;
    ASSERT_EQ(x.attributes.size(), y.attributes.size()) << at;
    for (const auto& [key, attribute] : x.attributes) {
      auto it = y.attributes.find(key);
      ASSERT_NE(it, y.attributes.end()) << at << ": attribute '" << key << "' is lost";
      expect_same_attribute(attribute, it->second, at + " attribute '" + key + "'");
    }
  }
}

void expect_round_trip(const ir::Model& model) {
  std::shared_ptr<ir::Model> back = read_model_bytes(write_model(model), model.path);
  EXPECT_EQ(back->opsets, model.opsets);
  EXPECT_EQ(back->producer, model.producer);
  if (model.ir_version > 0) {
    EXPECT_EQ(back->ir_version, model.ir_version);
  }
  expect_same_graph(*model.graph, *back->graph, model.path);
  // Writing is deterministic: the same graph gives the same bytes.
  EXPECT_EQ(write_model(*back), write_model(model));
}

// A graph using every attribute kind, an If with two branches, strings, a narrow type, symbolic
// and unknown dimensions, sequence and optional types, and an unnamed-by-the-file node name.
std::shared_ptr<ir::Model> every_kind_model() {
  auto branch = [](const std::string& name, float value) {
    auto g = std::make_shared<ir::Graph>();
    g->name = name;
    g->outputs.push_back(
        Port{name + "_out", ValueType::tensor(ElementType::F32, PartialShape({2}))});
    g->nodes.push_back(ir::Node{name + "_c", "Constant", "", {}, {name + "_out"}, {}});
    g->nodes.back().attributes["value"] = Tensor::from<float>({value, value});
    return g;
  };
  auto model = std::make_shared<ir::Model>();
  model->path = "every_kind.onnx";
  model->producer = "tandem-test 1.0";
  model->ir_version = 9;
  model->opsets = {{"", 17}, {"com.tandem", 1}};
  model->graph = std::make_shared<ir::Graph>();
  ir::Graph& g = *model->graph;
  g.name = "main";
  g.inputs.push_back(
      Port{"x", ValueType::tensor(ElementType::F32, PartialShape({Dimension::named("batch"),
                                                                  Dimension(), Dimension(3)}))});
  g.inputs.push_back(Port{"flag", ValueType::tensor(ElementType::Bool, PartialShape({}))});
  g.inputs.push_back(
      Port{"seq", ValueType::sequence_of(ValueType::tensor(ElementType::I64, PartialShape()))});
  g.inputs.push_back(Port{
      "maybe", ValueType::optional_of(ValueType::tensor(ElementType::F16, PartialShape({4})))});
  g.inputs.push_back(Port{"untyped", ValueType{}});
  g.outputs.push_back(Port{"y", ValueType::tensor(ElementType::F32, PartialShape({2}))});
  g.initializers.emplace("w", Tensor::from<float>({1, 2, 3, 4, 5, 6}, {2, 3}));
  g.initializers.emplace("labels", Tensor::from<std::string>({"cat", "", "dog"}));
  g.initializers.emplace("nibbles", Tensor::from<int4>({int4(-8), int4(7), int4(0)}));
  g.value_types["mid"] = ValueType::tensor(ElementType::F32, PartialShape({2}));
  ir::Node every{"Every_0", "Every", "com.tandem", {"x", "", "w"}, {"mid", ""}, {}};
  every.attributes = {
      {"f", 0.5f},
      {"i", int64_t(-3)},
      {"s", std::string("text\0with nul", 13)},
      {"t", Tensor::from<int64_t>({1, 2, 3})},
      {"floats", std::vector<float>{1.5f, -2}},
      {"ints", std::vector<int64_t>{}},
      {"strings", std::vector<std::string>{"a", "b"}},
      {"tensors", std::vector<Tensor>{Tensor::scalar<double>(2.5), Tensor::from<uint8_t>({1, 2})}},
      {"graphs", std::vector<ir::GraphPtr>{branch("g0", 1), branch("g1", 2)}},
      {"type", ValueType::map_of(ElementType::String, ElementType::F32)}};
  g.nodes.push_back(std::move(every));
  ir::Node branching{"if", "If", "", {"flag"}, {"y"}, {}};
  branching.attributes["then_branch"] = ir::GraphPtr(branch("then", 1));
  branching.attributes["else_branch"] = ir::GraphPtr(branch("else", 0));
  g.nodes.push_back(std::move(branching));
  return model;
}

TEST(OnnxWriter, EveryAttributeKindRoundTrips) { expect_round_trip(*every_kind_model()); }

TEST(OnnxWriter, InMemoryModelGetsAnIrVersion) {
  auto model = every_kind_model();
  model->ir_version = 0;
  EXPECT_EQ(model_to_proto(*model).ir_version(), 8);
}

TEST(OnnxWriter, EmptyTensorIsInvalidArgument) {
  auto model = every_kind_model();
  model->graph->nodes[0].attributes["t"] = Tensor();
  EXPECT_THROW(write_model(*model), Error);
}

// The model tests' models (scripts/make_models), skipped where not made: CNNs, a U-Net with
// dynamic shapes, an LSTM, and If-based control flow.
class OnnxWriterModels : public ::testing::TestWithParam<const char*> {};

TEST_P(OnnxWriterModels, ReadWriteReadGivesTheSameGraph) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / "../../../models" /
                    (std::string(GetParam()) + ".onnx");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not made (scripts/make_models)";
  expect_round_trip(*read_model(path.lexically_normal().string()));
}

INSTANTIATE_TEST_SUITE_P(ModelTests, OnnxWriterModels,
                         ::testing::Values("squeezenet1_1", "mobilenet_v2", "efficientnet_b0",
                                           "dynamic_unet_op13", "dynamic_lstm_op13",
                                           "dynamic_if_op11", "dynamic_if_op13", "resnet50"));

}  // namespace
}  // namespace tandem::onnx_frontend
