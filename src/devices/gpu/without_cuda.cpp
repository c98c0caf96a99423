// The GPU's execution in a build without the CUDA toolkit: every question gets the same answer,
// which says how to build it.
#include "devices/gpu/execution.h"

#include "tandem/error.h"

namespace tandem::gpu {
namespace {

constexpr const char* kNotBuilt =
    "this tandem was built without CUDA: install the CUDA toolkit with cuBLAS and cuDNN and build "
    "again (CMake finds them; TANDEM_WITH_CUDA=ON)";

[[noreturn]] void refuse() { throw Error(ErrorKind::Unsupported, std::string("GPU: ") + kNotBuilt); }

}  // namespace

std::optional<std::string> execution_missing() { return kNotBuilt; }
devices::Support supports_node(const execution::NodeInfo&) { return {false, kNotBuilt}; }
std::unique_ptr<devices::Executable> compile_for_gpu(std::shared_ptr<const ir::Model>,
                                                     const devices::CompileOptions&) {
  refuse();
}
std::string save_for_gpu(const devices::Executable&) { refuse(); }
std::unique_ptr<devices::Executable> load_for_gpu(std::string_view, const devices::CompileOptions&) { refuse(); }
Value copy_to_gpu(const Value&) { refuse(); }
Value copy_from_gpu(const Value&, const ValueType&) { refuse(); }

}  // namespace tandem::gpu
