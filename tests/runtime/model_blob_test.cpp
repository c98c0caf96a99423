// Compiled-model blobs: export → import gives the same outputs and placement on the CPU and on
// HETERO:VNPU,CPU; every header mismatch is an error naming it; truncated and corrupted blobs are
// errors, never crashes; CACHE_DIR loads what an earlier compile wrote.
#include "runtime/model_blob.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <sstream>

#include "frontend/onnx/test_files.h"
#include "ops/op_case.h"
#include "runtime/model_cache.h"
#include "runtime/model_hash.h"
#include "runtime/sandwich_model.h"
#include "tandem/tandem.h"

namespace tandem {
namespace {

using testing::TempDir;

Tensor random_tensor(Shape shape, unsigned seed) { return testing::random_tensor(std::move(shape), seed, 0.5f); }

// y = (Sin(x·W1) + x)·W2, and z = Relu(x): MatMul on the VNPU, Sin on the CPU (not an NPU op), Add
// and MatMul on the VNPU again; z ends in VNPU memory. `n` sizes the weights.
Model sandwich_model(int64_t n = 64) {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  model->path = "sandwich.onnx";
  ir::Graph& g = *model->graph;
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape({4, n}))});
  g.outputs.push_back(Port{"y", ValueType::tensor(ElementType::F32, PartialShape({4, n}))});
  g.outputs.push_back(Port{"z", ValueType::tensor(ElementType::F32, PartialShape({4, n}))});
  g.initializers.emplace("w1", random_tensor({n, n}, 1));
  g.initializers.emplace("w2", random_tensor({n, n}, 2));
  g.nodes.push_back(ir::Node{"mm1", "MatMul", "", {"x", "w1"}, {"a"}, {}});
  g.nodes.push_back(ir::Node{"sin", "Sin", "", {"a"}, {"b"}, {}});
  g.nodes.push_back(ir::Node{"add", "Add", "", {"b", "x"}, {"c"}, {}});
  g.nodes.push_back(ir::Node{"mm2", "MatMul", "", {"c", "w2"}, {"y"}, {}});
  g.nodes.push_back(ir::Node{"relu", "Relu", "", {"x"}, {"z"}, {}});
  return Model(model);
}

std::vector<Tensor> infer(const CompiledModel& compiled, const Tensor& x) {
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", x);
  request.infer();
  return {request.get_tensor("y"), request.get_tensor("z")};
}

void expect_same(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].shape(), b[i].shape());
    EXPECT_EQ(std::memcmp(a[i].data(), b[i].data(), a[i].byte_size()), 0)
        << "output " << i << " differs";
  }
}

std::string export_blob(const CompiledModel& compiled) {
  std::ostringstream out;
  compiled.export_model(out);
  return std::move(out).str();
}

CompiledModel import_blob(const std::string& bytes, const AnyMap& properties = {}) {
  std::istringstream in(bytes);
  return Core().import_model(in, properties);
}

// The blob's checksum made right again after a test changed its bytes, so the decoder behind it
// is what meets them.
std::string resealed(std::string blob) {
  constexpr size_t kPrefix = 8 + 4 + 8;
  if (blob.size() < kPrefix) return blob;
  const uint64_t checksum = runtime::hash_bytes(std::string_view(blob).substr(kPrefix));
  std::memcpy(blob.data() + kPrefix - 8, &checksum, 8);
  return blob;
}

// Replaces each length-prefixed `from` with a length-prefixed `to`.
std::string replaced(std::string blob, const std::string& from, const std::string& to) {
  auto prefixed = [](const std::string& s) {
    uint64_t n = s.size();
    return std::string(reinterpret_cast<const char*>(&n), 8) + s;
  };
  const std::string a = prefixed(from), b = prefixed(to);
  for (size_t at = blob.find(a); at != std::string::npos; at = blob.find(a, at + b.size()))
    blob.replace(at, a.size(), b);
  return resealed(blob);
}

TEST(ModelBlob, CpuExportImportGivesTheSameOutputs) {
  CompiledModel compiled = Core().compile_model(sandwich_model(), "CPU");
  const std::string blob = export_blob(compiled);
  EXPECT_TRUE(runtime::is_blob(blob));
  CompiledModel imported = import_blob(blob);
  const Tensor x = random_tensor({4, 64}, 3);
  expect_same(infer(imported, x), infer(compiled, x));
  EXPECT_EQ(imported.device(), "CPU");
  EXPECT_EQ(imported.get_property("LOADED_FROM_CACHE"), "YES");
  EXPECT_EQ(compiled.get_property("LOADED_FROM_CACHE"), "NO");
  EXPECT_EQ(imported.placement().summary(), compiled.placement().summary());
  ASSERT_EQ(imported.inputs().size(), 1u);
  EXPECT_EQ(to_string(imported.inputs()[0].type), "f32[4,64]");
  // Exporting what was imported gives the same blob: nothing is lost on the way.
  EXPECT_EQ(export_blob(imported), blob);
}

