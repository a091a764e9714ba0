#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rpa::core {

/// A count that only goes up. add() is one relaxed atomic add: cheap on the event loop.
class Counter {
 public:
  void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

/// Observations of a duration in seconds, counted in fixed buckets with their sum: a
/// Prometheus histogram. observe() is two relaxed atomic adds, safe on any thread.
class Histogram {
 public:
  /// Request and dispatch latencies: 0.5 ms to 10 s.
  static constexpr std::array<double, 14> kLatencyBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  explicit Histogram(std::span<const double> bounds = kLatencyBounds);
  void observe(double seconds);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, then +Inf (= count)
    double sum = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bound, then +Inf; not cumulative
  std::atomic<uint64_t> sum_micros_{0};
};

/// The Prometheus text exposition format (version 0.0.4), written family by family.
class MetricsText {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  /// # HELP and # TYPE lines; `type` is counter, gauge or histogram.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const Labels& labels, double value);
  /// name_bucket{le=…} lines, name_sum and name_count.
  void histogram(std::string_view name, const Labels& labels, const Histogram::Snapshot& h);

  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

}  // namespace rpa::core
