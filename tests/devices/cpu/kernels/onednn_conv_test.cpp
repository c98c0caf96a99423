// The oneDNN Conv kernel against the reference kernel, through the public API: one-node models
// whose W and B are initializers (the kernel's case) or graph inputs (the reference's), on shapes
// around oneDNN's tile edges (channels 1, 3, 8, 16, 17, 64; odd sizes), every rank, groups,
// depthwise, strides, dilations, pads and auto_pad; then FusedConv, its residual sum and every
// activation as oneDNN post-ops, against FusedConv's reference; and the same in bf16
// (INFERENCE_PRECISION_HINT=bf16) within bf16's rounding, where the CPU has it.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ops/op_case.h"
#include "tandem/tandem.h"

namespace tandem {
namespace {

struct ConvCase {
  Shape x;                      // [N, C, spatial...]
  int64_t out_channels = 1;     // M
  std::vector<int64_t> kernel;  // one per spatial dimension
  int64_t group = 1;
  std::vector<int64_t> strides, dilations, pads;  // empty: the ONNX default
  std::string auto_pad = "NOTSET";
  bool bias = true;
  // FusedConv's activation ("" for none) and parameters, and whether it adds a residual; a
  // plain Conv without either.
  std::string activation;
  float alpha = 0.0f, beta = 0.0f;
  bool sum = false;

  bool fused() const { return sum || !activation.empty(); }

