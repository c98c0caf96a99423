// File mapping with mmap; an empty file maps to an empty span (mmap refuses zero lengths).
#include "frontend/onnx/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tandem::onnx_frontend {

std::shared_ptr<MappedFile> MappedFile::open(const std::string& path, ErrorKind kind) {
  auto fail = [&](const char* what) { return Error(kind, path + ": " + what + ": " + std::strerror(errno)); };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw fail("cannot open");
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Error e = fail("cannot stat");
    ::close(fd);
    throw e;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(kind, path + ": not a regular file");
  }
  std::shared_ptr<MappedFile> file(new MappedFile());
  file->path_ = path;
  file->size_ = size_t(st.st_size);
  if (file->size_ > 0) {
    void* p = ::mmap(nullptr, file->size_, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      Error e = fail("cannot map");
      ::close(fd);
      throw e;
    }
    file->data_ = static_cast<std::byte*>(p);
  }
  ::close(fd);  // the mapping stays valid without the descriptor
  return file;
}

void MappedFile::release(size_t begin, size_t end) const {
  static const size_t page = size_t(::sysconf(_SC_PAGESIZE));
  begin = (begin + page - 1) / page * page;
  end = std::min(end, size_) / page * page;
  // Advice: should the kernel decline it, the pages stay resident and nothing else changes.
  if (end > begin) ::madvise(data_ + begin, end - begin, MADV_DONTNEED);
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(data_, size_);
}

}  // namespace tandem::onnx_frontend
