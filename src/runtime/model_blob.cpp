// Writing and reading compiled-model blobs (see model_blob.h for the format). Reading trusts
// nothing: lengths and counts are checked against the bytes left, enums against their ranges, every
// index of the layout against what it indexes, and the copies against where each value is, before
// any device sees its payload.
#include "runtime/model_blob.h"

#include <fmt/format.h>
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>

#include "devices/blob_io.h"
#include "devices/registry.h"
#include "runtime/device_errors.h"
#include "runtime/model_hash.h"

#ifndef TANDEM_VERSION
#error "TANDEM_VERSION (the project's version) is defined by the build"
#endif

namespace tandem::runtime {
namespace {

using devices::BlobReader;
using devices::BlobWriter;

constexpr const char* kWhere = "import_model";
// magic, format version, checksum: what the checksum does not cover.
constexpr size_t kPrefixBytes = kBlobMagic.size() + 4 + 8;
// Nesting of value types (sequence of optional of …) a blob may hold; more is a corrupt blob.
constexpr int kMaxTypeDepth = 16;

// ---- values and types ----

void put_type(BlobWriter& out, const ValueType& type) {
  out.u8(uint8_t(type.kind));
  out.u32(uint32_t(type.element_type));
  out.u32(uint32_t(type.key_type));
  out.u8(type.shape.rank_known());
  if (type.shape.rank_known()) {
    out.u64(type.shape.rank());
    for (const Dimension& d : type.shape.dims()) {
      out.i64(d.value);
      out.bytes(d.symbol);
    }
  }
  out.u8(type.element != nullptr);
  if (type.element) put_type(out, *type.element);
}

ElementType get_element_type(BlobReader& in) {
  const uint32_t v = in.u32();
  if (v > uint32_t(ElementType::F6E3M2))
    throw in.error(fmt::format("the blob is corrupt: element type {}", v));
  return ElementType(v);
}

ValueType get_type(BlobReader& in, int depth = 0) {
  if (depth > kMaxTypeDepth) throw in.error("the blob is corrupt: value types nest too deep");
  ValueType type;
  const uint8_t kind = in.u8();
  if (kind > uint8_t(ValueType::Kind::Map))
    throw in.error(fmt::format("the blob is corrupt: value kind {}", kind));
  type.kind = ValueType::Kind(kind);
  type.element_type = get_element_type(in);
  type.key_type = get_element_type(in);
  if (in.u8()) {
    std::vector<Dimension> dims(in.count(16));
    for (Dimension& d : dims) {
      d.value = in.i64();
      d.symbol = in.string();
      if (d.value < -1) throw in.error(fmt::format("the blob is corrupt: dimension {}", d.value));
    }
    type.shape = PartialShape(std::move(dims));
  }
  if (in.u8()) type.element = std::make_shared<ValueType>(get_type(in, depth + 1));
  return type;
}

void put_tensor(BlobWriter& out, const Tensor& t) {
  out.u32(uint32_t(t.element_type()));
  out.u64(t.rank());
  for (int64_t d : t.shape()) out.i64(d);
  if (t.element_type() == ElementType::String) {
    for (const std::string& s : t.span<std::string>()) out.bytes(s);
    return;
  }
  out.raw(std::string_view(static_cast<const char*>(t.data()), t.byte_size()));
}

Tensor get_tensor(BlobReader& in) {
  const ElementType type = get_element_type(in);
  if (type == ElementType::Undefined || element_size(type) == 0)
    throw in.error(fmt::format("the blob is corrupt: a tensor of element type {}", int(type)));
  Shape shape(in.count(8));
  uint64_t count = 1;
  for (int64_t& d : shape) {
    d = in.i64();
    if (d < 0) throw in.error(fmt::format("the blob is corrupt: tensor dimension {}", d));
    // Each element takes at least one byte of the blob (a string its length), so a tensor larger
    // than the bytes left is corrupt; checked per dimension, the product cannot overflow.
    if (d > 0 && count > in.left() / uint64_t(d))
      throw in.error("the blob is truncated: a tensor outruns it");
    count *= uint64_t(d);
  }
  if (type == ElementType::String) {
    if (count > in.left() / 8) throw in.error("the blob is truncated: a string tensor outruns it");
    Tensor t(type, shape);
    for (std::string& s : t.span<std::string>()) s = in.string();
    return t;
  }
  const std::string_view bytes = in.raw(count * element_size(type));
  Tensor t(type, shape);
  std::memcpy(t.data(), bytes.data(), bytes.size());
  return t;
}

enum class ValueTag : uint8_t { None, Tensor, Sequence, MapSequence, Map };

void put_value(BlobWriter& out, const Value& v) {
  if (v.is_tensor()) {
    out.u8(uint8_t(ValueTag::Tensor));
    put_tensor(out, v.tensor());
  } else if (v.is_map_sequence()) {
    out.u8(uint8_t(ValueTag::MapSequence));
    out.u32(uint32_t(v.sequence_key_type()));
    out.u32(uint32_t(v.sequence_element_type()));
    out.u64(v.map_items().size());
    for (const Value& map : v.map_items()) put_value(out, map);
  } else if (v.is_sequence()) {
    out.u8(uint8_t(ValueTag::Sequence));
    out.u32(uint32_t(v.sequence_element_type()));
    out.u64(v.items().size());
    for (const Tensor& t : v.items()) put_tensor(out, t);
  } else if (v.is_map()) {
    out.u8(uint8_t(ValueTag::Map));
    put_tensor(out, v.map_keys());
    put_tensor(out, v.map_values());
  } else {
    out.u8(uint8_t(ValueTag::None));
  }
}

Value get_value(BlobReader& in) {
  switch (ValueTag(in.u8())) {
    case ValueTag::None:
      return Value::none();
    case ValueTag::Tensor:
      return get_tensor(in);
    case ValueTag::Sequence: {
      const ElementType type = get_element_type(in);
      std::vector<Tensor> items(in.count(12));
      for (Tensor& t : items) t = get_tensor(in);
      return Value::sequence(std::move(items), type);
    }
    case ValueTag::MapSequence: {
      const ElementType key = get_element_type(in), value = get_element_type(in);
      std::vector<Value> maps(in.count(1));
      for (Value& map : maps) map = get_value(in);
      return Value::map_sequence(std::move(maps), key, value);
    }
    case ValueTag::Map: {
      Tensor keys = get_tensor(in);
      return Value::map(std::move(keys), get_tensor(in));
    }
  }
  throw in.error("the blob is corrupt: an unknown kind of value");
}

// ---- lists ----

void put_strings(BlobWriter& out, const std::vector<std::string>& strings) {
  out.u64(strings.size());
  for (const std::string& s : strings) out.bytes(s);
}

std::vector<std::string> get_strings(BlobReader& in) {
  std::vector<std::string> strings(in.count(8));
  for (std::string& s : strings) s = in.string();
  return strings;
}

void put_ports(BlobWriter& out, const std::vector<Port>& ports) {
  out.u64(ports.size());
  for (const Port& port : ports) {
    out.bytes(port.name);
    put_type(out, port.type);
  }
}

std::vector<Port> get_ports(BlobReader& in) {
  std::vector<Port> ports(in.count(8));
  for (Port& port : ports) {
    port.name = in.string();
    port.type = get_type(in);
  }
  return ports;
}

void put_ids(BlobWriter& out, const std::vector<int>& ids) {
  out.u64(ids.size());
  for (int id : ids) out.u32(uint32_t(id));
}

// Ids stay below INT32_MAX so that they fit the int the layout holds; their range is checked later.
std::vector<int> get_ids(BlobReader& in) {
  std::vector<int> ids(in.count(4));
  for (int& id : ids) id = int(std::min<uint32_t>(in.u32(), INT32_MAX));
  return ids;
}

using Transfer = CompiledState::Transfer;

void put_transfers(BlobWriter& out, const std::vector<Transfer>& transfers) {
  out.u64(transfers.size());
  for (const Transfer& t : transfers) {
    out.u32(uint32_t(t.value));
    out.u32(uint32_t(t.from));
    out.u32(uint32_t(t.to));
  }
}

std::vector<Transfer> get_transfers(BlobReader& in) {
  std::vector<Transfer> transfers(in.count(12));
  for (Transfer& t : transfers) {
    t.value = int(std::min<uint32_t>(in.u32(), INT32_MAX));
    t.from = int(std::min<uint32_t>(in.u32(), INT32_MAX));
    t.to = int(std::min<uint32_t>(in.u32(), INT32_MAX));
  }
  return transfers;
}

void put_placement(BlobWriter& out, const Placement& p) {
  put_strings(out, p.devices);
  out.bytes(p.note);
  out.u64(p.nodes.size());
  for (const PlacedNode& n : p.nodes) {
    for (const std::string* s : {&n.name, &n.op, &n.device, &n.reason, &n.fused_into}) out.bytes(*s);
    out.u8(n.folded);
    put_strings(out, n.inputs);
    put_strings(out, n.outputs);
  }
  out.u64(p.subgraphs.size());
  for (const PlacedSubgraph& s : p.subgraphs) {
    out.bytes(s.device);
    out.u64(s.nodes);
  }
  out.u64(p.transfers.size());
  for (const PlacedTransfer& t : p.transfers) {
    for (const std::string* s : {&t.value, &t.from, &t.to}) out.bytes(*s);
    out.u64(t.bytes);
  }
}

Placement get_placement(BlobReader& in) {
  Placement p;
  p.devices = get_strings(in);
  p.note = in.string();
  p.nodes.resize(in.count(57));
  for (PlacedNode& n : p.nodes) {
    for (std::string* s : {&n.name, &n.op, &n.device, &n.reason, &n.fused_into}) *s = in.string();
    n.folded = in.u8() != 0;
    n.inputs = get_strings(in);
    n.outputs = get_strings(in);
  }
  p.subgraphs.resize(in.count(16));
  for (PlacedSubgraph& s : p.subgraphs) {
    s.device = in.string();
    s.nodes = size_t(in.u64());
  }
  p.transfers.resize(in.count(32));
  for (PlacedTransfer& t : p.transfers) {
    for (std::string* s : {&t.value, &t.from, &t.to}) *s = in.string();
    t.bytes = size_t(in.u64());
  }
  return p;
}

// ---- header ----

void put_header(BlobWriter& out, const BlobHeader& h) {
  out.bytes(h.tandem_version);
  out.bytes(h.onednn_version);
  out.bytes(h.device);
  put_strings(out, h.devices);
  out.u64(h.model_hash);
  put_ports(out, h.inputs);
  put_ports(out, h.outputs);
  out.bytes(h.precision);
}

// The magic, the format version and the checksum, then the header.
BlobHeader get_header(BlobReader& in, std::string_view bytes) {
  if (!is_blob(bytes))
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("{}: not a compiled-model blob (it does not start with TANDEM\\0\\1); "
                            "export_model and tandem compile write them",
                            kWhere));
  in.raw(kBlobMagic.size());
  BlobHeader h;
  h.format_version = in.u32();
  if (h.format_version != kBlobFormatVersion)
    throw Error(
        ErrorKind::InvalidArgument,
        fmt::format(
            "{}: the blob has format version {}; this tandem reads version {}: compile the model "
            "again",
            kWhere, h.format_version, kBlobFormatVersion));
  const uint64_t checksum = in.u64();
  if (checksum != hash_bytes(bytes.substr(kPrefixBytes)))
    throw Error(
        ErrorKind::InvalidArgument,
        fmt::format(
            "{}: the blob is corrupt or truncated: its checksum does not match its {} bytes",
            kWhere, bytes.size()));
  h.tandem_version = in.string();
  h.onednn_version = in.string();
  h.device = in.string();
  h.devices = get_strings(in);
  h.model_hash = in.u64();
  h.inputs = get_ports(in);
  h.outputs = get_ports(in);
  h.precision = in.string();
  return h;
}

// The versions the blob's code was made with, and its devices here now.
void check_header(const BlobHeader& h) {
  auto mismatch = [](const char* what, const std::string& blob, const std::string& here) {
    return Error(
        ErrorKind::InvalidArgument,
        fmt::format("{}: the blob was written with {} {}; this is {} {}: compile the model again",
                    kWhere, what, blob, what, here));
  };
  if (h.tandem_version != tandem_version())
    throw mismatch("tandem", h.tandem_version, tandem_version());
  if (h.onednn_version != onednn_version())
    throw mismatch("oneDNN", h.onednn_version, onednn_version());
  if (h.devices.empty())
    throw Error(ErrorKind::InvalidArgument, fmt::format("{}: the blob names no device", kWhere));
  for (const std::string& name : h.devices) {
    const devices::Device* device = devices::find_device(name);
    if (!device)
      throw Error(
          ErrorKind::InvalidArgument,
          fmt::format("{}: the blob was compiled for device {}, which this tandem does not have",
                      kWhere, name));
    if (!device->diagnose().available()) throw device_unavailable_error(*device);
  }
}

// ---- layout ----

void put_layout(BlobWriter& out, const CompiledState& state, const CompiledState::Layout& l) {
  out.bytes(state.model().path);
  out.u64(state.model().opsets.size());
  for (const auto& [domain, version] : state.model().opsets) {
    out.bytes(domain);
    out.i64(version);
  }
  out.u64(l.value_names.size());
  for (size_t id = 0; id < l.value_names.size(); ++id) {
    out.bytes(l.value_names[id]);
    put_type(out, l.value_types[id]);
  }
  put_ids(out, l.input_ids);
  put_ids(out, l.output_ids);
  out.u64(l.stages.size());
  for (const CompiledState::Layout::StageLayout& s : l.stages) {
    out.u32(uint32_t(s.device));
    put_ids(out, s.inputs);
    put_ids(out, s.outputs);
    put_transfers(out, s.copies);
  }
  put_transfers(out, l.output_copies);
  out.u64(l.constants.size());
  for (const auto& [id, value] : l.constants) {
    out.u32(uint32_t(id));
    put_value(out, value);
  }
  put_placement(out, l.placement);
}

CompiledState::Layout get_layout(BlobReader& in, ir::Model& skeleton) {
  CompiledState::Layout l;
  skeleton.path = in.string();
  for (size_t n = in.count(16); n > 0; --n) {
    std::string domain = in.string();
    skeleton.opsets[domain] = int(std::clamp<int64_t>(in.i64(), 0, INT32_MAX));
  }
  const size_t values = in.count(19);
  for (size_t id = 0; id < values; ++id) {
    l.value_names.push_back(in.string());
    l.value_types.push_back(get_type(in));
  }
  l.input_ids = get_ids(in);
  l.output_ids = get_ids(in);
  l.stages.resize(in.count(28));
  for (CompiledState::Layout::StageLayout& s : l.stages) {
    s.device = int(std::min<uint32_t>(in.u32(), INT32_MAX));
    s.inputs = get_ids(in);
    s.outputs = get_ids(in);
    s.copies = get_transfers(in);
  }
  l.output_copies = get_transfers(in);
  for (size_t n = in.count(5); n > 0; --n) {
    const int id = int(std::min<uint32_t>(in.u32(), INT32_MAX));
    l.constants.emplace_back(id, get_value(in));
  }
  l.placement = get_placement(in);
  return l;
}

// Every index in range, and every value where a stage or a copy reads it: the same residency the
// compiler planned the copies with (CompiledState::plan_transfers), replayed.
void check_layout(const CompiledState::Layout& l, const BlobHeader& h, BlobReader& in) {
  auto corrupt = [&](const std::string& what) {
    return in.error("the blob's layout is corrupt: " + what);
  };
  if (l.devices.size() != h.devices.size()) throw corrupt("device list");
  int locations = 1;
  std::vector<int> location_of;
  for (const std::string& name : l.devices)
    location_of.push_back(devices::find_device(name)->shares_host_memory() ? 0 : locations++);
  const int values = int(l.value_names.size());
  if (l.value_types.size() != l.value_names.size()) throw corrupt("value types");
  if (std::set<std::string>(l.value_names.begin(), l.value_names.end()).size() !=
      l.value_names.size())
    throw corrupt("a value is named twice");
  auto check_ids = [&](const std::vector<int>& ids, const char* what) {
    for (int id : ids)
      if (id < 0 || id >= values)
        throw corrupt(fmt::format("{} names value {} of {}", what, id, values));
  };
  check_ids(l.input_ids, "an input");
  check_ids(l.output_ids, "an output");
  auto same_ports = [&](const std::vector<Port>& ports, const std::vector<int>& ids) {
    if (ports.size() != ids.size()) return false;
    for (size_t i = 0; i < ports.size(); ++i)
      if (ports[i].name != l.value_names[size_t(ids[i])] ||
          !(ports[i].type == l.value_types[size_t(ids[i])]))
        return false;
    return true;
  };
  if (!same_ports(h.inputs, l.input_ids) || !same_ports(h.outputs, l.output_ids))
    throw corrupt("the inputs and outputs differ from the header's");
  std::vector<std::set<int>> resident(static_cast<size_t>(values));
  for (int id : l.input_ids) resident[size_t(id)].insert(0);
  for (const auto& [id, value] : l.constants) {
    if (id < 0 || id >= values)
      throw corrupt(fmt::format("a constant names value {} of {}", id, values));
    resident[size_t(id)].insert(0);
  }
  auto copy = [&](const Transfer& t) {
    if (t.value < 0 || t.value >= values || t.from < 0 || t.from >= locations || t.to < 0 ||
        t.to >= locations || (t.from != 0) == (t.to != 0))
      throw corrupt("a copy names a value or memory that does not exist");
    if (!resident[size_t(t.value)].contains(t.from))
      throw corrupt(
          fmt::format("a copy reads '{}' where it is not", l.value_names[size_t(t.value)]));
    resident[size_t(t.value)].insert(t.to);
  };
  for (const CompiledState::Layout::StageLayout& s : l.stages) {
    if (s.device < 0 || size_t(s.device) >= l.devices.size())
      throw corrupt("a stage names no device");
    check_ids(s.inputs, "a stage input");
    check_ids(s.outputs, "a stage output");
    for (const Transfer& t : s.copies) copy(t);
    const int location = location_of[size_t(s.device)];
    for (int id : s.inputs)
      if (!resident[size_t(id)].contains(location))
        throw corrupt(fmt::format("a stage reads '{}' where it is not", l.value_names[size_t(id)]));
    for (int id : s.outputs) resident[size_t(id)] = {location};
  }
  for (const Transfer& t : l.output_copies) copy(t);
  for (int id : l.output_ids)
    if (!resident[size_t(id)].contains(0))
      throw corrupt(
          fmt::format("output '{}' never reaches host memory", l.value_names[size_t(id)]));
}

// The properties of the import: precision as the blob's unless given (and then it must agree).
CompileConfig import_config(const AnyMap& properties, const BlobHeader& h,
                            const Placement& placement) {
  AnyMap props = properties;
  auto [precision, added] = props.emplace(properties::kInferencePrecisionHint, h.precision);
  if (!added && precision->second != h.precision)
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("{}: {} is {}, but the blob was compiled for {}", kWhere,
                            properties::kInferencePrecisionHint, precision->second, h.precision));
  CompileConfig config = CompileConfig::resolve(props, h.device);
  // As compile_model: an accelerator alone or AUTO falls back to the CPU, HETERO places by its
  // list.
  const bool fallback = h.device.rfind("HETERO:", 0) != 0 && h.devices.size() > 1;
  if (fallback && !config.allow_cpu_fallback)
    for (const PlacedNode& node : placement.nodes)
      if (!node.folded && node.device != h.devices.front())
        throw Error(
            ErrorKind::InvalidArgument,
            fmt::format("{}: ALLOW_CPU_FALLBACK is NO, but the blob runs node '{}' ({}) on {}",
                        kWhere, node.name, node.op, node.device));
  return config;
}

}  // namespace

