//===- ThreadPool.h - parallel loops for the cpu device ---------*- C++ -*-===//
//
// A fixed set of worker threads that run the iterations of one loop at a
// time; the calling thread takes part. Not reentrant: one parallelFor at a
// time per pool (the cpu device runs one step at a time).
//
//===----------------------------------------------------------------------===//

#ifndef LLMC_RUNTIME_CPU_THREADPOOL_H
#define LLMC_RUNTIME_CPU_THREADPOOL_H

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace llmc::cpu {

class ThreadPool {
public:
  /// `threads` = 0 means one per hardware thread.
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  unsigned size() const { return unsigned(workers.size()) + 1; }

  /// Calls body(begin, end) on disjoint ranges covering [0, count), in
  /// parallel, and returns when all are done.
  void parallelFor(int64_t count,
                   const std::function<void(int64_t, int64_t)> &body);

private:
  void work();
  /// Runs chunks of the current loop until none is left.
  void runChunks();

  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake, done;
  const std::function<void(int64_t, int64_t)> *body = nullptr;
  int64_t count = 0, next = 0, chunk = 1;
  unsigned busy = 0;
  uint64_t generation = 0;
  bool stopping = false;
};

} // namespace llmc::cpu

#endif // LLMC_RUNTIME_CPU_THREADPOOL_H
