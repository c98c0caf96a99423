// Runs ONNX backend test folders (model.onnx + test_data_set_N/{input,output}_K.pb) through the
// public API, compares outputs, and checks the result against the expected-failures list.
//
//   tandem_conformance --suite DIR [--suite DIR ...] --expected-failures FILE [--filter TEXT] [-v]
//
// Each test runs in a child process, so a crash or a hang is reported as that test's failure
// instead of ending the run. Exit code 0 when every test behaves as the list expects.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tandem/tandem.h"

namespace fs = std::filesystem;
using namespace tandem;

namespace {

constexpr double kRelative = 1e-3;
constexpr double kAbsolute = 1e-5;

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
  for (size_t i = 0; i < w.size(); ++i) {
    if (std::isnan(w[i]) && std::isnan(g[i])) continue;
    if (std::isinf(w[i]) && g[i] == w[i]) continue;
    if (!(std::abs(g[i] - w[i]) <= kAbsolute + kRelative * std::abs(w[i])))
      return fmt::format("element {} is {} instead of {}", i, g[i], w[i]);
  }
  return "";
}

std::string compare_values(const Value& got, const Value& want) {
  if (got.kind() != want.kind()) return "value kind differs";
  if (want.is_tensor()) return compare_tensors(got.tensor(), want.tensor());
  if (want.is_sequence()) {
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

// Runs one test folder; returns "" on success, else why it failed.
std::string run_test(const fs::path& dir) {
  try {
    Core core;
    Model model = core.read_model((dir / "model.onnx").string());
    CompiledModel compiled = core.compile_model(model, "CPU");
    std::vector<fs::path> sets;
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_directory() && entry.path().filename().string().starts_with("test_data_set_"))
        sets.push_back(entry.path());
    std::sort(sets.begin(), sets.end());
    if (sets.empty()) return "no test data sets";
    for (const fs::path& set : sets) {
      InferRequest request = compiled.create_infer_request();
      auto inputs = numbered_files(set, "input");
      if (inputs.size() > model.inputs().size())
        return fmt::format("{} input files for {} model inputs", inputs.size(), model.inputs().size());
      for (size_t k = 0; k < inputs.size(); ++k)
        request.set_value(model.inputs()[k].name, load_value(inputs[k].string(), model.inputs()[k].type));
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
std::string run_isolated(const fs::path& dir, int timeout_seconds) {
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string why = run_test(dir);
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

// "suite/test_name: reason" per line; '#' starts a comment line.
std::map<std::string, std::string> read_expected_failures(const std::string& path) {
  std::map<std::string, std::string> expected;
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::InvalidArgument, fmt::format("{}: cannot open", path));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto colon = line.find(':');
    std::string key = line.substr(0, colon);
    key.erase(key.find_last_not_of(" \t") + 1);
    expected[key] = colon == std::string::npos ? "" : line.substr(colon + 1);
  }
  return expected;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Runs ONNX backend test data through tandem"};
  std::vector<std::string> suites;
  std::string expected_path, filter;
  bool verbose = false;
  int timeout = 120;
  app.add_option("--suite", suites, "folder of test folders (repeatable)")->required();
  app.add_option("--expected-failures", expected_path, "the list of expected failures");
  app.add_option("--filter", filter, "run only tests whose name contains this");
  app.add_option("--timeout", timeout, "seconds per test");
  app.add_flag("-v,--verbose", verbose, "print every test, not only failures");
  CLI11_PARSE(app, argc, argv);

  std::map<std::string, std::string> expected;
  if (!expected_path.empty()) expected = read_expected_failures(expected_path);

  int passed = 0, failed = 0, surprises = 0;
  for (const std::string& suite_dir : suites) {
    const std::string suite = fs::path(suite_dir).filename().string();
    std::vector<fs::path> tests;
    for (const auto& entry : fs::directory_iterator(suite_dir))
      if (entry.is_directory() && entry.path().filename().string().find(filter) != std::string::npos)
        tests.push_back(entry.path());
    std::sort(tests.begin(), tests.end());
    for (const fs::path& test : tests) {
      const std::string key = suite + "/" + test.filename().string();
      std::string why = run_isolated(test, timeout);
      const bool listed = expected.contains(key);
      if (why.empty()) {
        ++passed;
        if (listed) {
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
  if (surprises) fmt::print("{} tests did not behave as tests/conformance/expected_failures.txt says\n", surprises);
  fmt::print("conformance: {} passed, {} failed\n", passed, failed);
  return surprises == 0 ? 0 : 1;
}