bool is_blob(std::string_view bytes) { return bytes.substr(0, kBlobMagic.size()) == kBlobMagic; }

std::string tandem_version() { return TANDEM_VERSION; }

std::string onednn_version() {
  const dnnl_version_t* v = dnnl_version();
  return fmt::format("{}.{}.{}", v->major, v->minor, v->patch);
}

std::string write_blob(const CompiledState& state) {
  const CompiledState::Layout layout = state.layout();
  const std::vector<std::string> payloads = state.save_stages();
  BlobHeader header{kBlobFormatVersion, tandem_version(), onednn_version(),
                    state.device(),     layout.devices,   state.model_hash(),
                    state.inputs(),     state.outputs(),  state.config().precision};
  BlobWriter out;
  out.raw(kBlobMagic);
  out.u32(kBlobFormatVersion);
  out.u64(0);  // the checksum, once the rest is written
  put_header(out, header);
  put_layout(out, state, layout);
  out.u64(payloads.size());
  for (const std::string& payload : payloads) out.bytes(payload);
  std::string& bytes = out.buffer();
  const uint64_t checksum = hash_bytes(std::string_view(bytes).substr(kPrefixBytes));
  std::memcpy(bytes.data() + kPrefixBytes - 8, &checksum, 8);
  return out.take();
}

