// The grid runner behind cuda_emulation.h: each block's CUDA threads as fibers on one OS thread,
// switched only where a thread waits at a barrier, and blocks spread over a few OS threads.
//
// Fibers, not an OS thread per CUDA thread: a warp's shuffle is a barrier among 32 threads, and
// the fused attention kernel passes some 400 of them per warp per block; a fiber switch costs
// less than a hand-off between OS threads, and the order in which threads run is the same on
// every run.
#include "devices/gpu/emulated/cuda_emulation.h"

#include <sys/mman.h>
#include <ucontext.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "devices/gpu/emulated/host_runtime.h"

namespace tandem::gpu::emulation {

thread_local ThreadIndex current_index;

namespace {

// WMMA's stand-in fragments hold whole tiles (1 KiB each) and the fused kernel keeps 18 of them
// per thread; pages never touched are never committed, so the size costs address space only.
constexpr size_t kStackBytes = 512 * 1024;
constexpr size_t kGuardBytes = 4096;

// ---- Context switches ----------------------------------------------------------------------

// glibc's ucontext: a signal-mask system call per switch makes the whole suite take some 25 s
// on two cores, where hand-written switches took 4; portable code is worth the difference.
struct Context {
  ucontext_t uc{};
};

void switch_context(Context& from, const Context& to) { swapcontext(&from.uc, &to.uc); }

thread_local void (*starting_entry)(void*) = nullptr;
thread_local void* starting_arg = nullptr;

void start_fiber() { starting_entry(starting_arg); }

void make_context(Context& context, std::byte* stack_top, void (*entry)(void*), void* arg) {
  getcontext(&context.uc);
  context.uc.uc_stack.ss_sp = stack_top - kStackBytes;
  context.uc.uc_stack.ss_size = kStackBytes;
  context.uc.uc_link = nullptr;
  starting_entry = entry;  // read when the fiber first runs, before any other is made
  starting_arg = arg;
  makecontext(&context.uc, start_fiber, 0);
}

// ---- Stacks ---------------------------------------------------------------------------------

// Stacks outlive launches: mapping 128 of them per block would cost more than the block.
class StackPool {
 public:
  std::byte* take() {
    {
      std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        std::byte* top = free_.back();
        free_.pop_back();
        return top;
      }
    }
    void* p = mmap(nullptr, kStackBytes + kGuardBytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) fatal("cannot map a fiber's stack");
    mprotect(p, kGuardBytes, PROT_NONE);  // an overflow faults instead of corrupting
    return static_cast<std::byte*>(p) + kGuardBytes + kStackBytes;
  }
  void give(std::byte* top) {
    std::lock_guard lock(mutex_);
    free_.push_back(top);
  }

 private:
  std::mutex mutex_;
  std::vector<std::byte*> free_;
};

StackPool& stacks() {
  static StackPool pool;
  return pool;
}

// ---- Blocks ---------------------------------------------------------------------------------

enum class FiberState { Ready, Waiting, Done };

struct Fiber {
  Context context;
  std::byte* stack = nullptr;  // its top; null until the thread first runs
  FiberState state = FiberState::Ready;
  uint3 thread{};
  unsigned linear = 0;
  unsigned shuffles = 0;  // the warp's shuffles this lane has made, for their slots' parity
};

// Passes when every live thread it covers has arrived; a thread that exits stops counting.
struct Barrier {
  unsigned live = 0, arrived = 0;
  std::vector<Fiber*> waiting;
};

// 128-byte aligned storage that starts as 0xff bytes: NaN in f32, f16 and bf16.
class Poisoned {
 public:
  explicit Poisoned(size_t bytes) : storage_(bytes + 128, std::byte{0xff}) {}
  unsigned char* data() {
    const auto p = reinterpret_cast<uintptr_t>(storage_.data());
    return reinterpret_cast<unsigned char*>((p + 127) / 128 * 128);
  }

 private:
  std::vector<std::byte> storage_;
};

struct Block {
  const LaunchShape* shape = nullptr;
  const std::function<void()>* body = nullptr;
  std::vector<Fiber> fibers;
  Barrier all;
  std::vector<Barrier> warps;
  std::vector<unsigned> warp_lanes;                  // as launched
  std::vector<std::array<uint64_t, 64>> shuffle_slots;  // per warp, two rounds of 32 lanes
  std::map<const void*, Poisoned> static_shared;
  std::unique_ptr<Poisoned> dynamic_shared;
  std::array<uint64_t, 1024 / 64> ready{};  // a bit per thread that can run
  unsigned finished = 0;
  Context scheduler;