  Shape w() const {
    Shape w{out_channels, x[1] / group};
    w.insert(w.end(), kernel.begin(), kernel.end());
    return w;
  }
  std::string describe() const {
    return fmt::format(
        "x={} M={} kernel={} group={} strides={} dilations={} pads={} auto_pad={} bias={} "
        "activation={}({}, {}) sum={}",
        x, out_channels, kernel, group, strides, dilations, pads, auto_pad, bias, activation, alpha,
        beta, sum);
  }
};

Tensor random_tensor(const Shape& shape, std::mt19937& rng) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  Tensor t(ElementType::F32, shape);
  for (float& v : t.span<float>()) v = d(rng);
  return t;
}

Tensor absolute(const Tensor& t) {
  Tensor out = t.clone();
  for (float& v : out.span<float>()) v = std::fabs(v);
  return out;
}

Shape output_shape(const ConvCase& c);

// A one-node Conv (or FusedConv) model; W and B are initializers when `constant_weights`, else
// graph inputs. FusedConv's residual is the graph input "s".
Model conv_model(const ConvCase& c, const Tensor& w, const Tensor* b, bool constant_weights,
                 PartialShape x_shape) {
  auto model = std::make_shared<ir::Model>();
  model->graph = std::make_shared<ir::Graph>();
  model->opsets[""] = 17;
  ir::Graph& g = *model->graph;
  g.name = "conv";
  g.inputs.push_back(Port{"x", ValueType::tensor(ElementType::F32, std::move(x_shape))});
  g.outputs.push_back(Port{"y", ValueType{}});
  ir::Node node{"conv", "Conv", "", {"x", "w"}, {"y"}, {}};
  if (b) node.inputs.push_back("b");
  if (c.fused()) {
    model->opsets["com.tandem"] = 1;
    node.op_type = "FusedConv";
    node.domain = "com.tandem";
    if (!c.activation.empty()) {
      node.attributes["activation"] = c.activation;
      node.attributes["activation_alpha"] = c.alpha;
      node.attributes["activation_beta"] = c.beta;
    }
    if (c.sum) {
      node.inputs.resize(3);
      node.inputs.push_back("s");
      g.inputs.push_back(
          Port{"s", ValueType::tensor(ElementType::F32, PartialShape(output_shape(c)))});
    }
  }
  node.attributes["group"] = c.group;
  if (!c.strides.empty()) node.attributes["strides"] = c.strides;
  if (!c.dilations.empty()) node.attributes["dilations"] = c.dilations;
  if (!c.pads.empty()) node.attributes["pads"] = c.pads;
  if (c.auto_pad != "NOTSET") node.attributes["auto_pad"] = c.auto_pad;
  g.nodes.push_back(std::move(node));
  auto weight = [&](const std::string& name, const Tensor& t) {
    if (constant_weights) {
      g.initializers[name] = t;
      return;
    }
    g.inputs.push_back(Port{name, ValueType::tensor(ElementType::F32, PartialShape(t.shape()))});
  };
  weight("w", w);
  if (b) weight("b", *b);
  return Model(model);
}

struct Run {
  Tensor y;
  std::string exec_type;
};

Run run(const Model& model, const Tensor& x, const Tensor& w, const Tensor* b,
        bool constant_weights, const Tensor* sum = nullptr, const std::string& precision = "f32") {
  CompiledModel compiled = Core().compile_model(
      model, "CPU",
      // Unknown dimensions stay unknown (no compile for the run's shapes): the reference runs.
      {{properties::kEnableProfiling, "YES"}, {properties::kInferencePrecisionHint, precision}, {properties::kShapeCacheCapacity, "0"}});
  InferRequest request = compiled.create_infer_request();
  request.set_tensor("x", x);
  if (sum) request.set_tensor("s", *sum);
  if (!constant_weights) {
    request.set_tensor("w", w);
    if (b) request.set_tensor("b", *b);
  }
  request.infer();
  std::string exec_type;
  for (const ProfilingInfo& info : request.profiling_info())
    if (info.node_name == "conv") exec_type = info.exec_type;
  return {request.get_tensor("y"), exec_type};
}

bool is_onednn(const std::string& exec_type, bool fused, const std::string& precision) {
  return exec_type.starts_with((fused ? "onednn_fused_conv_" : "onednn_conv_") + precision + ":");
}

// The output shape of `c`, from the reference on zeros.
Shape output_shape(const ConvCase& c) {
  const Tensor zero_w(ElementType::F32, c.w());
  ConvCase plain = c;
  plain.activation.clear();
  plain.sum = false;
  return run(conv_model(plain, zero_w, nullptr, false, PartialShape(c.x)),
             Tensor(ElementType::F32, c.x), zero_w, nullptr, false)
      .y.shape();
}

// Runs `c` through the kernel (in `precision`) and the reference and compares them. The
// tolerance is relative 1e-4 of the accumulation: of sum |x*w| + |b| (+ |s|) per output, computed
// by the reference on |x|, |w| (and |s|) without the activation, times 2 for the activations'
// slopes (HardSwish's reaches 1.5). bf16 adds the rounding of x and w to 8 significant bits
// (relative error up to 2^-8 each): the K rounding errors of an output's dot product are
// independent and centred, so they grow as sqrt(K), with a standard deviation near
// 0.27·2^-8·sqrt(K) for products of numbers in [-1, 1]; 2^-7·sqrt(K) is over 7 of those.
void expect_matches_reference(const ConvCase& c, std::mt19937& rng,
                              const std::string& precision = "f32") {
  SCOPED_TRACE(c.describe() + " in " + precision);
  const Tensor x = random_tensor(c.x, rng), w = random_tensor(c.w(), rng),
               b = random_tensor({c.out_channels}, rng);
  const Tensor s = c.sum ? random_tensor(output_shape(c), rng) : Tensor();
  const Tensor* bias = c.bias ? &b : nullptr;
  const Tensor* sum = c.sum ? &s : nullptr;
  const Run got =
      run(conv_model(c, w, bias, true, PartialShape(c.x)), x, w, bias, true, sum, precision);
  const Run want = run(conv_model(c, w, bias, false, PartialShape(c.x)), x, w, bias, false, sum);
  const Tensor abs_b = absolute(b), abs_s = c.sum ? absolute(s) : Tensor();
  ConvCase linear = c;
  linear.activation.clear();
  const Run magnitude =
      run(conv_model(linear, w, bias, false, PartialShape(c.x)), absolute(x), absolute(w),
          c.bias ? &abs_b : nullptr, false, c.sum ? &abs_s : nullptr);
  EXPECT_TRUE(is_onednn(got.exec_type, c.fused(), precision)) << "ran " << got.exec_type;
  EXPECT_EQ(want.exec_type, "reference");
  ASSERT_EQ(got.y.shape(), want.y.shape());
  auto g = got.y.span<const float>(), r = want.y.span<const float>(),
       m = magnitude.y.span<const float>();
  const float slope = c.activation.empty() ? 1.0f : 2.0f;
  const Shape w_shape = c.w();
  const int64_t k = std::accumulate(w_shape.begin() + 1, w_shape.end(), int64_t(1),
                                    std::multiplies<>());  // C/group times the kernel's size
  const float rounding = precision == "bf16" ? 0x1p-7f * std::sqrt(float(k)) : 0.0f;
  int reported = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    const float tolerance = slope * (1e-4f * m[i] + rounding) + 1e-6f;
    if (std::fabs(g[i] - r[i]) <= tolerance) continue;
    ADD_FAILURE() << "at " << i << ": " << g[i] << " vs reference " << r[i] << " (tolerance "
                  << tolerance << ")";
    if (++reported == 5) break;
  }
}

