// Runs ONNX backend test folders (model.onnx + test_data_set_N/{input,output}_K.pb) through the
// public API, compares outputs, and checks the result against the expected-failures list.
//
//   tandem_conformance --suite DIR [--suite DIR ...] --expected-failures FILE [...] [--filter TEXT]
//                      [-v] [--rtol R --atol A] [--skip-absent] [--device NAME]
//
// --device compiles for another device than the CPU ("HETERO:VNPU,CPU", "AUTO"); the model's
// dynamic inputs are then reshaped to the test data's shapes first, as static-only devices need,
// and a test with nodes on a device that computes in f16 compares floats with f16 tolerance.
// expected_failures_vnpu.txt adds the tests f16 cannot pass to expected_failures.txt:
//
//   tandem_conformance --suite DIR --device HETERO:VNPU,CPU
//       --expected-failures tests/conformance/expected_failures.txt
//       --expected-failures tests/conformance/expected_failures_vnpu.txt
//
// Each test runs in a child process, so a crash or a hang is reported as that test's failure
// instead of ending the run. Exit code 0 when every test behaves as the list expects.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tandem/tandem.h"

namespace fs = std::filesystem;
using namespace tandem;

namespace {

// Floats match when |got - want| <= atol + rtol * |want|.
struct Tolerance {
  double rtol = 1e-3;
  double atol = 1e-5;
};
Tolerance tolerance;

// For a test with nodes on a device that computes in f16 (no "f32" among its precisions), floats
// match when |got - want| <= 1e-2 * (|want| + max(max|want|, 2^-14)): 1e-2 relative, about 20
// units of f16 rounding (2^-11), and the absolute term scaled by the largest magnitude of the
// tensor, since an f16 element's error comes from intermediates about that large (a sum that
// cancels, x - mean in a normalisation), never below f16's smallest normal number (2^-14).
// Integer, bool and string outputs stay exact.
constexpr double kF16Tolerance = 1e-2;
constexpr double kF16SmallestNormal = 6.103515625e-05;
bool f16_tolerance = false;

std::string compare_tensors(const Tensor& got, const Tensor& want) {
  if (got.element_type() != want.element_type())
    return fmt::format("element type {} instead of {}", to_string(got.element_type()), to_string(want.element_type()));
  if (got.shape() != want.shape())
    return fmt::format("shape {} instead of {}", to_string(got.shape()), to_string(want.shape()));
  if (want.element_type() == ElementType::String) {
    auto g = got.span<std::string>(), w = want.span<std::string>();
    for (size_t i = 0; i < w.size(); ++i)
      if (g[i] != w[i]) return fmt::format("element {} is '{}' instead of '{}'", i, g[i], w[i]);
    return "";
  }
  // Narrow floats compare as float values, like the wider ones (NaN equals NaN).
  const bool exact = !is_floating_type(want.element_type());
  if (exact) {
    auto g = got.to_int64(), w = want.to_int64();
    for (size_t i = 0; i < w.size(); ++i)
      if (g[i] != w[i]) return fmt::format("element {} is {} instead of {}", i, g[i], w[i]);
    return "";
  }
  auto g = got.to_double(), w = want.to_double();
  Tolerance t = tolerance;
  if (f16_tolerance) {
    double largest = kF16SmallestNormal;
    for (double x : w)
      if (std::isfinite(x)) largest = std::max(largest, std::abs(x));
    t = {.rtol = kF16Tolerance, .atol = kF16Tolerance * largest};
  }
  for (size_t i = 0; i < w.size(); ++i) {
    if (std::isnan(w[i]) && std::isnan(g[i])) continue;
    if (std::isinf(w[i]) && g[i] == w[i]) continue;
    if (!(std::abs(g[i] - w[i]) <= t.atol + t.rtol * std::abs(w[i])))
      return fmt::format("element {} is {} instead of {}", i, g[i], w[i]);
  }
  return "";
}

// Maps are unordered: entries compare by key (ONNX Runtime writes them in key order, ZipMap here
// in class order).
std::string compare_maps(const Value& got, const Value& want) {
  const Tensor& got_keys = got.map_keys();
  const Tensor& want_keys = want.map_keys();
  if (got_keys.element_type() != want_keys.element_type() || got_keys.size() != want_keys.size())
    return fmt::format("keys {} instead of {}", describe(got_keys), describe(want_keys));
  auto key_strings = [](const Tensor& keys) {
    std::vector<std::string> out;
    for (int64_t i = 0; i < keys.size(); ++i)
      out.push_back(keys.element_type() == ElementType::String ? keys.span<std::string>()[size_t(i)]
                                                               : std::to_string(keys.span<int64_t>()[size_t(i)]));
    return out;
  };
  const std::vector<std::string> g = key_strings(got_keys), w = key_strings(want_keys);
  // Reorders got's values into want's key order, then compares them as tensors.
  std::vector<size_t> order;
  for (const std::string& key : w) {
    auto it = std::find(g.begin(), g.end(), key);
    if (it == g.end()) return fmt::format("key '{}' is missing", key);
    order.push_back(size_t(it - g.begin()));
  }
  const Tensor& values = got.map_values();
  Tensor reordered(values.element_type(), values.shape());
  const size_t width = values.element_type() == ElementType::String ? 0 : element_size(values.element_type());
  for (size_t i = 0; i < order.size(); ++i) {
    if (width == 0)
      reordered.span<std::string>()[i] = values.span<std::string>()[order[i]];
    else
      std::memcpy(static_cast<std::byte*>(reordered.data()) + i * width,
                  static_cast<const std::byte*>(values.data()) + order[i] * width, width);
  }
  if (auto why = compare_tensors(reordered, want.map_values()); !why.empty()) return "values: " + why;
  return "";
}

std::string compare_values(const Value& got, const Value& want) {
  if (got.kind() != want.kind()) return "value kind differs";
  if (want.is_tensor()) return compare_tensors(got.tensor(), want.tensor());
  if (want.is_map()) return compare_maps(got, want);
  if (want.is_map_sequence()) {
    if (!got.is_map_sequence()) return "a sequence of tensors instead of maps";
    if (got.map_items().size() != want.map_items().size())
      return fmt::format("sequence of {} maps instead of {}", got.map_items().size(), want.map_items().size());
    for (size_t i = 0; i < want.map_items().size(); ++i)
      if (auto why = compare_maps(got.map_items()[i], want.map_items()[i]); !why.empty())
        return fmt::format("map {}: {}", i, why);
    return "";
  }
  if (want.is_sequence()) {
    if (got.is_map_sequence()) return "a sequence of maps instead of tensors";
    if (got.items().size() != want.items().size())
      return fmt::format("sequence of {} items instead of {}", got.items().size(), want.items().size());
    for (size_t i = 0; i < want.items().size(); ++i)
      if (auto why = compare_tensors(got.items()[i], want.items()[i]); !why.empty())
        return fmt::format("item {}: {}", i, why);
  }
  return "";
}

std::vector<fs::path> numbered_files(const fs::path& dir, const std::string& stem) {
  std::vector<fs::path> files;
  for (int k = 0; fs::exists(dir / fmt::format("{}_{}.pb", stem, k)); ++k)
    files.push_back(dir / fmt::format("{}_{}.pb", stem, k));
  return files;
}

// Whether a node of `compiled` runs, per inference, on a device without "f32" among its precisions.
bool computes_in_f16(const Core& core, const CompiledModel& compiled) {
  std::set<std::string> devices;
  for (const PlacedNode& node : compiled.placement().nodes)
    if (!node.folded) devices.insert(node.device);
  for (const std::string& device : devices) {
    const std::vector<std::string> precisions = core.device(device).precisions;
    if (std::find(precisions.begin(), precisions.end(), "f32") == precisions.end()) return true;
  }
  return false;
}

// Runs one test folder on `device`; returns "" on success, else why it failed.
std::string run_test(const fs::path& dir, const std::string& device) {
  try {
    Core core;
    Model model = core.read_model((dir / "model.onnx").string());
    std::optional<CompiledModel> compiled;
    std::map<std::string, PartialShape> compiled_shapes;
    std::vector<fs::path> sets;
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_directory() && entry.path().filename().string().starts_with("test_data_set_"))
        sets.push_back(entry.path());
    std::sort(sets.begin(), sets.end());
    if (sets.empty()) return "no test data sets";
    for (const fs::path& set : sets) {
      auto inputs = numbered_files(set, "input");
      if (inputs.size() > model.inputs().size())
        return fmt::format("{} input files for {} model inputs", inputs.size(), model.inputs().size());
      std::vector<Value> values;
      for (size_t k = 0; k < inputs.size(); ++k)
        values.push_back(load_value(inputs[k].string(), model.inputs()[k].type));
      // Devices other than the CPU may need static shapes: the data fixes the dynamic dimensions.
      std::map<std::string, PartialShape> shapes;
      if (device != "CPU")
        for (size_t k = 0; k < values.size(); ++k)
          if (const Port& port = model.inputs()[k];
              port.type.is_tensor() && !port.type.shape.is_static() && values[k].is_tensor())
            shapes[port.name] = PartialShape(values[k].tensor().shape());
      if (!compiled || shapes != compiled_shapes) {
        compiled = core.compile_model(shapes.empty() ? model : model.reshape(shapes), device);
        compiled_shapes = shapes;
        f16_tolerance = computes_in_f16(core, *compiled);
      }
      InferRequest request = compiled->create_infer_request();
      for (size_t k = 0; k < values.size(); ++k)
        request.set_value(model.inputs()[k].name, values[k]);
      request.infer();
      auto outputs = numbered_files(set, "output");
      for (size_t k = 0; k < outputs.size() && k < model.outputs().size(); ++k) {
        const Port& port = model.outputs()[k];
        std::string why =
            compare_values(request.get_value(port.name), load_value(outputs[k].string(), port.type));
        if (!why.empty())
          return fmt::format("{}: output '{}': {}", set.filename().string(), port.name, why);
      }
    }
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

// Runs run_test in a child so that crashes and hangs become failures of that test alone.
std::string run_isolated(const fs::path& dir, const std::string& device, int timeout_seconds) {
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string why = run_test(dir, device);
    if (why.empty()) why = "\x01";  // success marker
    ssize_t ignored = write(fds[1], why.data(), std::min<size_t>(why.size(), 4000));
    (void)ignored;
    _exit(0);
  }
  close(fds[1]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      close(fds[0]);
      return fmt::format("timed out after {} s", timeout_seconds);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::string message;
  char buffer[4096];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, size_t(n));
  close(fds[0]);
  if (WIFSIGNALED(status)) return fmt::format("crashed with signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  if (message == "\x01") return "";
  if (message.empty()) return "child exited without a result";
  std::replace(message.begin(), message.end(), '\n', ' ');
  return message;
}

// "suite/test_name: reason" per line; '#' starts a comment line. Adds to `expected`. A line
// starting with '~' names a test whose outcome is left unchecked: one whose expected data are
// unseeded random draws, which a correct runtime matches only by chance.
void read_expected_failures(const std::string& path, std::map<std::string, std::string>& expected,
                            std::set<std::string>& unchecked) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::InvalidArgument, fmt::format("{}: cannot open", path));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const bool chance = line[0] == '~';
    if (chance) line.erase(0, 1);
    auto colon = line.find(':');
    std::string key = line.substr(0, colon);
    key.erase(key.find_last_not_of(" \t") + 1);
    expected[key] = colon == std::string::npos ? "" : line.substr(colon + 1);
    if (chance) unchecked.insert(key);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Runs ONNX backend test data through tandem"};
  std::vector<std::string> suites, expected_paths;
  std::string filter, device = "CPU";
  bool verbose = false;
  int timeout = 120;
  app.add_option("--suite", suites, "folder of test folders (repeatable)")->required();
  app.add_option("--expected-failures", expected_paths,
                 "a list of expected failures (repeatable: the lists add up)");
  app.add_option("--device", device, "the device to compile for: CPU, HETERO:VNPU,CPU, AUTO, ...");
  app.add_option("--filter", filter, "run only tests whose name contains this");
  app.add_option("--timeout", timeout, "seconds per test");
  app.add_flag("-v,--verbose", verbose, "print every test, not only failures");
  app.add_option("--rtol", tolerance.rtol, "relative tolerance on floats (default 1e-3)");
  app.add_option("--atol", tolerance.atol, "absolute tolerance on floats (default 1e-5)");
  bool skip_absent = false;
  app.add_flag("--skip-absent", skip_absent,
               "exit 77 (CTest's skip code) when a suite folder is absent or no test matches, instead "
               "of failing or passing");
  CLI11_PARSE(app, argc, argv);
  for (const std::string& suite_dir : suites) {
    if (fs::is_directory(suite_dir)) continue;
    if (skip_absent) {
      fmt::print("SKIP: {} is absent\n", suite_dir);
      return 77;
    }
    fmt::print(stderr, "tandem_conformance: suite folder {} does not exist; scripts/test writes the ONNX node "
               "tests there (.venv/bin/python scripts/write_onnx_node_tests.py FOLDER)\n", suite_dir);
    return 2;
  }

