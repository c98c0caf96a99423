// Tensors in a device's own memory, as the public API hands them out (Core::create_tensor,
// copy_tensor, outputs kept on their device): a device's value marked with the device's name.
// Inside the runtime and the devices values carry no mark; these functions add and remove it.
#pragma once

#include <string>
#include <string_view>

#include "devices/device.h"
#include "tandem/tensor.h"

namespace tandem::runtime {

/// The present device called `device`, as a place for values: null for host memory ("CPU", or a
/// device that shares it). Throws as Core::create_tensor does.
const devices::Device* memory_of(const std::string& device, const char* api);
/// The device whose memory `tensor` is in; null for host memory (and for a device that shares
/// it). Throws InvalidArgument, beginning with `api`, for a device tandem does not know.
const devices::Device* memory_device(const Tensor& tensor, const char* api);
/// A value of the memory of the device called `device`, marked as such for the caller.
Tensor marked(const Tensor& on_device, std::string_view device);
/// `tensor` in host memory, as the logical type `logical` (a device may store another type):
/// the same handle for a host tensor, else a copy.
Tensor on_host(const Tensor& tensor, ElementType logical, const char* api);

Tensor create_device_tensor(ElementType type, const Shape& shape, const std::string& device);
Tensor copy_tensor(const Tensor& tensor, const std::string& device);
Tensor create_host_tensor(ElementType type, const Shape& shape, const std::string& device);

}  // namespace tandem::runtime