TEST(OnednnConv, HandPickedCasesMatchReference) {
  const ConvCase cases[] = {
      // ResNet-like: 7x7 stride 2 stem on 3 channels, 1x1 and 3x3 blocks.
      {{1, 3, 23, 23}, 16, {7, 7}, 1, {2, 2}, {}, {3, 3, 3, 3}},
      {{1, 64, 9, 9}, 16, {1, 1}},
      {{1, 64, 9, 9}, 32, {1, 1}, 1, {2, 2}},
      {{1, 17, 5, 7}, 8, {1, 1}, 1, {}, {}, {1, 0, 0, 1}},
      {{1, 16, 9, 9}, 64, {3, 3}, 1, {}, {}, {1, 1, 1, 1}},
      {{2, 17, 7, 11}, 17, {3, 3}, 1, {2, 2}, {}, {1, 1, 1, 1}},
      // Depthwise, with and without a channel multiplier; grouped with odd group sizes.
      {{1, 16, 13, 13}, 16, {3, 3}, 16, {1, 1}, {}, {1, 1, 1, 1}},
      {{1, 17, 9, 7}, 17, {3, 3}, 17, {2, 2}, {}, {}, "SAME_UPPER"},
      {{1, 8, 7, 7}, 16, {5, 5}, 8, {}, {}, {2, 2, 2, 2}},
      {{2, 64, 5, 5}, 64, {3, 3}, 64, {}, {2, 2}, {}, "SAME_LOWER"},
      {{1, 6, 9, 9}, 9, {3, 3}, 3, {}, {}, {0, 1, 2, 0}},
      {{1, 64, 7, 7}, 64, {3, 3}, 4, {2, 1}, {1, 2}, {1, 2, 1, 0}},
      // Dilated, asymmetric pads, VALID.
      {{1, 8, 13, 9}, 8, {3, 3}, 1, {}, {2, 2}, {2, 0, 1, 2}},
      {{1, 3, 11, 11}, 17, {3, 2}, 1, {2, 1}, {}, {}, "VALID", false},
      // A single channel and a single output channel; a 1x1 input.
      {{1, 1, 7, 7}, 1, {3, 3}, 1, {}, {}, {1, 1, 1, 1}},
      {{3, 16, 1, 1}, 8, {1, 1}, 1, {}, {}, {}, "NOTSET", false},
      // 1-D and 3-D.
      {{1, 16, 31}, 8, {5}, 1, {2}, {}, {2, 2}},
      {{2, 17, 9}, 17, {3}, 17, {}, {2}, {}, "SAME_UPPER"},
      {{1, 3, 5, 7, 9}, 8, {3, 3, 3}, 1, {1, 2, 2}, {}, {1, 1, 1, 1, 1, 1}},
      {{1, 16, 5, 5, 5}, 16, {3, 1, 3}, 16, {}, {}, {}, "SAME_LOWER"},
  };
  std::mt19937 rng(11);
  for (const ConvCase& c : cases) expect_matches_reference(c, rng);
}

