// INFERENCE_PRECISION_HINT: f32 always, bf16 where oneDNN has native bf16 kernels, f16 never on
// the CPU; each refusal says why.
#include "runtime/compile_config.h"

#include <gtest/gtest.h>

#include <oneapi/dnnl/dnnl.hpp>

#include "ir/graph.h"
#include "ops/op_case.h"
#include "tandem/tandem.h"
#include "tandem/error.h"

namespace tandem::runtime {
namespace {

bool onednn_has_bf16() {
  const auto isa = unsigned(dnnl::get_effective_cpu_isa());
  const auto bf16 = unsigned(dnnl::cpu_isa::avx512_core_bf16);
  return (isa & bf16) == bf16;
}

AnyMap hint(const std::string& precision) {
  return {{properties::kInferencePrecisionHint, precision}};
}

TEST(CompileConfigPrecision, DefaultsToF32) {
  EXPECT_EQ(CompileConfig::resolve({}, "CPU").precision, "f32");
  EXPECT_EQ(
      CompileConfig::resolve(hint("f32"), "CPU").to_map().at(properties::kInferencePrecisionHint),
      "f32");
}

Model identity_model() {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  model->graph->inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, PartialShape({2}))});
  model->graph->outputs.push_back(Port{"y", ValueType::tensor(ElementType::F32, PartialShape({2}))});
  model->graph->nodes.push_back(ir::Node{"n", "Identity", "", {"x"}, {"y"}, {}});
  return Model(model);
}

TEST(CompileConfigPrecision, Bf16WhereTheCpuHasIt) {
  EXPECT_EQ(CompileConfig::resolve(hint("bf16"), "CPU").precision, "bf16");
  if (!onednn_has_bf16()) {
    EXPECT_THROW_KIND(Core().compile_model(identity_model(), "CPU", hint("bf16")), ErrorKind::Unsupported,
                      "INFERENCE_PRECISION_HINT bf16 is not offered by CPU on this machine: it computes in f32 "
                      "(bf16 needs a CPU with AVX-512 BF16 or AMX)");
    return;
  }
  CompiledModel compiled = Core().compile_model(identity_model(), "CPU", hint("bf16"));
  EXPECT_EQ(compiled.get_property(properties::kInferencePrecisionHint), "bf16");
  EXPECT_EQ(Core().device("CPU").precisions, (std::vector<std::string>{"f32", "bf16"}));
}

TEST(CompileConfigPrecision, F16AndUnknownValuesAreRefused) {
  EXPECT_THROW_KIND(Core().compile_model(identity_model(), "CPU", hint("f16")), ErrorKind::Unsupported,
                    "INFERENCE_PRECISION_HINT f16 is not offered by CPU on this machine");
  EXPECT_THROW_KIND(CompileConfig::resolve(hint("f64"), "CPU"), ErrorKind::InvalidArgument,
                    "cannot be 'f64'; use f32, bf16 or f16");
}

}  // namespace
}  // namespace tandem::runtime
