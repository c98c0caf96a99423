// The ONNX reader on models built here with the protobuf API: conversion, external data, old
// models, and files that are not models at all.
#include "frontend/onnx/reader.h"

#include "frontend/onnx/test_files.h"

#include <gtest/gtest.h>

#include <random>

namespace tandem::onnx_frontend {
namespace {
using tandem::testing::TempDir;
using tandem::testing::write_bytes;

template <class F>
void expect_error(F&& f, ErrorKind kind, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no error thrown; expected one containing '" << fragment << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

void add_value(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list, const std::string& name,
               int elem_type, std::vector<std::variant<int64_t, std::string>> dims) {
  auto* v = list->Add();
  v->set_name(name);
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(elem_type);
  auto* shape = t->mutable_shape();
  for (auto& d : dims) {
    auto* dim = shape->add_dim();
    if (auto* n = std::get_if<int64_t>(&d))
      dim->set_dim_value(*n);
    else if (!std::get<std::string>(d).empty())
      dim->set_dim_param(std::get<std::string>(d));
  }
}

onnx::TensorProto float_tensor(const std::string& name, std::vector<int64_t> dims,
                               std::vector<float> values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  t.set_raw_data(values.data(), values.size() * sizeof(float));
  return t;
}

// y = x + w, with w an initializer; a model of the current IR version.
onnx::ModelProto add_model() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("tandem-test");
  m.set_producer_version("1.0");
  auto* opset = m.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("main");
  add_value(g->mutable_input(), "x", onnx::TensorProto::FLOAT,
            {std::string("batch"), int64_t(3), std::string()});
  add_value(g->mutable_output(), "y", onnx::TensorProto::FLOAT,
            {std::string("batch"), int64_t(3), std::string()});
  *g->add_initializer() = float_tensor("w", {3, 1}, {1, 2, 3});
  auto* n = g->add_node();
  n->set_op_type("Add");
  n->add_input("x");
  n->add_input("w");
  n->add_output("y");
  return m;
}

std::string save(const TempDir& dir, const onnx::ModelProto& m, const std::string& name = "model.onnx") {
  std::string path = dir.file(name);
  write_bytes(path, m.SerializeAsString());
  return path;
}

TEST(OnnxReader, ReadsGraphTypesAndMetadata) {
  TempDir dir;
  auto model = read_model(save(dir, add_model()));
  EXPECT_EQ(model->ir_version, 8);
  EXPECT_EQ(model->producer, "tandem-test 1.0");
  EXPECT_EQ(model->opset(""), 13);
  const ir::Graph& g = *model->graph;
  EXPECT_EQ(g.name, "main");
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.inputs[0].name, "x");
  EXPECT_EQ(to_string(g.inputs[0].type), "f32[batch,3,?]");
  ASSERT_EQ(g.outputs.size(), 1u);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].name, "Add_0");  // unnamed nodes get a stable name
  EXPECT_EQ(g.nodes[0].inputs, (std::vector<std::string>{"x", "w"}));
  ASSERT_TRUE(g.initializers.contains("w"));
  EXPECT_EQ(g.initializers.at("w").shape(), (Shape{3, 1}));
  EXPECT_EQ(g.initializers.at("w").to_double(), (std::vector<double>{1, 2, 3}));
}

