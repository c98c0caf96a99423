// hello_npu: the CPU compiles, the NPU infers. Reads a model, shows which of its nodes an NPU
// would run and which fall back to the CPU (and why), compiles it for the NPU (the virtual one,
// VNPU, where no NPU is present, saying so), runs it on random inputs, checks the result against
// the CPU and prints the timings and the placement.
//
//   build/samples/hello_npu models/mobilenet_v2.onnx
//   build/samples/hello_npu models/dynamic_unet_op11.onnx input=1,3,64,64   (sizes of its inputs)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tandem/tandem.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// FP16 arithmetic with FP32 accumulation keeps a network's outputs this close to the CPU's.
constexpr double kMinCosine = 0.999;
constexpr int kTimedRuns = 5;

// The real NPU if this machine has one, else the virtual one; says which, and why.
std::string choose_device(const tandem::Core& core) {
  tandem::DeviceDescription npu = core.device("NPU");
  if (npu.available) {
    std::cout << "NPU: " << npu.full_name << "\n";
    return "NPU";
  }
  std::string why;
  for (const tandem::DeviceCheck& check : npu.checks)
    if (!check.ok) {
      why = check.found;
      break;
    }
  std::cout << "no NPU here (" << why << "); using VNPU, a virtual NPU in software, not an "
            << "accelerator (`tandem devices --diagnose NPU` says what an NPU needs)\n";
  return "VNPU";
}

// "image=1,3,224,224": the sizes an input is to have, given after the model.
std::pair<std::string, tandem::PartialShape> parse_shape(const std::string& text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw tandem::Error(tandem::ErrorKind::InvalidArgument,
                        "hello_npu: '" + text + "': expected NAME=SIZES, e.g. image=1,3,224,224");
  std::vector<int64_t> dims;
  for (size_t begin = eq + 1; begin <= text.size();) {
    size_t end = std::min(text.find(',', begin), text.size());
    try {
      dims.push_back(std::stoll(text.substr(begin, end - begin)));
    } catch (const std::exception&) {
      throw tandem::Error(tandem::ErrorKind::InvalidArgument,
                          "hello_npu: '" + text + "': sizes are numbers, e.g. image=1,3,224,224");
    }
    begin = end + 1;
  }
  return {text.substr(0, eq), tandem::PartialShape(dims)};
}

// NPUs compile for fixed shapes: the sizes given on the command line, else every dynamic
// dimension at 1 (batch 1). Model::reshape checks the names and ranks.
tandem::Model with_static_inputs(const tandem::Model& model,
                                 std::map<std::string, tandem::PartialShape> shapes) {
  for (const tandem::Port& port : model.inputs()) {
    const tandem::PartialShape& shape = port.type.shape;
    bool given = shapes.contains(port.name);
    if (!port.type.is_tensor() || (shape.is_static() && !given)) continue;
    if (!given && !shape.rank_known())
      throw tandem::Error(
          tandem::ErrorKind::Unsupported,
          "hello_npu: input '" + port.name + "' has an unknown rank; give its sizes");
    if (!given) {
      std::vector<tandem::Dimension> dims = shape.dims();
      for (tandem::Dimension& dim : dims)
        if (!dim.is_static()) dim = tandem::Dimension(1);
      shapes[port.name] = tandem::PartialShape(dims);
    }
    std::cout << "reshaped input '" << port.name << "' from " << tandem::to_string(shape) << " to "
              << tandem::to_string(shapes[port.name])
              << (given ? " as given" : " (batch 1; INPUT=SIZES after the model sets others)")
              << ": an NPU needs static shapes\n";
  }
  return shapes.empty() ? model : model.reshape(shapes);
}

// Before compiling: which node goes where (Core::query_model), counted per device. Constants
// count as the CPU's: it computes them once, when compiling folds them into the weights.
void print_query(const tandem::Core& core, const tandem::Model& model, const std::string& device) {
  std::map<std::string, int> per_device;
  for (const auto& [node, where] : core.query_model(model, device)) ++per_device[where];
  std::cout << "query_model(" << device << "), before compiling:";
  for (const auto& [where, count] : per_device)
    std::cout << " " << where << " " << count << " node" << (count == 1 ? "" : "s") << ";";
  std::cout << " the CPU's include the constants compiling folds\n";
}

// After compiling: the nodes the accelerator declined, each with its reason.
void print_fallbacks(const tandem::Placement& placement, const std::string& device) {
  constexpr int kShown = 12;
  int fallbacks = 0;
  for (const tandem::PlacedNode& node : placement.nodes) {
    if (node.device == device || node.folded) continue;
    if (++fallbacks <= kShown)
      std::cout << "  " << node.name << " (" << node.op << ") on " << node.device << ": "
                << node.reason << "\n";
  }
  if (fallbacks > kShown) std::cout << "  ... and " << fallbacks - kShown << " more\n";
  if (fallbacks == 0) std::cout << "  none: " << device << " runs every node\n";
}