TEST(ModelBlob, HeteroVnpuCpuExportImportKeepsPlacementAndOutputs) {
  CompiledModel compiled = Core().compile_model(sandwich_model(), "HETERO:VNPU,CPU");
  CompiledModel imported = import_blob(export_blob(compiled));
  const Tensor x = random_tensor({4, 64}, 4);
  expect_same(infer(imported, x), infer(compiled, x));
  const Placement &a = compiled.placement(), &b = imported.placement();
  EXPECT_EQ(b.summary(), a.summary());
  ASSERT_EQ(b.nodes.size(), a.nodes.size());
  for (size_t i = 0; i < a.nodes.size(); ++i)
    EXPECT_EQ(b.nodes[i].device, a.nodes[i].device) << a.nodes[i].name;
  EXPECT_EQ(b.transfers.size(), a.transfers.size());
  EXPECT_EQ(imported.device(), "HETERO:VNPU,CPU");
  // Several requests in flight go through the imported stages as through the compiled ones.
  std::vector<InferRequest> requests;
  for (int i = 0; i < 3; ++i) {
    requests.push_back(imported.create_infer_request());
    requests.back().set_tensor("x", x);
    requests.back().start_async();
  }
  for (InferRequest& r : requests) {
    r.wait();
    expect_same({r.get_tensor("y"), r.get_tensor("z")}, infer(compiled, x));
  }
}

TEST(ModelBlob, ImportTakesRuntimePropertiesButNotAnotherPrecision) {
  const std::string blob = export_blob(Core().compile_model(sandwich_model(), "VNPU"));
  CompiledModel imported =
      import_blob(blob, {{"PERFORMANCE_HINT", "THROUGHPUT"}, {"ENABLE_PROFILING", "YES"}});
  EXPECT_EQ(imported.get_property("PERFORMANCE_HINT"), "THROUGHPUT");
  EXPECT_EQ(imported.get_property("INFERENCE_PRECISION_HINT"), "f32");
  EXPECT_THROW_KIND(
      import_blob(blob, {{"INFERENCE_PRECISION_HINT", "bf16"}}), ErrorKind::InvalidArgument,
      "import_model: INFERENCE_PRECISION_HINT is bf16, but the blob was compiled for f32");
  EXPECT_THROW_KIND(import_blob(blob, {{"ALLOW_CPU_FALLBACK", "NO"}}), ErrorKind::InvalidArgument,
                    "ALLOW_CPU_FALLBACK is NO, but the blob runs node 'sin' (Sin) on CPU");
  EXPECT_THROW_KIND(import_blob(blob, {{"NUM_STREAMS", "zero"}}), ErrorKind::InvalidArgument,
                    "NUM_STREAMS");
}

TEST(ModelBlob, HeaderMismatchesAreNamed) {
  const std::string blob = export_blob(Core().compile_model(sandwich_model(), "VNPU"));
  EXPECT_THROW_KIND(import_blob("ir_version: 8"), ErrorKind::InvalidArgument,
                    "not a compiled-model blob");
  EXPECT_THROW_KIND(import_blob(""), ErrorKind::InvalidArgument, "not a compiled-model blob");
  std::string other_format = blob;
  other_format[8] = 7;
  EXPECT_THROW_KIND(import_blob(other_format), ErrorKind::InvalidArgument,
                    fmt::format("the blob has format version 7; this tandem reads version {}",
                                runtime::kBlobFormatVersion));
  std::string corrupt = blob;
  corrupt[corrupt.size() / 2] ^= 0x20;
  EXPECT_THROW_KIND(import_blob(corrupt), ErrorKind::InvalidArgument,
                    "the blob is corrupt or truncated");
  EXPECT_THROW_KIND(import_blob(blob.substr(0, blob.size() - 1)), ErrorKind::InvalidArgument,
                    "the blob is corrupt or truncated");
  EXPECT_THROW_KIND(
      import_blob(replaced(blob, runtime::tandem_version(), "0.0.1")), ErrorKind::InvalidArgument,
      "the blob was written with tandem 0.0.1; this is tandem " + runtime::tandem_version());
  EXPECT_THROW_KIND(import_blob(replaced(blob, runtime::onednn_version(), "1.0.0")),
                    ErrorKind::InvalidArgument, "the blob was written with oneDNN 1.0.0");
  EXPECT_THROW_KIND(import_blob(replaced(blob, "VNPU", "TPU")), ErrorKind::InvalidArgument,
                    "the blob was compiled for device TPU, which this tandem does not have");
  // The real NPU is absent here: its diagnosis comes with the error.
  EXPECT_THROW_KIND(import_blob(replaced(blob, "VNPU", "NPU")), ErrorKind::DeviceUnavailable,
                    "NPU: unavailable");
}