TEST(OnnxReader, AttributesOfEveryKind) {
  onnx::ModelProto m = add_model();
  auto* n = m.mutable_graph()->mutable_node(0);
  n->set_name("add");
  n->set_domain("ai.onnx");
  auto attr = [&](const std::string& name, onnx::AttributeProto::AttributeType type) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(type);
    return a;
  };
  attr("f", onnx::AttributeProto::FLOAT)->set_f(0.5f);
  attr("i", onnx::AttributeProto::INT)->set_i(-7);
  attr("s", onnx::AttributeProto::STRING)->set_s("text");
  *attr("t", onnx::AttributeProto::TENSOR)->mutable_t() = float_tensor("", {2}, {4, 5});
  auto* floats = attr("fs", onnx::AttributeProto::FLOATS);
  floats->add_floats(1), floats->add_floats(2);
  auto* ints = attr("is", onnx::AttributeProto::INTS);
  ints->add_ints(3), ints->add_ints(4);
  auto* strings = attr("ss", onnx::AttributeProto::STRINGS);
  strings->add_strings("a"), strings->add_strings("b");
  auto* tensors = attr("ts", onnx::AttributeProto::TENSORS);
  *tensors->add_tensors() = float_tensor("", {1}, {9});
  auto* body = attr("g", onnx::AttributeProto::GRAPH)->mutable_g();
  body->set_name("body");
  add_value(body->mutable_output(), "z", onnx::TensorProto::FLOAT, {});
  auto* inner = body->add_node();
  inner->set_op_type("Identity");
  inner->add_input("x");
  inner->add_output("z");
  auto* graphs = attr("gs", onnx::AttributeProto::GRAPHS);
  *graphs->add_graphs() = *body;
  auto* tp = attr("tp", onnx::AttributeProto::TYPE_PROTO)->mutable_tp();
  tp->mutable_sequence_type()->mutable_elem_type()->mutable_tensor_type()->set_elem_type(
      onnx::TensorProto::INT64);
  // Models before IR version 2 have no attribute types: the present field tells the kind.
  auto* untyped = n->add_attribute();
  untyped->set_name("old");
  untyped->add_ints(1);

  TempDir dir;
  auto model = read_model(save(dir, m));
  const ir::Node& node = model->graph->nodes[0];
  EXPECT_EQ(node.name, "add");
  EXPECT_EQ(node.domain, "");
  EXPECT_EQ(std::get<float>(*node.find_attribute("f")), 0.5f);
  EXPECT_EQ(std::get<int64_t>(*node.find_attribute("i")), -7);
  EXPECT_EQ(std::get<std::string>(*node.find_attribute("s")), "text");
  EXPECT_EQ(std::get<Tensor>(*node.find_attribute("t")).to_double(), (std::vector<double>{4, 5}));
  EXPECT_EQ(std::get<std::vector<float>>(*node.find_attribute("fs")), (std::vector<float>{1, 2}));
  EXPECT_EQ(std::get<std::vector<int64_t>>(*node.find_attribute("is")), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(std::get<std::vector<std::string>>(*node.find_attribute("ss")),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(std::get<std::vector<Tensor>>(*node.find_attribute("ts")).size(), 1u);
  const auto& sub = std::get<ir::GraphPtr>(*node.find_attribute("g"));
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->name, "body");
  ASSERT_EQ(sub->nodes.size(), 1u);
  EXPECT_EQ(sub->nodes[0].name, "Identity_0");
  EXPECT_EQ(std::get<std::vector<ir::GraphPtr>>(*node.find_attribute("gs")).size(), 1u);
  EXPECT_EQ(to_string(std::get<ValueType>(*node.find_attribute("tp"))), "seq(i64[...])");
  EXPECT_EQ(std::get<std::vector<int64_t>>(*node.find_attribute("old")), (std::vector<int64_t>{1}));
}

TEST(OnnxReader, SparseTensorAttributeIsUnsupportedNamingTheNode) {
  onnx::ModelProto m = add_model();
  auto* n = m.mutable_graph()->mutable_node(0);
  n->set_name("c1");
  n->set_op_type("Constant");
  n->set_domain("com.example");
  auto* o = m.add_opset_import();
  o->set_domain("com.example");
  o->set_version(2);
  auto* a = n->add_attribute();
  a->set_name("sparse_value");
  a->set_type(onnx::AttributeProto::SPARSE_TENSOR);
  TempDir dir;
  std::string path = save(dir, m);
  expect_error([&] { read_model(path); }, ErrorKind::Unsupported,
               "node 'c1' (com.example.Constant, opset 2): attribute 'sparse_value': sparse tensor");
}

