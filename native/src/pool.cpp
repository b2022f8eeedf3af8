/*
 * native/src/pool.cpp
 * The thread pool of pool.h and the Scratch allocator of table.h.
 */
#include "pool.h"
#include <chrono>
#include <cstdlib>
#include <cstring>

float* scratchGet(Scratch* s, size_t floats) {
  if (floats <= s->cap) return s->p;
  std::free(s->p);
  const size_t bytes = (floats * 4 + 63) / 64 * 64;
  s->p = static_cast<float*>(std::aligned_alloc(64, bytes));
  s->cap = s->p ? floats : 0;
  if (!s->p) std::abort();  // out of memory inside a kernel: nothing sensible to return to
  return s->p;
}

static const auto SPIN = std::chrono::microseconds(100);

Pool::Pool(int workers) : scratch_(workers + 1, Scratch{nullptr, 0}) {
  for (int w = 0; w < workers; w++) workers_.emplace_back([this, w] { workerLoop(w + 1); });
}

Pool::~Pool() {
  quit_.store(true);
  go_.fetch_add(1);
  {
    std::lock_guard<std::mutex> lk(m_);
    cv_.notify_all();
  }
  for (auto& t : workers_) t.join();
  for (auto& s : scratch_) std::free(s.p);
}

void Pool::claim(bool front, Scratch* s) {
  for (;;) {
    uint32_t v = cursors_.load(std::memory_order_acquire);
    const uint32_t lo = v & 0xffff, hi = v >> 16;
    if (lo >= hi) return;
    const uint32_t next = front ? v + 1 : v - 0x10000;
    if (!cursors_.compare_exchange_weak(v, next, std::memory_order_acq_rel)) continue;
    fn_(ctx_, front ? (int)lo : (int)hi - 1, s);
    fin_.fetch_add(1, std::memory_order_acq_rel);
  }
}

void Pool::run(int chunks, ChunkFn fn, void* ctx) {
  if (workers_.empty() || chunks <= 1) {
    for (int i = 0; i < chunks; i++) fn(ctx, i, &scratch_[0]);
    return;
  }
  fn_ = fn;
  ctx_ = ctx;
  fin_.store(0);
  cursors_.store((uint32_t)chunks << 16);
  go_.fetch_add(1);
  if (sleepers_.load() > 0) {
    std::lock_guard<std::mutex> lk(m_);
    cv_.notify_all();
  }
  claim(true, &scratch_[0]);
  for (int spins = 0; fin_.load(std::memory_order_acquire) < chunks; spins++) {
    if (spins > 1000) std::this_thread::yield();
  }
}

void Pool::workerLoop(int index) {
  uint32_t seen = 0;
  for (;;) {
    uint32_t g = go_.load(std::memory_order_acquire);
    if (g == seen) {
      const auto end = std::chrono::steady_clock::now() + SPIN;
      for (int k = 0; g == seen; k++) {
        g = go_.load(std::memory_order_acquire);
        if ((k & 63) == 63 && std::chrono::steady_clock::now() >= end) break;
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lk(m_);
        sleepers_.fetch_add(1);
        cv_.wait(lk, [&] { return go_.load() != seen; });
        sleepers_.fetch_sub(1);
        g = go_.load();
      }
    }
    seen = g;
    if (quit_.load()) return;
    claim(false, &scratch_[index]);
  }
}