  std::map<std::string, std::string> expected;
  std::set<std::string> unchecked;
  for (const std::string& path : expected_paths) read_expected_failures(path, expected, unchecked);

  int passed = 0, failed = 0, surprises = 0, matched = 0;
  for (const std::string& suite_dir : suites) {
    const std::string suite = fs::path(suite_dir).filename().string();
    std::vector<fs::path> tests;
    for (const auto& entry : fs::directory_iterator(suite_dir))
      if (entry.is_directory() && entry.path().filename().string().find(filter) != std::string::npos)
        tests.push_back(entry.path());
    std::sort(tests.begin(), tests.end());
    matched += int(tests.size());
    for (const fs::path& test : tests) {
      const std::string key = suite + "/" + test.filename().string();
      std::string why = run_isolated(test, device, timeout);
      const bool listed = expected.contains(key);
      if (why.empty()) {
        ++passed;
        if (listed && !unchecked.contains(key)) {
          ++surprises;
          fmt::print("UNEXPECTED PASS {} (listed as an expected failure: remove it from the list)\n", key);
        } else if (verbose) {
          fmt::print("pass {}\n", key);
        }
      } else {
        ++failed;
        if (!listed) ++surprises;
        if (!listed || verbose) fmt::print("{} {}: {}\n", listed ? "expected failure" : "FAIL", key, why);
      }
    }
  }
  if (skip_absent && matched == 0) {
    fmt::print("SKIP: no test matches '{}'\n", filter);
    return 77;
  }
  if (surprises)
    fmt::print("{} tests did not behave as {} says\n", surprises,
               expected_paths.empty() ? "the expected-failures list"
                                      : fmt::format("{}", fmt::join(expected_paths, " + ")));
  fmt::print("conformance on {}: {} passed, {} failed\n", device, passed, failed);
  return surprises == 0 ? 0 : 1;
}
