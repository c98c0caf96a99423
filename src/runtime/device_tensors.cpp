// Device tensors of the public API: made, copied and marked here; the devices' own copies
// (copy_to_device, copy_to_host) move the bytes.
#include "runtime/device_tensors.h"

#include <fmt/format.h>

#include "devices/registry.h"
#include "runtime/device_selection.h"

namespace tandem::runtime {
namespace {

// A device that keeps values in host memory (the CPU) hands out host tensors.
const devices::Device* own_memory(const devices::Device& device) {
  return device.shares_host_memory() ? nullptr : &device;
}

}  // namespace

const devices::Device* memory_of(const std::string& device, const char* api) {
  return own_memory(present_device(device, fmt::format("{}: tandem has no device '{}'", api, device)));
}

const devices::Device* memory_device(const Tensor& tensor, const char* api) {
  if (tensor.on_host()) return nullptr;
  const devices::Device* device = devices::find_device(tensor.device());
  if (!device)
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("{}: the tensor is marked as in {} memory, and tandem has no device '{}'", api,
                            tensor.device(), tensor.device()));
  return own_memory(*device);
}

Tensor marked(const Tensor& on_device, std::string_view device) { return on_device.in_memory_of(device); }

Tensor on_host(const Tensor& tensor, ElementType logical, const char* api) {
  const devices::Device* device = memory_device(tensor, api);
  if (!device) return tensor.in_memory_of("CPU");
  const Tensor unmarked = tensor.in_memory_of("CPU");
  return device->copy_to_host(Value(unmarked), ValueType::tensor(logical, PartialShape(tensor.shape()))).tensor();
}

Tensor create_device_tensor(ElementType type, const Shape& shape, const std::string& device) {
  const devices::Device* d = memory_of(device, "create_tensor");
  if (!d) return Tensor(type, shape);
  if (type == ElementType::String)
    throw Error(ErrorKind::InvalidArgument, fmt::format("create_tensor: strings stay in host memory, not {}'s", device));
  return marked(d->copy_to_device(Value(Tensor(type, shape))).tensor(), device);
}

Tensor copy_tensor(const Tensor& tensor, const std::string& device) {
  if (!tensor.is_valid()) throw Error(ErrorKind::InvalidArgument, "copy_tensor: the tensor is empty");
  const devices::Device* d = memory_of(device, "copy_tensor");
  // Between devices the bytes go through host memory; a host tensor is copied once.
  const devices::Device* from = memory_device(tensor, "copy_tensor");
  Tensor host = from ? on_host(tensor, tensor.element_type(), "copy_tensor") : tensor.clone();
  if (!d) return host;
  if (host.element_type() == ElementType::String)
    throw Error(ErrorKind::InvalidArgument, fmt::format("copy_tensor: strings stay in host memory, not {}'s", device));
  return marked(d->copy_to_device(Value(host)).tensor(), device);
}

Tensor create_host_tensor(ElementType type, const Shape& shape, const std::string& device) {
  const devices::Device* d = memory_of(device, "create_host_tensor");
  return d ? d->host_tensor(type, shape) : Tensor(type, shape);
}

}  // namespace tandem::runtime