// Floats in [-1, 1), integers in [0, 10): valid for images, and for indices into small tables.
tandem::Tensor random_tensor(const tandem::Port& port, std::mt19937& random) {
  tandem::Tensor tensor(port.type.element_type, port.type.shape.to_shape());
  std::uniform_real_distribution<float> real(-1.0f, 1.0f);
  std::uniform_int_distribution<int> small(0, 9);
  switch (tensor.element_type()) {
    case tandem::ElementType::F32:
      for (float& x : tensor.span<float>()) x = real(random);
      return tensor;
    case tandem::ElementType::I64:
      for (int64_t& x : tensor.span<int64_t>()) x = small(random);
      return tensor;
    case tandem::ElementType::I32:
      for (int32_t& x : tensor.span<int32_t>()) x = small(random);
      return tensor;
    default:
      throw tandem::Error(tandem::ErrorKind::Unsupported,
                          "hello_npu: input '" + port.name + "' is " +
                              tandem::to_string(port.type) + "; it makes f32, i64 and i32 inputs");
  }
}

std::vector<tandem::Tensor> random_inputs(const tandem::Model& model) {
  std::mt19937 random(2024);  // fixed, so that every run compares the same numbers
  std::vector<tandem::Tensor> inputs;
  for (const tandem::Port& port : model.inputs()) {
    if (!port.type.is_tensor())
      throw tandem::Error(tandem::ErrorKind::Unsupported,
                          "hello_npu: input '" + port.name + "' is not a tensor");
    inputs.push_back(random_tensor(port, random));
  }
  return inputs;
}

tandem::InferRequest bound_request(const tandem::CompiledModel& compiled,
                                   const std::vector<tandem::Tensor>& inputs) {
  tandem::InferRequest request = compiled.create_infer_request();
  for (size_t i = 0; i < inputs.size(); ++i)
    request.set_tensor(compiled.inputs()[i].name, inputs[i]);
  return request;
}

// Compares one output with the CPU's; false if it is further off than FP16 arithmetic explains.
bool matches(const std::string& name, const tandem::Tensor& npu, const tandem::Tensor& cpu) {
  std::cout << "  " << name << ": ";
  if (!tandem::is_floating_type(npu.element_type())) {
    std::vector<int64_t> a = npu.to_int64(), b = cpu.to_int64();
    int64_t differ = 0;
    for (size_t i = 0; i < a.size(); ++i) differ += a[i] != b[i];
    std::cout << differ << " of " << a.size() << " elements differ\n";
    return differ == 0;
  }
  std::vector<double> a = npu.to_double(), b = cpu.to_double();
  double dot = 0, norm_a = 0, norm_b = 0, max_diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += a[i] * b[i];
    norm_a += a[i] * a[i];
    norm_b += b[i] * b[i];
    max_diff = std::max(max_diff, std::abs(a[i] - b[i]));
  }
  // Two all-zero outputs are equal; cosine is undefined there.
  double cosine = norm_a == 0 && norm_b == 0 ? 1 : dot / std::sqrt(norm_a * norm_b);
  std::cout << std::setprecision(6) << "cosine similarity " << cosine << ", max abs difference "
            << std::scientific << std::setprecision(2) << max_diff << std::fixed << "\n";
  return cosine >= kMinCosine;
}

int run(const std::string& path, const std::map<std::string, tandem::PartialShape>& shapes) {
  tandem::Core core;
  tandem::Model model = core.read_model(path);
  std::cout << path << ": " << model.node_count() << " nodes\n";
  std::string device = choose_device(core);
  model = with_static_inputs(model, shapes);
  print_query(core, model, device);

  auto start = Clock::now();
  tandem::CompiledModel compiled = core.compile_model(model, device);
  double compile_ms = ms_since(start);
  std::cout << std::fixed << std::setprecision(2) << "compiled on the CPU for " << device << " in "
            << compile_ms << " ms\n";
  std::cout << "fallbacks (nodes " << device << " does not run):\n";
  print_fallbacks(compiled.placement(), device);

  std::vector<tandem::Tensor> inputs = random_inputs(model);
  tandem::InferRequest request = bound_request(compiled, inputs);
  start = Clock::now();
  request.infer();
  double first_ms = ms_since(start);
  std::vector<double> runs_ms;
  for (int i = 0; i < kTimedRuns; ++i) {
    start = Clock::now();
    request.infer();
    runs_ms.push_back(ms_since(start));
  }
  std::nth_element(runs_ms.begin(), runs_ms.begin() + kTimedRuns / 2, runs_ms.end());

  tandem::CompiledModel on_cpu = core.compile_model(model, "CPU");
  tandem::InferRequest reference = bound_request(on_cpu, inputs);
  reference.infer();
  std::cout << std::setprecision(3) << "outputs on " << device
            << " against the CPU's (cosine >= " << kMinCosine << " expected):\n";
  bool ok = true;
  for (const tandem::Port& port : compiled.outputs())
    ok &= matches(port.name, request.get_tensor(port.name), reference.get_tensor(port.name));

  std::cout << std::setprecision(2) << "time on " << device << ": compile " << compile_ms
            << " ms, first inference " << first_ms << " ms, median of " << kTimedRuns << " "
            << runs_ms[kTimedRuns / 2] << " ms\n";
  std::cout << "placement: " << compiled.placement().summary() << "\n";
  std::cout << (ok ? "ok: " + device + " matches the CPU\n"
                   : "MISMATCH: " + device + " differs from the CPU beyond FP16 tolerance\n");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: hello_npu MODEL.onnx [INPUT=SIZES ...], e.g. image=1,3,224,224\n";
    return 2;
  }
  try {
    std::map<std::string, tandem::PartialShape> shapes;
    for (int i = 2; i < argc; ++i) shapes.insert(parse_shape(argv[i]));
    return run(argv[1], shapes);
  } catch (const tandem::Error& e) {
    std::cerr << "hello_npu: " << e.what() << "\n";
    return 1;
  }
}
