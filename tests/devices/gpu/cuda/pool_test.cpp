// The pools on cuDNN against the ops' reference kernels: random inputs (rounded to the compute
// type first, so that both sides see the same values), the GPU's output poisoned before the run.
#include "devices/gpu/cuda/kernels/pool.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/gpu_test_util.h"
#include "devices/gpu/cuda/kernel_case.h"
#include "devices/gpu/cuda/kernels/pool_direct.h"
#include "ir/graph.h"

namespace tandem::gpu {
namespace {

using testing::expect_close;
using testing::gpu_present;
using testing::Input;
using testing::random_input;
using testing::reference;
using testing::Run;
using testing::run_kernel;

using Attributes = std::map<std::string, ir::Attribute>;

// `tolerance`: f32's, of the largest reference value (1e-4 for the global pools' long sums).
void check_pool(const std::string& op, int opset, const Shape& x, const Attributes& attributes,
                ElementType compute = ElementType::F32, double tolerance = 1e-5) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  const ir::Node node{"pool", op, "", {"x"}, {"y"}, attributes};
  const std::vector<Input> inputs{random_input(x, compute, false, 7)};
  const Tensor want = reference(node, opset, inputs);
  const Run run = run_kernel(make_pool_kernel, node, opset, inputs, want.shape(), compute,
                             {.libraries = {.cudnn = true}, .poison_workspace = true});
  expect_close(run.output, want, compute, {.f32 = tolerance, .low_precision = 2e-2, .floor = 1e-6});
}

TEST(GpuPool, MaxPoolResNetStem) {
  check_pool("MaxPool", 12, {2, 8, 16, 16},
             {{"kernel_shape", std::vector<int64_t>{3, 3}},
              {"pads", std::vector<int64_t>{1, 1, 1, 1}},
              {"strides", std::vector<int64_t>{2, 2}}});
}

TEST(GpuPool, MaxPoolCeilMode) {
  check_pool("MaxPool", 12, {1, 4, 14, 13},
             {{"kernel_shape", std::vector<int64_t>{3, 3}},
              {"strides", std::vector<int64_t>{2, 2}},
              {"ceil_mode", int64_t(1)}});
}

TEST(GpuPool, MaxPoolUnequalPadsAndSameUpper) {
  check_pool(
      "MaxPool", 12, {1, 3, 9, 10},
      {{"kernel_shape", std::vector<int64_t>{3, 2}}, {"pads", std::vector<int64_t>{0, 1, 2, 0}}});
  check_pool("MaxPool", 12, {1, 3, 9, 10},
             {{"kernel_shape", std::vector<int64_t>{3, 3}},
              {"auto_pad", std::string("SAME_UPPER")},
              {"strides", std::vector<int64_t>{2, 2}}});
}

TEST(GpuPool, MaxPoolOneDimensional) {
  check_pool("MaxPool", 12, {2, 3, 17},
             {{"kernel_shape", std::vector<int64_t>{4}},
              {"pads", std::vector<int64_t>{1, 2}},
              {"strides", std::vector<int64_t>{3}}});
}

TEST(GpuPool, AveragePoolExcludingPadding) {
  check_pool("AveragePool", 19, {2, 4, 11, 11},
             {{"kernel_shape", std::vector<int64_t>{3, 3}},
              {"pads", std::vector<int64_t>{1, 0, 2, 1}},
              {"strides", std::vector<int64_t>{2, 2}},
              {"ceil_mode", int64_t(1)}});
}

TEST(GpuPool, AveragePoolIncludingPadding) {
  check_pool("AveragePool", 19, {2, 4, 11, 11},
             {{"kernel_shape", std::vector<int64_t>{3, 3}},
              {"pads", std::vector<int64_t>{1, 1, 1, 1}},
              {"strides", std::vector<int64_t>{2, 2}},
              {"count_include_pad", int64_t(1)}});
}

TEST(GpuPool, GlobalPools) {
  for (const char* op : {"GlobalAveragePool", "GlobalMaxPool"}) {
    SCOPED_TRACE(op);
    check_pool(op, 22, {2, 16, 7, 7}, {}, ElementType::F32, 1e-4);
    check_pool(op, 22, {2, 5, 3, 4, 5}, {}, ElementType::F32, 1e-4);
    check_pool(op, 22, {3, 6, 50}, {}, ElementType::F32, 1e-4);
  }
}

TEST(GpuPool, HalfAndBfloat16) {
  for (ElementType type : {ElementType::F16, ElementType::BF16}) {
    SCOPED_TRACE(to_string(type));
    check_pool("MaxPool", 12, {2, 8, 16, 16},
               {{"kernel_shape", std::vector<int64_t>{3, 3}},
                {"pads", std::vector<int64_t>{1, 1, 1, 1}},
                {"strides", std::vector<int64_t>{2, 2}}},
               type);
    check_pool(
        "AveragePool", 19, {2, 4, 11, 11},
        {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"strides", std::vector<int64_t>{2, 2}}},
        type);
    check_pool("GlobalAveragePool", 22, {2, 16, 7, 7}, {}, type);
  }
}

