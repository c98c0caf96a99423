// Protobuf file IO over a memory map: the file's bytes are parsed in place, not read into a buffer.
#include "frontend/onnx/proto_file.h"

#include "frontend/onnx/mapped_file.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <fstream>

namespace tandem::onnx_frontend {

bool parse_proto_bytes(const void* data, size_t size, google::protobuf::Message& message) {
  if (size > size_t(INT_MAX)) return false;
  google::protobuf::io::ArrayInputStream stream(data, int(size));
  google::protobuf::io::CodedInputStream coded(&stream);
  coded.SetTotalBytesLimit(INT_MAX);
  return message.ParseFromCodedStream(&coded) && coded.ConsumedEntireMessage();
}

namespace {

// The mapped file in chunks, dropping the pages protobuf has parsed from memory as it goes:
// protobuf copies every byte field (a model's weights) out of the file, and without this a 420 MiB
// BERT held its weights twice, as file pages and as parsed strings, until the parse ended.
class ReleasingInputStream final : public google::protobuf::io::ZeroCopyInputStream {
 public:
  explicit ReleasingInputStream(const MappedFile& file) : file_(file) {}

  bool Next(const void** data, int* size) override {
    // Protobuf is done with every byte before the position: the buffer of the previous call is
    // valid only until this one, and what it backed up is delivered again from the position.
    file_.release(0, position_);
    if (position_ >= file_.size()) return false;
    const size_t n = std::min(kChunk, file_.size() - position_);
    *data = file_.bytes().data() + position_;
    *size = int(n);
    position_ += n;
    return true;
  }
  void BackUp(int count) override { position_ -= size_t(count); }
  bool Skip(int count) override {
    const size_t want = position_ + size_t(count);
    position_ = std::min(file_.size(), want);
    return want <= file_.size();
  }
  int64_t ByteCount() const override { return int64_t(position_); }

 private:
  static constexpr size_t kChunk = size_t(4) << 20;
  const MappedFile& file_;
  size_t position_ = 0;
};

}  // namespace

void parse_proto_file(const std::string& path, google::protobuf::Message& message, ErrorKind kind) {
  auto file = MappedFile::open(path, kind);
  if (file->size() > size_t(INT_MAX))
    throw Error(kind, path +
                          ": the file is over 2 GiB, more than protobuf can read; store the "
                          "weights as external data");
  ReleasingInputStream stream(*file);
  google::protobuf::io::CodedInputStream coded(&stream);
  coded.SetTotalBytesLimit(INT_MAX);
  if (!message.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage())
    throw Error(kind, path + ": not a valid " + message.GetTypeName() +
                          " (the file is truncated or not in protobuf format)");
}

void write_proto_file(const std::string& path, const google::protobuf::Message& message) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(ErrorKind::InvalidArgument, path + ": cannot open for writing");
  if (!message.SerializeToOstream(&out) || !out.flush())
    throw Error(ErrorKind::InvalidArgument, path + ": cannot write " + message.GetTypeName());
}

bool has_unknown_fields(const google::protobuf::Message& message) {
  const auto* reflection = message.GetReflection();
  if (!reflection->GetUnknownFields(message).empty()) return true;
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const auto* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i)
        if (has_unknown_fields(reflection->GetRepeatedMessage(message, field, i))) return true;
    } else if (has_unknown_fields(reflection->GetMessage(message, field))) {
      return true;
    }
  }
  return false;
}

}  // namespace tandem::onnx_frontend