// A random case from the edges: channels, sizes, kernels, strides, dilations, pads, groups.
ConvCase random_case(std::mt19937& rng) {
  auto pick = [&](std::initializer_list<int64_t> values) {
    return *(values.begin() + std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng));
  };
  const size_t rank = size_t(pick({1, 2, 2, 2, 3}));
  ConvCase c;
  const int64_t channels = pick({1, 3, 8, 16, 17, 64});
  c.x = {pick({1, 1, 2}), channels};
  const int64_t kind = pick({0, 0, 1, 2});  // plain, grouped, depthwise
  if (kind == 2) {
    c.group = channels;
    c.out_channels = channels * pick({1, 1, 2});
  } else if (kind == 1) {
    std::vector<int64_t> divisors;
    for (int64_t g = 1; g <= channels; ++g)
      if (channels % g == 0) divisors.push_back(g);
    c.group = divisors[std::uniform_int_distribution<size_t>(0, divisors.size() - 1)(rng)];
    c.out_channels = c.group * pick({1, 2, 3, 8});
  } else {
    c.out_channels = pick({1, 3, 8, 16, 17, 64});
  }
  c.bias = pick({0, 1}) == 1;
  c.auto_pad = std::vector<std::string>{"NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER",
                                        "VALID"}[pick({0, 1, 2, 3, 4})];
  for (size_t i = 0; i < rank; ++i) {
    c.kernel.push_back(rank == 3 ? pick({1, 3}) : pick({1, 2, 3, 5}));
    c.strides.push_back(pick({1, 1, 2}));
    c.dilations.push_back(pick({1, 1, 2}));
  }
  std::vector<int64_t> begin, end;
  for (size_t i = 0; i < rank; ++i) {
    begin.push_back(c.auto_pad == "NOTSET" ? pick({0, 1, 2}) : 0);
    end.push_back(c.auto_pad == "NOTSET" ? pick({0, 1, 2}) : 0);
    const int64_t extent = (c.kernel[i] - 1) * c.dilations[i] + 1;
    // Odd sizes, at least the window so that every output is non-empty.
    int64_t size = rank == 3 ? pick({1, 3, 5, 7}) : pick({1, 3, 5, 7, 9, 13, 17});
    const int64_t needed = c.auto_pad == "NOTSET" ? extent - begin[i] - end[i] : extent;
    if (c.auto_pad != "SAME_UPPER" && c.auto_pad != "SAME_LOWER") size = std::max(size, needed);
    c.x.push_back(size);
  }
  if (c.auto_pad == "NOTSET") {
    c.pads = begin;
    c.pads.insert(c.pads.end(), end.begin(), end.end());
  }
  return c;
}

TEST(OnednnConv, RandomCasesMatchReference) {
  std::mt19937 rng(17);
  for (int i = 0; i < 120; ++i) expect_matches_reference(random_case(rng), rng);
}

// Every activation FusedConv knows, with parameters away from the defaults.
struct ActivationCase {
  const char* name;
  float alpha, beta;
};
constexpr ActivationCase kActivations[] = {{"Relu", 0, 0},
                                           {"LeakyRelu", 0.1f, 0},
                                           {"Clip", -0.5f, 0.75f},
                                           {"Sigmoid", 0, 0},
                                           {"HardSigmoid", 0.3f, 0.4f},
                                           {"HardSwish", 0, 0},
                                           {"Swish", 1.5f, 0},
                                           {"Tanh", 0, 0},
                                           {"Elu", 0.7f, 0}};

// Each activation, with and without a residual, on the two layouts the kernel picks: plain for
// a pointwise conv, blocked for the rest (the residual is then reordered into dst's layout).
TEST(OnednnConv, FusedActivationsAndSumMatchReference) {
  std::mt19937 rng(29);
  const ConvCase shapes[] = {
      {{1, 17, 9, 9}, 16, {1, 1}},
      {{1, 16, 9, 9}, 17, {3, 3}, 1, {}, {}, {1, 1, 1, 1}},
      {{1, 16, 8, 8}, 16, {3, 3}, 16, {2, 2}, {}, {1, 1, 1, 1}, "NOTSET", false},
  };
  for (const ConvCase& shape : shapes)
    for (const ActivationCase& a : kActivations)
      for (bool sum : {false, true}) {
        ConvCase c = shape;
        c.activation = a.name;
        c.alpha = a.alpha;
        c.beta = a.beta;
        c.sum = sum;
        expect_matches_reference(c, rng);
      }
  ConvCase sum_only = shapes[1];
  sum_only.sum = true;
  expect_matches_reference(sum_only, rng);
}

