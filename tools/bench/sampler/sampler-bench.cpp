//===- sampler-bench.cpp - host time per sampled token --------------------===//
//
// Built by run.sh against two copies of generate/Sampler.cpp.
//
//===----------------------------------------------------------------------===//

#include "generate/Sampler.h"
#include <chrono>
#include <cstdio>
#include <random>
using namespace llmc::generate;
int main() {
  const int V = 128256;
  std::mt19937 rng(1);
  std::normal_distribution<float> nd(0.f, 3.f);
  std::vector<float> base(V);
  for (auto &x : base)
    x = nd(rng);
  struct Case {
    const char *name;
    float t;
    int k;
    float p;
    float minp;
  } cases[] = {{"temperature 0.8", 0.8f, 0, 1.0f, 0.f},
               {"top-p 0.9", 0.8f, 0, 0.9f, 0.f},
               {"top-k 50", 0.8f, 50, 1.0f, 0.f},
               {"min-p 0.05", 0.8f, 0, 1.0f, 0.05f}};
  for (auto &c : cases) {
    SamplingOptions o;
    o.temperature = c.t;
    o.topK = c.k;
    o.topP = c.p;
    o.minP = c.minp;
    o.seed = 7;
    Sampler s(o);
    std::vector<float> l;
    long sum = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 50; ++i) {
      l = base;
      sum += s.sample(l.data(), V, {});
    }
    auto t1 = std::chrono::steady_clock::now();
    printf("%-16s %8.1f us per token (checksum %ld)\n", c.name,
           std::chrono::duration<double, std::micro>(t1 - t0).count() / 50,
           sum);
  }
}
