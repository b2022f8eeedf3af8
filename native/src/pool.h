/*
 * native/src/pool.h
 * The addon's threads: the calling (JS) thread plus `workers` persistent worker threads. A job is a
 * function and `chunks` chunks: the calling thread claims chunks from the front and the workers
 * from the back (one word, lo | hi << 16, by compare-and-swap, as the wasm pool: src/kernels/wasm/jobs),
 * so with one worker each thread keeps to its own end of the data from call to call, and a late
 * worker only means the caller takes more chunks. Workers poll for a new job for a while
 * (spin, about 100 µs) and then sleep on a condition variable. Each thread has its own Scratch.
 */
#pragma once
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#include "table.h"

typedef void (*ChunkFn)(void* ctx, int chunk, Scratch* s);

class Pool {
 public:
  explicit Pool(int workers);
  ~Pool();
  /** Threads: the caller's plus the workers'. */
  int threads() const { return (int)workers_.size() + 1; }
  /** Run fn(ctx, i, scratch) for i < chunks on all threads; returns when every chunk is done. */
  void run(int chunks, ChunkFn fn, void* ctx);
  /** The calling thread's scratch. */
  Scratch* callerScratch() { return &scratch_[0]; }

 private:
  void workerLoop(int index);
  void claim(bool front, Scratch* s);
  std::vector<std::thread> workers_;
  std::vector<Scratch> scratch_;
  std::atomic<uint32_t> go_{0};
  std::atomic<uint32_t> cursors_{0};
  std::atomic<int> fin_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> quit_{false};
  std::mutex m_;
  std::condition_variable cv_;
  ChunkFn fn_ = nullptr;
  void* ctx_ = nullptr;
};