TEST(OnnxReader, OldModelListsInitializersAmongInputs) {
  onnx::ModelProto m = add_model();
  m.set_ir_version(3);
  m.clear_opset_import();  // IR version 1 and 2 models have none: opset 1 semantics
  add_value(m.mutable_graph()->mutable_input(), "w", onnx::TensorProto::FLOAT, {int64_t(3), int64_t(1)});
  TempDir dir;
  auto model = read_model(save(dir, m));
  ASSERT_EQ(model->graph->inputs.size(), 1u);
  EXPECT_EQ(model->graph->inputs[0].name, "x");
  EXPECT_TRUE(model->graph->initializers.contains("w"));
  EXPECT_EQ(model->opset(""), 1);
}

TEST(OnnxReader, LocalFunctionsAreInlined) {
  onnx::ModelProto m = add_model();
  auto* f = m.add_functions();
  f->set_name("AddRelu");
  f->set_domain("local");
  f->add_input("a"), f->add_input("b");
  f->add_output("c");
  f->add_attribute("alpha");
  auto* fo = f->add_opset_import();
  fo->set_domain("");
  fo->set_version(13);
  auto* add = f->add_node();
  add->set_op_type("Add");
  add->add_input("a"), add->add_input("b");
  add->add_output("t");
  auto* relu = f->add_node();
  relu->set_op_type("LeakyRelu");
  relu->add_input("t");
  relu->add_output("c");
  auto* ref = relu->add_attribute();
  ref->set_name("alpha");
  ref->set_type(onnx::AttributeProto::FLOAT);
  ref->set_ref_attr_name("alpha");
  auto* o = m.add_opset_import();
  o->set_domain("local");
  o->set_version(1);

  auto* g = m.mutable_graph();
  g->clear_node();
  auto* call = g->add_node();
  call->set_name("f1");
  call->set_op_type("AddRelu");
  call->set_domain("local");
  call->add_input("x"), call->add_input("w");
  call->add_output("h");
  auto* alpha = call->add_attribute();
  alpha->set_name("alpha");
  alpha->set_type(onnx::AttributeProto::FLOAT);
  alpha->set_f(0.2f);
  auto* second = g->add_node();  // unnamed, and without alpha: LeakyRelu's default applies
  second->set_op_type("AddRelu");
  second->set_domain("local");
  second->add_input("h"), second->add_input("w");
  second->add_output("y");

  TempDir dir;
  auto model = read_model(save(dir, m));
  const auto& nodes = model->graph->nodes;
  ASSERT_EQ(nodes.size(), 4u);
  EXPECT_EQ(nodes[0].name, "f1/Add_0");
  EXPECT_EQ(nodes[0].inputs, (std::vector<std::string>{"x", "w"}));
  EXPECT_EQ(nodes[0].outputs, (std::vector<std::string>{"f1/t"}));
  EXPECT_EQ(nodes[1].op_type, "LeakyRelu");
  EXPECT_EQ(nodes[1].inputs, (std::vector<std::string>{"f1/t"}));
  EXPECT_EQ(nodes[1].outputs, (std::vector<std::string>{"h"}));
  EXPECT_EQ(std::get<float>(*nodes[1].find_attribute("alpha")), 0.2f);
  EXPECT_EQ(nodes[3].outputs, (std::vector<std::string>{"y"}));
  EXPECT_EQ(nodes[3].find_attribute("alpha"), nullptr);
  EXPECT_NE(nodes[2].name, nodes[0].name);
}

TEST(OnnxReader, RecursiveFunctionIsInvalidModel) {
  onnx::ModelProto m = add_model();
  auto* f = m.add_functions();
  f->set_name("Loop");
  f->set_domain("local");
  f->add_input("a");
  f->add_output("b");
  auto* n = f->add_node();
  n->set_op_type("Loop");
  n->set_domain("local");
  n->add_input("a");
  n->add_output("b");
  auto* call = m.mutable_graph()->mutable_node(0);
  call->set_op_type("Loop");
  call->set_domain("local");
  TempDir dir;
  std::string path = save(dir, m);
  expect_error([&] { read_model(path); }, ErrorKind::InvalidModel, "function 'Loop' calls itself");
}

