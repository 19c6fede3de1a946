//===- ThreadPool.cpp - parallel loops for the cpu device -----------------===//

#include "cpu/ThreadPool.h"

#include <algorithm>

namespace llmc::cpu {

ThreadPool::ThreadPool(unsigned threads) {
  if (threads == 0)
    threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 1; i < threads; ++i)
    workers.emplace_back([this] { work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  for (std::thread &t : workers)
    t.join();
}

void ThreadPool::runChunks() {
  std::unique_lock<std::mutex> lock(mutex);
  while (next < count) {
    int64_t begin = next, end = std::min(count, next + chunk);
    next = end;
    const auto *f = body;
    lock.unlock();
    (*f)(begin, end);
    lock.lock();
  }
}

void ThreadPool::work() {
  uint64_t seen = 0;
  std::unique_lock<std::mutex> lock(mutex);
  for (;;) {
    wake.wait(lock, [&] { return stopping || generation != seen; });
    if (stopping)
      return;
    seen = generation;
    ++busy;
    lock.unlock();
    runChunks();
    lock.lock();
    if (--busy == 0)
      done.notify_all();
  }
}

void ThreadPool::parallelFor(int64_t n,
                             const std::function<void(int64_t, int64_t)> &f) {
  if (n <= 0)
    return;
  if (workers.empty() || n == 1) {
    f(0, n);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    body = &f;
    count = n;
    next = 0;
    // A few chunks per thread balance uneven iterations.
    chunk = std::max<int64_t>(1, n / (int64_t(size()) * 4));
    ++generation;
  }
  wake.notify_all();
  runChunks();
  std::unique_lock<std::mutex> lock(mutex);
  done.wait(lock, [&] { return busy == 0 && next >= count; });
  body = nullptr;
}

} // namespace llmc::cpu