TEST(ModelBlob, HeaderReadsWithoutLoading) {
  const std::string blob = export_blob(Core().compile_model(sandwich_model(), "VNPU"));
  runtime::BlobHeader h = runtime::read_blob_header(blob);
  EXPECT_EQ(h.format_version, runtime::kBlobFormatVersion);
  EXPECT_EQ(h.device, "VNPU");
  EXPECT_EQ(h.devices, (std::vector<std::string>{"VNPU", "CPU"}));
  EXPECT_EQ(h.model_hash, runtime::model_hash(*sandwich_model().ir()));
  EXPECT_EQ(h.precision, "f32");
  ASSERT_EQ(h.inputs.size(), 1u);
  EXPECT_EQ(h.inputs[0].name, "x");
  EXPECT_EQ(h.outputs.size(), 2u);
}

// Any error, never a crash: and when a changed blob still loads, it runs or fails cleanly.
void expect_no_crash(const std::string& bytes, const Tensor& x, int& loaded) {
  try {
    CompiledModel imported = import_blob(bytes);
    ++loaded;
    infer(imported, x);
  } catch (const Error&) {
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a tandem::Error: " << e.what();
  }
}

TEST(ModelBlob, TruncatedBlobsAreErrors) {
  const std::string blob = export_blob(Core().compile_model(sandwich_model(4), "VNPU"));
  for (size_t n = 0; n < blob.size(); ++n) {
    SCOPED_TRACE(n);
    EXPECT_THROW(import_blob(blob.substr(0, n)), Error);
    // With the checksum made to match, the decoder itself must find the end.
    EXPECT_THROW(import_blob(resealed(blob.substr(0, n))), Error);
  }
}

TEST(ModelBlob, CorruptedBytesNeverCrash) {
  const std::string blob = export_blob(Core().compile_model(sandwich_model(4), "VNPU"));
  const Tensor x = random_tensor({4, 4}, 5);
  int loaded = 0;
  for (size_t at = 20; at < blob.size(); ++at) {
    SCOPED_TRACE(at);
    for (unsigned char flip : {0x01, 0x80, 0xff}) {
      std::string bytes = blob;
      bytes[at] = char(bytes[at] ^ flip);
      EXPECT_THROW(import_blob(bytes), Error);  // the checksum
      expect_no_crash(resealed(bytes), x, loaded);
    }
  }
  // Flips in weights and names load; that some did shows the decoder was reached.
  EXPECT_GT(loaded, 0);
}

TEST(ModelBlob, CacheDirSecondCompileIsAHit) {
  TempDir dir;
  const AnyMap properties{{"CACHE_DIR", dir.file("cache")}};
  const Tensor x = random_tensor({4, 64}, 6);
  CompiledModel first = Core().compile_model(sandwich_model(), "VNPU", properties);
  EXPECT_EQ(first.get_property("LOADED_FROM_CACHE"), "NO");
  EXPECT_EQ(first.get_property("CACHE_DIR"), dir.file("cache"));
  auto config = runtime::CompileConfig::resolve(properties, "VNPU");
  const std::string file = runtime::cache_file(*sandwich_model().ir(), "VNPU", config);
  ASSERT_TRUE(std::filesystem::exists(file)) << file;
  // Only the blob: the temporary file was renamed into place.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.file("cache")), {}), 1);

  CompiledModel second = Core().compile_model(sandwich_model(), "VNPU", properties);
  EXPECT_EQ(second.get_property("LOADED_FROM_CACHE"), "YES");
  expect_same(infer(second, x), infer(first, x));
  EXPECT_EQ(second.placement().summary(), first.placement().summary());

  // Another device string, or other shapes, is another blob.
  EXPECT_EQ(Core()
                .compile_model(sandwich_model(), "HETERO:VNPU,CPU", properties)
                .get_property("LOADED_FROM_CACHE"),
            "NO");
  EXPECT_EQ(Core()
                .compile_model(sandwich_model(32), "VNPU", properties)
                .get_property("LOADED_FROM_CACHE"),
            "NO");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.file("cache")), {}), 3);
}

TEST(ModelBlob, CorruptCacheFileIsCompiledAgainAndReplaced) {
  TempDir dir;
  const AnyMap properties{{"CACHE_DIR", dir.path().string()}};
  Core().compile_model(sandwich_model(), "CPU", properties);
  const std::string file = runtime::cache_file(*sandwich_model().ir(), "CPU",
                                               runtime::CompileConfig::resolve(properties, "CPU"));
  std::string bytes = testing::read_bytes(file);
  testing::write_bytes(file, bytes.substr(0, bytes.size() / 2));
  EXPECT_EQ(
      Core().compile_model(sandwich_model(), "CPU", properties).get_property("LOADED_FROM_CACHE"),
      "NO");
  EXPECT_EQ(testing::read_bytes(file), bytes);
  EXPECT_EQ(
      Core().compile_model(sandwich_model(), "CPU", properties).get_property("LOADED_FROM_CACHE"),
      "YES");
}

TEST(ModelBlob, UnwritableCacheDirIsNamed) {
  TempDir dir;
  testing::write_bytes(dir.file("file"), "not a folder");
  EXPECT_THROW_KIND(
      Core().compile_model(sandwich_model(), "CPU", {{"CACHE_DIR", dir.file("file")}}),
      ErrorKind::InvalidArgument, "CACHE_DIR");
}

}  // namespace
}  // namespace tandem
