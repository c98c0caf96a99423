// Workers block on a condition variable between jobs: no busy-spinning while idle.
#include "runtime/stream_executor.h"

#include <omp.h>

namespace tandem::runtime {
namespace {
// The queue of the executor whose worker this thread is, if any.
thread_local const void* current_queue = nullptr;
}  // namespace

StreamExecutor::StreamExecutor(int streams, int threads_per_stream) {
  for (int i = 0; i < streams; ++i) workers_.emplace_back(work, queue_, threads_per_stream);
}

StreamExecutor::~StreamExecutor() {
  {
    std::lock_guard lock(queue_->mutex);
    queue_->stopping = true;
  }
  queue_->ready.notify_all();
  for (std::thread& worker : workers_) {
    // The last owner may be a job running on a worker (a callback dropping the compiled model):
    // that worker cannot join itself, so it is let go; it finishes the queue on its own.
    if (worker.get_id() == std::this_thread::get_id())
      worker.detach();
    else
      worker.join();
  }
}

void StreamExecutor::submit(std::function<void()> job) {
  {
    std::lock_guard lock(queue_->mutex);
    Queue& q = *queue_;
    if (q.count == q.jobs.size()) {
      std::vector<std::function<void()>> grown(q.jobs.size() * 2);
      for (size_t i = 0; i < q.count; ++i) grown[i] = std::move(q.jobs[(q.head + i) % q.jobs.size()]);
      q.jobs = std::move(grown);
      q.head = 0;
    }
    q.jobs[(q.head + q.count++) % q.jobs.size()] = std::move(job);
    // Under the lock: once it is released, a worker may run the job to the end of its run, and
    // the owner then destroy this executor, while a notify made after it were still signalling
    // (ThreadSanitizer saw a pipelined run's last stage queued so).
    q.ready.notify_one();
  }
}

bool StreamExecutor::is_worker_thread() const { return current_queue == queue_.get(); }

void StreamExecutor::work(std::shared_ptr<Queue> queue, int threads) {
  omp_set_num_threads(threads);  // a per-thread setting: this stream's share of the cores
  current_queue = queue.get();
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(queue->mutex);
      queue->ready.wait(lock, [&] { return queue->stopping || queue->count > 0; });
      if (queue->count == 0) return;
      job = std::move(queue->jobs[queue->head]);
      queue->jobs[queue->head] = nullptr;
      queue->head = (queue->head + 1) % queue->jobs.size();
      --queue->count;
    }
    job();
  }
}

}  // namespace tandem::runtime
