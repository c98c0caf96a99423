// From the device string of compile_model ("CPU", "VNPU", "HETERO:VNPU,CPU", "AUTO") to the
// devices to place nodes on, in priority order.
#pragma once

#include <string>
#include <vector>

#include "devices/device.h"
#include "runtime/compile_config.h"

namespace tandem::runtime {

struct DeviceChoice {
  std::vector<const devices::Device*> devices;  // priority order
  bool fallback = false;  // whether the last device, the CPU, is there only as fallback
  std::string note;       // how AUTO chose, for the placement report
};

/// An accelerator alone means HETERO:<it>,CPU; AUTO picks the first present device of
/// DEVICE_PRIORITIES (default: every present device that is not virtual). A device that is
/// named but absent is a DeviceUnavailable error carrying its diagnosis.
/// The device called `name`, present on this machine. Throws InvalidArgument when tandem has no
/// such device (the message is `unknown`, then the devices it knows and `also_known`), and
/// DeviceUnavailable with its diagnosis when it is absent.
const devices::Device& present_device(const std::string& name, const std::string& unknown,
                                      const std::string& also_known = {});

DeviceChoice choose_devices(const std::string& device, const CompileConfig& config);

}  // namespace tandem::runtime