  void set_ready(const Fiber& f, bool ready_now) {
    const uint64_t bit = uint64_t(1) << (f.linear % 64);
    ready[f.linear / 64] = ready_now ? ready[f.linear / 64] | bit : ready[f.linear / 64] & ~bit;
  }
  // The lowest-numbered thread that can run, or -1.
  int first_ready() const {
    for (size_t w = 0; w < ready.size(); ++w)
      if (ready[w]) return int(w * 64) + __builtin_ctzll(ready[w]);
    return -1;
  }
};

thread_local Block* current_block = nullptr;
thread_local Fiber* current_fiber = nullptr;

void release(Barrier& barrier) {
  for (Fiber* f : barrier.waiting) {
    f->state = FiberState::Ready;
    current_block->set_ready(*f, true);
  }
  barrier.waiting.clear();
  barrier.arrived = 0;
}

void wait(Barrier& barrier) {
  Fiber* self = current_fiber;
  if (++barrier.arrived == barrier.live) {
    release(barrier);
    return;
  }
  self->state = FiberState::Waiting;
  current_block->set_ready(*self, false);
  barrier.waiting.push_back(self);
  switch_context(self->context, current_block->scheduler);
}

void leave(Barrier& barrier) {
  --barrier.live;
  if (barrier.arrived > 0 && barrier.arrived == barrier.live) release(barrier);
}

void run_fiber(void* arg) {
  auto* self = static_cast<Fiber*>(arg);
  Block& block = *current_block;
  (*block.body)();
  self->state = FiberState::Done;
  block.set_ready(*self, false);
  ++block.finished;
  leave(block.all);
  leave(block.warps[self->linear / 32]);
  switch_context(self->context, block.scheduler);
  fatal("a finished fiber was resumed");
}

// Runs the lowest-numbered thread that can run until it waits or exits, and again, until all
// have exited; none that can run while some have not exited is a deadlock. Lowest first lets a
// warp run as far ahead of the later ones as barriers allow (and a lane ahead of the later
// lanes), so that a missing barrier shows as a read of a value not yet written, or already
// overwritten, by another warp.
void run_block(Block& block, uint3 index, std::vector<std::byte*>& stacks_held) {
  const LaunchShape& s = *block.shape;
  const unsigned threads = s.block.x * s.block.y * s.block.z;
  if (!s.may_wait) {
    // No thread can wait for another: each runs to its end in turn, on this OS thread's stack.
    current_block = nullptr;
    current_index.block = index;
    for (unsigned t = 0; t < threads; ++t) {
      current_index.thread = uint3{t % s.block.x, t / s.block.x % s.block.y, t / (s.block.x * s.block.y)};
      (*block.body)();
    }
    return;
  }
  const unsigned warps = (threads + 31) / 32;
  block.fibers.assign(threads, Fiber{});
  for (unsigned t = 0; t < threads; ++t) {
    Fiber& f = block.fibers[t];
    f.linear = t;
    f.thread = uint3{t % s.block.x, t / s.block.x % s.block.y, t / (s.block.x * s.block.y)};
  }
  block.all = Barrier{threads, 0, {}};
  block.warp_lanes.assign(warps, 32);
  block.warp_lanes.back() = threads - (warps - 1) * 32;
  block.warps.assign(warps, Barrier{});
  for (unsigned w = 0; w < warps; ++w) block.warps[w].live = block.warp_lanes[w];
  block.shuffle_slots.assign(warps, {});
  block.static_shared.clear();
  block.dynamic_shared = s.dynamic_shared_bytes
                             ? std::make_unique<Poisoned>(s.dynamic_shared_bytes)
                             : nullptr;
  current_block = &block;
  current_index.block = index;
  block.ready.fill(0);
  for (const Fiber& f : block.fibers) block.set_ready(f, true);
  block.finished = 0;
  for (int next = block.first_ready(); next >= 0; next = block.first_ready()) {
    Fiber& f = block.fibers[size_t(next)];
    if (!f.stack) {
      if (stacks_held.empty()) stacks_held.push_back(stacks().take());
      f.stack = stacks_held.back();
      stacks_held.pop_back();
      make_context(f.context, f.stack, run_fiber, &f);
    }
    current_fiber = &f;
    current_index.thread = f.thread;
    switch_context(block.scheduler, f.context);
    if (f.state == FiberState::Done) {
      stacks_held.push_back(f.stack);
      f.stack = nullptr;
    }
  }
  if (block.finished != threads) fatal("deadlock: threads wait at barriers that the others never reach");
  current_fiber = nullptr;
}

int worker_count() {
  if (const char* n = std::getenv("TANDEM_GPU_EMULATION_THREADS")) return std::max(1, std::atoi(n));
  return std::max(1, int(std::thread::hardware_concurrency()));
}

// CUDA's limits on a launch's shape, as of compute capability 9.0.
bool valid_shape(const LaunchShape& s) {
  const uint64_t threads = uint64_t(s.block.x) * s.block.y * s.block.z;
  return threads > 0 && threads <= 1024 && s.block.x <= 1024 && s.block.y <= 1024 &&
         s.block.z <= 64 && s.grid.x > 0 && s.grid.y > 0 && s.grid.z > 0 &&
         s.grid.x <= 2147483647u && s.grid.y <= 65535 && s.grid.z <= 65535;
}

thread_local const LaunchShape* current_launch = nullptr;

}  // namespace