// Whether address lies in a memory mapping of a file whose name ends with file_name.
bool is_mapped_from(const void* address, const std::string& file_name) {
  std::ifstream maps("/proc/self/maps");
  auto a = reinterpret_cast<uintptr_t>(address);
  for (std::string line; std::getline(maps, line);) {
    if (!line.ends_with(file_name)) continue;
    uintptr_t begin = std::stoull(line.substr(0, line.find('-')), nullptr, 16);
    uintptr_t end = std::stoull(line.substr(line.find('-') + 1), nullptr, 16);
    if (a >= begin && a < end) return true;
  }
  return false;
}

TEST(OnnxReader, ExternalDataIsMappedFromTheModelFolder) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "weights");
  // Two tensors in one file; the second at an offset that is not float-aligned, read by copy.
  std::vector<float> a = {1, 2, 3, 4}, b = {5, 6};
  std::string blob(reinterpret_cast<const char*>(a.data()), 16);
  blob += "xyz";  // 3 bytes of padding: b starts at 19
  blob.append(reinterpret_cast<const char*>(b.data()), 8);
  write_bytes(dir.file("weights/data.bin"), blob);

  onnx::ModelProto m = add_model();
  auto* g = m.mutable_graph();
  g->clear_initializer();
  auto external = [&](const std::string& name, std::vector<int64_t> dims, std::string offset,
                      std::string length) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto entry = [&](const char* key, const std::string& value) {
      auto* e = t->add_external_data();
      e->set_key(key);
      e->set_value(value);
    };
    entry("location", "weights/data.bin");
    if (!offset.empty()) entry("offset", offset);
    if (!length.empty()) entry("length", length);
  };
  external("w", {2, 2}, "", "16");
  external("v", {2}, "19", "");
  auto model = read_model(save(dir, m));
  EXPECT_EQ(model->graph->initializers.at("w").to_double(), (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(model->graph->initializers.at("v").to_double(), (std::vector<double>{5, 6}));

  // Aligned data is a view of the mapped file; misaligned data is copied.
  EXPECT_TRUE(is_mapped_from(model->graph->initializers.at("w").data(), "data.bin"));
  EXPECT_FALSE(is_mapped_from(model->graph->initializers.at("v").data(), "data.bin"));

  // The tensors keep the mapping alive after the model's reader is gone.
  Tensor w = model->graph->initializers.at("w");
  model.reset();
  EXPECT_EQ(w.span<float>()[3], 4.f);
}

TEST(OnnxReader, BadExternalDataIsInvalidModel) {
  TempDir dir;
  write_bytes(dir.path().parent_path().string() + "/tandem_outside.bin", std::string(16, '\0'));
  write_bytes(dir.file("short.bin"), std::string(8, '\0'));
  auto model_with = [&](const std::string& location, const std::string& length) {
    onnx::ModelProto m = add_model();
    auto* t = m.mutable_graph()->mutable_initializer(0);
    t->clear_raw_data();
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* e = t->add_external_data();
    e->set_key("location");
    e->set_value(location);
    if (!length.empty()) {
      e = t->add_external_data();
      e->set_key("length");
      e->set_value(length);
    }
    return save(dir, m);
  };
  expect_error([&] { read_model(model_with("../tandem_outside.bin", "")); }, ErrorKind::InvalidModel,
               "outside the model's folder");
  expect_error([&] { read_model(model_with("/etc/passwd", "")); }, ErrorKind::InvalidModel,
               "outside the model's folder");
  expect_error([&] { read_model(model_with("missing.bin", "")); }, ErrorKind::InvalidModel, "not found");
  expect_error([&] { read_model(model_with("short.bin", "")); }, ErrorKind::InvalidModel, "past the end");
  expect_error([&] { read_model(model_with("short.bin", "8")); }, ErrorKind::InvalidModel,
               "initializer 'w': external data holds 8 bytes, f32[3,1] needs 12");
  expect_error([&] { read_model(model_with("short.bin", "eight")); }, ErrorKind::InvalidModel,
               "not a number");
  std::filesystem::remove(dir.path().parent_path() / "tandem_outside.bin");
}

// The reader parses a file in chunks of a few MiB and drops each parsed chunk's pages: weights
// that span chunks, and the fields after them, must arrive whole.
TEST(OnnxReader, WeightsSpanningTheParsersChunksArriveWhole) {
  onnx::ModelProto m = add_model();
  std::vector<float> large(3'000'001), after(5);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> d(-1, 1);
  for (float& v : large) v = d(rng);
  for (float& v : after) v = d(rng);
  *m.mutable_graph()->add_initializer() = float_tensor("large", {int64_t(large.size())}, large);
  *m.mutable_graph()->add_initializer() = float_tensor("after", {5}, after);
  m.mutable_graph()->mutable_node(0)->set_name("last");
  TempDir dir;
  auto model = read_model(save(dir, m));
  const ir::Graph& g = *model->graph;
  const Tensor& got = g.initializers.at("large");
  ASSERT_EQ(got.size(), large.size());
  EXPECT_TRUE(std::equal(large.begin(), large.end(), got.data<float>()));
  EXPECT_EQ(g.initializers.at("after").to_double(), std::vector<double>(after.begin(), after.end()));
  EXPECT_EQ(g.nodes.at(0).name, "last");
}

TEST(OnnxReader, ShortInitializerNamesTheTensor) {
  onnx::ModelProto m = add_model();
  m.mutable_graph()->mutable_initializer(0)->set_raw_data(std::string(8, '\0'));
  TempDir dir;
  std::string path = save(dir, m);
  expect_error([&] { read_model(path); }, ErrorKind::InvalidModel,
               path + ": initializer 'w': raw_data holds 8 bytes, f32[3,1] needs 12");
}

TEST(OnnxReader, FilesThatAreNotModels) {
  TempDir dir;
  std::string good = add_model().SerializeAsString();

  write_bytes(dir.file("empty.onnx"), "");
  expect_error([&] { read_model(dir.file("empty.onnx")); }, ErrorKind::InvalidModel, "empty.onnx: ");

  expect_error([&] { read_model(dir.file("missing.onnx")); }, ErrorKind::InvalidModel,
               "missing.onnx: cannot open");

  expect_error([&] { read_model(dir.path().string()); }, ErrorKind::InvalidModel, "not a regular file");

  // Every truncation of a valid model either fails cleanly or reads a smaller valid model.
  for (size_t len = 1; len < good.size(); ++len) {
    write_bytes(dir.file("truncated.onnx"), good.substr(0, len));
    try {
      read_model(dir.file("truncated.onnx"));
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidModel) << e.what();
    }
  }

  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::string bytes(size_t(rng() % 512), '\0');
    for (char& c : bytes) c = char(rng());
    write_bytes(dir.file("random.onnx"), bytes);
    try {
      read_model(dir.file("random.onnx"));
    } catch (const Error& e) {
      EXPECT_TRUE(e.kind() == ErrorKind::InvalidModel || e.kind() == ErrorKind::Unsupported) << e.what();
    }
  }

  // Flipping bytes of a valid model must not crash either.
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = char(bad[i] ^ 0x5a);
    write_bytes(dir.file("flipped.onnx"), bad);
    try {
      read_model(dir.file("flipped.onnx"));
    } catch (const Error& e) {
      EXPECT_TRUE(e.kind() == ErrorKind::InvalidModel || e.kind() == ErrorKind::Unsupported) << e.what();
    }
  }
}

TEST(OnnxReader, ReadsEveryModelOfTheOnnxTestData) {
  const std::filesystem::path root = "/usr/share/libonnx-testdata/data";
  if (!std::filesystem::exists(root)) GTEST_SKIP() << "no ONNX test data at " << root;
  int count = 0;
  for (const auto& suite : std::filesystem::directory_iterator(root))
    for (const auto& test : std::filesystem::directory_iterator(suite)) {
      auto path = test.path() / "model.onnx";
      if (!std::filesystem::exists(path)) continue;
      EXPECT_NO_THROW(read_model(path.string())) << path;
      ++count;
    }
  EXPECT_GT(count, 1000);
}

}  // namespace
}  // namespace tandem::onnx_frontend