BlobHeader read_blob_header(std::string_view bytes) {
  BlobReader in(bytes, kWhere);
  return get_header(in, bytes);
}

std::shared_ptr<const CompiledState> read_blob(std::string_view bytes, const AnyMap& properties) {
  BlobReader in(bytes, kWhere);
  BlobHeader header = get_header(in, bytes);
  check_header(header);
  auto skeleton = std::make_shared<ir::Model>();
  CompiledState::Layout layout = get_layout(in, *skeleton);
  layout.devices = header.devices;
  check_layout(layout, header, in);
  std::vector<std::string_view> payloads(in.count(8));
  for (std::string_view& payload : payloads) payload = in.bytes();
  if (payloads.size() != layout.stages.size())
    throw in.error(fmt::format("the blob is corrupt: {} payloads for {} stages", payloads.size(),
                               layout.stages.size()));
  if (in.left() != 0) throw in.error("the blob is corrupt: bytes follow its last payload");
  CompileConfig config = import_config(properties, header, layout.placement);
  skeleton->graph = std::make_shared<ir::Graph>();
  skeleton->graph->inputs = std::move(header.inputs);
  skeleton->graph->outputs = std::move(header.outputs);
  return std::make_shared<const CompiledState>(std::move(skeleton), std::move(header.device),
                                               std::move(config), header.model_hash,
                                               std::move(layout), payloads);
}

}  // namespace tandem::runtime