[[noreturn]] void fatal(const char* what) {
  const ThreadIndex& i = current_index;
  std::fprintf(stderr,
               "CUDA emulation: kernel %s, block (%u,%u,%u), thread (%u,%u,%u): %s\n",
               current_launch ? current_launch->kernel : "(none)", i.block.x, i.block.y, i.block.z,
               i.thread.x, i.thread.y, i.thread.z, what);
  std::abort();
}

// A launch from a file translated as barrier-free runs without a block (run_block).
Block& waiting_block() {
  if (!current_block) fatal("a barrier, shuffle or shared array in a launch translated without");
  return *current_block;
}

void sync_threads() { wait(waiting_block().all); }

void sync_warp() { wait(waiting_block().warps[current_fiber->linear / 32]); }

uint64_t exchange_in_warp(uint64_t value, unsigned mask, int source_xor, int width) {
  Block& block = waiting_block();
  Fiber& self = *current_fiber;
  const unsigned warp = self.linear / 32, lane = self.linear % 32;
  if (mask != 0xffffffffu) fatal("__shfl_xor_sync: only the full mask is emulated");
  if (block.warp_lanes[warp] != 32 || block.warps[warp].live != 32)
    fatal("__shfl_xor_sync with the full mask in a warp with fewer than 32 live lanes");
  // Two rounds of slots: a lane that runs ahead writes the next round's while the others still
  // read this one, and cannot run further ahead than that, since the next barrier holds it.
  auto& slots = block.shuffle_slots[warp];
  const unsigned round = (self.shuffles++ % 2) * 32;
  slots[round + lane] = value;
  wait(block.warps[warp]);
  unsigned source = lane ^ unsigned(source_xor);
  if (source / unsigned(width) > lane / unsigned(width)) source = lane;  // a later group: its own
  if (source >= 32) fatal("__shfl_xor_sync: source lane outside the warp");
  return slots[round + source];
}

void* static_shared(const void* site, size_t bytes) {
  auto [it, made] = waiting_block().static_shared.try_emplace(site, bytes);
  return it->second.data();
}

unsigned char* dynamic_shared() {
  if (!waiting_block().dynamic_shared) fatal("extern __shared__ used by a launch that gave none");
  return current_block->dynamic_shared->data();
}

namespace {

void execute(const LaunchShape& shape, const std::function<void()>& body) {
  const uint64_t blocks = uint64_t(shape.grid.x) * shape.grid.y * shape.grid.z;
  const unsigned workers = unsigned(std::min<uint64_t>(blocks, uint64_t(worker_count())));
  auto work = [&](unsigned worker) {
    current_launch = &shape;
    current_index = ThreadIndex{{}, {}, shape.block, shape.grid};
    Block block;
    block.shape = &shape;
    block.body = &body;
    std::vector<std::byte*> stacks_held;
    for (uint64_t b = worker; b < blocks; b += workers) {
      const uint3 index{unsigned(b % shape.grid.x), unsigned(b / shape.grid.x % shape.grid.y),
                        unsigned(b / (uint64_t(shape.grid.x) * shape.grid.y))};
      run_block(block, index, stacks_held);
    }
    for (std::byte* top : stacks_held) stacks().give(top);
    current_launch = nullptr;
  };
  if (workers == 1) {
    work(0);
    return;
  }
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < workers; ++w) threads.emplace_back(work, w);
  for (std::thread& t : threads) t.join();
}

}  // namespace

// A launch that cannot start fails when it is made, and fails the capture it was made in.
void run_grid(const LaunchShape& shape, std::function<void()> body) {
  cudaError_t error = cudaSuccess;
  if (!valid_shape(shape)) {
    std::fprintf(stderr, "CUDA emulation: invalid launch of %s: grid (%u,%u,%u), block (%u,%u,%u)\n",
                 shape.kernel, shape.grid.x, shape.grid.y, shape.grid.z, shape.block.x,
                 shape.block.y, shape.block.z);
    error = cudaErrorInvalidConfiguration;
  } else if (shape.dynamic_shared_bytes > max_dynamic_shared_bytes(shape.function)) {
    std::fprintf(stderr, "CUDA emulation: %s asks %zu bytes of dynamic shared memory, over its %zu\n",
                 shape.kernel, shape.dynamic_shared_bytes, max_dynamic_shared_bytes(shape.function));
    error = cudaErrorInvalidValue;
  }
  if (error != cudaSuccess) {
    set_launch_error(error);
    fail_capture(shape.stream);
    return;
  }
  enqueue(shape.stream, [shape, body = std::move(body)] { execute(shape, body); });
}

}  // namespace tandem::gpu::emulation