// Outputs whose window reads padding only, where oneDNN 2.6's brgconv crashed running the sum
// and eltwise post-ops: the kernel must pick another implementation.
TEST(OnednnConv, FusedOutputsOverPaddingOnly) {
  std::mt19937 rng(37);
  ConvCase dilated{{2, 3, 1, 9}, 8, {2, 2}, 1, {1, 2}, {2, 2}, {2, 0, 2, 1}};
  ConvCase wide_pads{{1, 64, 13, 3}, 16, {2, 3}, 2, {}, {}, {1, 2, 2, 0}};
  for (ConvCase c : {dilated, wide_pads}) {
    c.activation = "Sigmoid";
    c.sum = true;
    expect_matches_reference(c, rng);
  }
}

TEST(OnednnConv, RandomFusedCasesMatchReference) {
  std::mt19937 rng(31);
  for (int i = 0; i < 60; ++i) {
    ConvCase c = random_case(rng);
    const ActivationCase& a =
        kActivations[std::uniform_int_distribution<size_t>(0, std::size(kActivations) - 1)(rng)];
    c.activation = a.name;
    c.alpha = a.alpha;
    c.beta = a.beta;
    c.sum = std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    expect_matches_reference(c, rng);
  }
}

// The bf16 hint needs AVX-512 BF16 or AMX; elsewhere compile_model refuses it.
bool cpu_has_bf16() {
  const ConvCase c{{1, 1, 1}, 1, {1}};
  const Tensor w(ElementType::F32, c.w());
  try {
    Core().compile_model(conv_model(c, w, nullptr, true, PartialShape(c.x)), "CPU",
                         {{properties::kInferencePrecisionHint, "bf16"}});
    return true;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Unsupported) throw;
    return false;
  }
}

TEST(OnednnConvBf16, HandPickedAndRandomCasesMatchReference) {
  if (!cpu_has_bf16()) GTEST_SKIP() << "this CPU has neither AVX-512 BF16 nor AMX";
  const ConvCase cases[] = {
      {{1, 3, 23, 23}, 16, {7, 7}, 1, {2, 2}, {}, {3, 3, 3, 3}},
      {{1, 64, 9, 9}, 16, {1, 1}},
      {{1, 64, 9, 9}, 32, {1, 1}, 1, {2, 2}},
      {{2, 17, 7, 11}, 17, {3, 3}, 1, {2, 2}, {}, {1, 1, 1, 1}},
      {{1, 16, 13, 13}, 16, {3, 3}, 16, {1, 1}, {}, {1, 1, 1, 1}},
      {{1, 64, 7, 7}, 64, {3, 3}, 4, {2, 1}, {1, 2}, {1, 2, 1, 0}},
      {{1, 8, 13, 9}, 8, {3, 3}, 1, {}, {2, 2}, {2, 0, 1, 2}},
      {{1, 16, 31}, 8, {5}, 1, {2}, {}, {2, 2}},
      {{1, 3, 5, 7, 9}, 8, {3, 3, 3}, 1, {1, 2, 2}, {}, {1, 1, 1, 1, 1, 1}},
  };
  std::mt19937 rng(41);
  for (const ConvCase& c : cases) expect_matches_reference(c, rng, "bf16");
  for (int i = 0; i < 40; ++i) expect_matches_reference(random_case(rng), rng, "bf16");
}

// FusedConv's post-ops run on the f32 accumulator, the residual added in f32, on both layouts.
TEST(OnednnConvBf16, FusedActivationsAndSumMatchReference) {
  if (!cpu_has_bf16()) GTEST_SKIP() << "this CPU has neither AVX-512 BF16 nor AMX";
  std::mt19937 rng(43);
  const ConvCase shapes[] = {
      {{1, 17, 9, 9}, 16, {1, 1}},
      {{1, 16, 9, 9}, 17, {3, 3}, 1, {}, {}, {1, 1, 1, 1}},
      {{1, 16, 8, 8}, 16, {3, 3}, 16, {2, 2}, {}, {1, 1, 1, 1}, "NOTSET", false},
      {{2, 3, 1, 9}, 8, {2, 2}, 1, {1, 2}, {2, 2}, {2, 0, 2, 1}},  // outputs over padding only
  };
  for (const ConvCase& shape : shapes)
    for (const ActivationCase& a : kActivations)
      for (bool sum : {false, true}) {
        ConvCase c = shape;
        c.activation = a.name;
        c.alpha = a.alpha;
        c.beta = a.beta;
        c.sum = sum;
        expect_matches_reference(c, rng, "bf16");
      }
}

