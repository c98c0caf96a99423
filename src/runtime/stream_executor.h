// Streams: worker threads that each run one queued job at a time.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace tandem::runtime {

/// A fixed set of workers sharing one FIFO queue. Jobs must not throw. Destruction drains the
/// queue (every queued job still runs, so every callback fires) and joins the workers. Each
/// worker's kernels use `threads_per_stream` OpenMP threads (oneDNN's threading).
class StreamExecutor {
 public:
  StreamExecutor(int streams, int threads_per_stream);
  ~StreamExecutor();
  StreamExecutor(const StreamExecutor&) = delete;
  StreamExecutor& operator=(const StreamExecutor&) = delete;

  void submit(std::function<void()> job);
  int streams() const { return int(workers_.size()); }
  /// Whether the calling thread is one of these workers (a job waiting on another job of the
  /// same executor from there could wait forever).
  bool is_worker_thread() const;

 private:
  // Shared with the workers, so a worker let go by the destructor (see there) outlives `this`.
  struct Queue {
    std::mutex mutex;
    std::condition_variable ready;
    // A ring of jobs[head], ... (count of them), grown when full: unlike a deque, it allocates
    // nothing once it has room for the most jobs ever queued at once.
    std::vector<std::function<void()>> jobs = std::vector<std::function<void()>>(16);
    size_t head = 0, count = 0;
    bool stopping = false;
  };
  static void work(std::shared_ptr<Queue> queue, int threads);

  std::shared_ptr<Queue> queue_ = std::make_shared<Queue>();
  std::vector<std::thread> workers_;
};

}  // namespace tandem::runtime