TEST(GpuPool, OtherOpsAreNotPools) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  const ir::Node node{"relu", "Relu", "", {"x"}, {"y"}, {}};
  const GpuNode g{node, 14, {{2}}, {ElementType::F32}, {nullptr}, {{2}}, {ElementType::F32}};
  EXPECT_EQ(make_pool_kernel(g), nullptr);
}

TEST(GpuPool, DeclinedNodeThrowsUnsupported) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  const ir::Node node{"pool", "MaxPool",        "",
                      {"x"},  {"y", "indices"}, {{"kernel_shape", std::vector<int64_t>{2, 2}}}};
  const GpuNode g{node,
                  12,
                  {{1, 2, 4, 4}},
                  {ElementType::F32},
                  {nullptr},
                  {{1, 2, 3, 3}, {1, 2, 3, 3}},
                  {ElementType::F32, ElementType::I64}};
  try {
    make_pool_kernel(g);
    ADD_FAILURE() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported) << e.what();
  }
}

// Our own pooling kernel, which runs what a cuDNN refuses, against the reference where cuDNN's
// formula is not ONNX's: ceil mode, unequal pads, the average with and without the pads counted;
// channels-first and channels-last.
TEST(GpuPool, DirectKernelMatchesTheReference) {
  if (!gpu_present()) GTEST_SKIP() << "no GPU";
  struct Case {
    std::string op;
    Shape x;
    Attributes attributes;
    DirectPool pool;  // its shapes and window; the type and layout are set per run
  };
  const std::vector<Case> cases{
      {"MaxPool", {1, 4, 14, 13},
       {{"kernel_shape", std::vector<int64_t>{3, 3}}, {"strides", std::vector<int64_t>{2, 2}}, {"ceil_mode", int64_t(1)}},
       {.n = 1, .c = 4, .in_h = 14, .in_w = 13, .out_h = 7, .out_w = 6, .window_h = 3, .window_w = 3, .stride_h = 2,
        .stride_w = 2, .pad_bottom = 1, .pad_right = 1}},
      {"AveragePool", {1, 3, 9, 10},
       {{"kernel_shape", std::vector<int64_t>{3, 2}}, {"pads", std::vector<int64_t>{0, 1, 2, 0}}},
       {.max = false, .n = 1, .c = 3, .in_h = 9, .in_w = 10, .out_h = 9, .out_w = 10, .window_h = 3, .window_w = 2,
        .pad_left = 1, .pad_bottom = 2}},
      {"AveragePool", {2, 3, 8, 8},
       {{"kernel_shape", std::vector<int64_t>{3, 3}}, {"strides", std::vector<int64_t>{2, 2}},
        {"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"count_include_pad", int64_t(1)}},
       {.max = false, .include_pad = true, .n = 2, .c = 3, .in_h = 8, .in_w = 8, .out_h = 4, .out_w = 4,
        .window_h = 3, .window_w = 3, .stride_h = 2, .stride_w = 2, .pad_top = 1, .pad_left = 1, .pad_bottom = 1,
        .pad_right = 1}},
  };
  for (const Case& c : cases)
    for (const ElementType type : {ElementType::F32, ElementType::F16})
      for (const bool channels_last : {false, true}) {
        SCOPED_TRACE(c.op + " " + std::string(to_string(type)) + (channels_last ? " NHWC" : " NCHW"));
        const ir::Node node{"pool", c.op, "", {"x"}, {"y"}, c.attributes};
        const std::vector<Input> inputs{random_input(c.x, type, false, 9)};
        const Tensor want = reference(node, 12, inputs);
        const Tensor& x = *inputs[0].value;
        const DeviceBuffer x_on_gpu = upload(channels_last ? testing::relaid(x, true) : x, type);
        const DeviceBuffer y_on_gpu(size_t(want.size()) * element_size(type));
        DirectPool pool = c.pool;
        pool.type = type;
        pool.channels_last = channels_last;
        launch_direct_pool(pool, x_on_gpu.get(), y_on_gpu.get(), nullptr);
        Tensor y(type, want.shape());
        check(cudaMemcpy(y.data(), y_on_gpu.get(), y.byte_size(), cudaMemcpyDeviceToHost), "copying back");
        expect_close(testing::to_floats(channels_last ? testing::relaid(y, false) : y), want, type,
                     {.f32 = 1e-5, .low_precision = 2e-2, .floor = 1e-6});
      }
}

}  // namespace
}  // namespace tandem::gpu