// A ResNet-50 3x3 layer: also proves the convolution really is taken in bf16, since some outputs
// then differ from the f32 reference by far more than f32 summation could explain.
TEST(OnednnConvBf16, ResNetLayerRoundsToBf16) {
  if (!cpu_has_bf16()) GTEST_SKIP() << "this CPU has neither AVX-512 BF16 nor AMX";
  std::mt19937 rng(47);
  const ConvCase c{{1, 64, 14, 14}, 64, {3, 3}, 1, {}, {}, {1, 1, 1, 1}};
  expect_matches_reference(c, rng, "bf16");
  const Tensor x = random_tensor(c.x, rng), w = random_tensor(c.w(), rng),
               b = random_tensor({64}, rng);
  const auto bf16 =
      run(conv_model(c, w, &b, true, PartialShape(c.x)), x, w, &b, true, nullptr, "bf16");
  const auto reference = run(conv_model(c, w, &b, false, PartialShape(c.x)), x, w, &b, false);
  float largest = 0;
  auto got = bf16.y.span<const float>(), want = reference.y.span<const float>();
  for (size_t i = 0; i < want.size(); ++i) largest = std::max(largest, std::fabs(got[i] - want[i]));
  EXPECT_GT(largest, 1e-3f);  // f32 summation of 576 products in [-1, 1] stays under 1e-4
}

TEST(OnednnConv, DeclinesWhatItDoesNotHandle) {
  std::mt19937 rng(5);
  const ConvCase c{{1, 8, 7, 7}, 8, {3, 3}, 1, {}, {}, {1, 1, 1, 1}};
  const Tensor x = random_tensor(c.x, rng), w = random_tensor(c.w(), rng),
               b = random_tensor({8}, rng);
  // Weights that are graph inputs, and a dynamic batch: the reference runs.
  EXPECT_EQ(run(conv_model(c, w, &b, false, PartialShape(c.x)), x, w, &b, false).exec_type,
            "reference");
  const PartialShape dynamic({Dimension::named("batch"), 8, 7, 7});
  EXPECT_EQ(run(conv_model(c, w, &b, true, dynamic), x, w, &b, true).exec_type, "reference");
}

// One compiled model, many requests at once on several streams: packed weights and the primitive
// are shared; every result must equal the single-threaded one.
TEST(OnednnConv, ConcurrentRequestsShareTheKernel) {
  std::mt19937 rng(23);
  const ConvCase c{{1, 17, 15, 15}, 32, {3, 3}, 1, {2, 2}, {}, {1, 1, 1, 1}};
  const Tensor w = random_tensor(c.w(), rng), b = random_tensor({32}, rng);
  CompiledModel compiled =
      Core().compile_model(conv_model(c, w, &b, true, PartialShape(c.x)), "CPU",
                           {{properties::kPerformanceHint, "THROUGHPUT"}});
  constexpr int kRequests = 6, kRounds = 20;
  std::vector<Tensor> inputs, expected;
  std::vector<InferRequest> requests;
  for (int i = 0; i < kRequests; ++i) {
    inputs.push_back(random_tensor(c.x, rng));
    expected.push_back(
        run(conv_model(c, w, &b, false, PartialShape(c.x)), inputs[i], w, &b, false).y);
    requests.push_back(compiled.create_infer_request());
    requests.back().set_tensor("x", inputs[i]);
  }
  std::atomic<int> mismatches = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (auto& r : requests) r.start_async();
    for (int i = 0; i < kRequests; ++i) {
      requests[i].wait();
      auto got = requests[i].get_tensor("y").span<const float>();
      auto want = expected[i].span<const float>();
      for (size_t k = 0; k < want.size(); ++k)
        if (std::fabs(got[k] - want[k]) > 1e-4f * (1 + std::fabs(want[k]))) ++mismatches;
    }
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace tandem
