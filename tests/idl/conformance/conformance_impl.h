// The implementation of conformance.idl's server (ConformanceServer), shared
// by conformance_server and the generated-stub fuzz target. Every method
// echoes or computes something the client checks.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "alpaca/rpc/status.h"
#include "conformance_server.h"

namespace conformance_impl {

using namespace conformance;

inline std::atomic<std::int32_t> reserve_calls{0};

// The counters (context handles) alive and the rundowns seen, with a
// condition a client can wait on through AwaitLiveCounters instead of
// polling LiveCounters.
struct CounterCensus {
  std::mutex mu;
  std::condition_variable changed;
  std::int32_t live = 0;
  std::int32_t rundowns = 0;

  void Add(std::int32_t live_delta, std::int32_t rundown_delta) {
    std::lock_guard lock(mu);
    live += live_delta;
    rundowns += rundown_delta;
    changed.notify_all();
  }
};
inline CounterCensus census;

struct Counter {
  explicit Counter(std::int32_t start) : value(start) { census.Add(1, 0); }
  ~Counter() { census.Add(-1, 0); }
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;
  std::atomic<std::int32_t> value;
};

// 32-bit arithmetic that wraps, as the peer's numbers may be anything.
inline std::int32_t Wrap(std::int64_t v) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(v)));
}

class Impl final : public ConformanceServer {
 public:
  // How long AwaitLiveCounters may hold a server thread (a fuzz harness,
  // which never reaches the count it asks for, sets 0).
  explicit Impl(std::chrono::milliseconds await_limit = std::chrono::seconds(20))
      : await_limit_(await_limit) {}

  std::int64_t SumScalars(std::int8_t a, std::int16_t b, std::int32_t c, std::int64_t d, float e,
                          double f, bool g, std::uint8_t h, char i, char16_t j) override {
    // Whatever the peer sent: NaN, infinities and huge values count as 0,
    // and the sum wraps instead of overflowing.
    auto whole = [](double x) {
      return std::isfinite(x) && std::fabs(x) < 1e15 ? static_cast<std::int64_t>(x) : 0;
    };
    // In 64 bits: int8 + int16 + int32 can overflow int.
    std::uint64_t sum = static_cast<std::uint64_t>(std::int64_t{a} + b + c) +
                        static_cast<std::uint64_t>(d) +
                        static_cast<std::uint64_t>(whole(e) + whole(f)) +
                        static_cast<std::uint64_t>((g ? 1 : 0) + h + i + j);
    return static_cast<std::int64_t>(sum);
  }
  void EchoBase(const BaseTypes& value, BaseTypes& echo) override { echo = value; }
  Color NextColor(Color c, Size s, Size& bigger) override {
    bigger = s == Size::SMALL ? Size::HUGE : Size::SMALL;
    return c == Color::RED ? Color::GREEN : c == Color::GREEN ? Color::BLUE : Color::RED;
  }
  void EchoOuter(const Outer& value, Outer& echo) override { echo = value; }
  std::int64_t SumArray(const std::vector<std::int32_t>& values) override {
    std::int64_t sum = 0;
    for (auto v : values) sum += v;
    return sum;
  }
  void Fill(std::int32_t size, std::uint8_t value, std::vector<std::uint8_t>& data) override {
    // The stub sized `data` from `size` before the call.
    if (data.size() != static_cast<std::size_t>(size)) throw alpaca::RpcError(0xbad);
    for (std::size_t k = 0; k < data.size(); ++k) data[k] = static_cast<std::uint8_t>(value + k);
  }
  void ScaleSamples(Samples& samples, std::int32_t factor) override {
    for (auto& v : samples.values) v = Wrap(std::int64_t{v} * factor);
    samples.values.push_back(factor);  // the count follows the array
  }
  std::int32_t SumWindow(const std::vector<std::int32_t>& window) override {
    std::int64_t sum = 0;
    for (auto v : window) sum += v;
    return Wrap(sum);
  }
  void EchoFixed(const Fixed& value, Fixed& echo) override { echo = value; }
  std::int32_t Concat(const std::string& a, const std::u16string& b,
                      std::optional<std::u16string>& joined) override {
    joined = std::u16string(a.begin(), a.end()) + b;
    return static_cast<std::int32_t>(joined->size());
  }
  std::int32_t MaybeLength(const std::optional<std::string>& text) override {
    return text ? static_cast<std::int32_t>(text->size()) : -1;
  }
  void GetName(std::int32_t& size, std::u16string& name) override {
    std::u16string full = u"conformance-server";
    name = full.substr(0, static_cast<std::size_t>(std::max(0, size)));
    size = static_cast<std::int32_t>(full.size());
  }
  std::int32_t JoinAll(const std::vector<std::optional<std::string>>& words,
                       std::optional<std::string>& joined) override {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + (w ? *w : std::string("<null>"));
    joined = out;
    return static_cast<std::int32_t>(words.size());
  }
  void Twice(std::optional<std::int32_t>& value) override {
    if (value) *value = Wrap(std::int64_t{*value} * 2);
  }
  void EchoPointers(const Pointers& value, Pointers& echo) override { echo = value; }
  std::int32_t ListSum(const std::optional<Node>& head, std::int32_t& length) override {
    std::int64_t sum = 0;
    length = 0;
    for (const Node* n = head ? &*head : nullptr; n != nullptr; n = n->next.get()) {
      sum += n->value;
      ++length;
    }
    return Wrap(sum);
  }
  void MakeList(std::int32_t n, std::optional<Node>& head) override {
    if (n > 1000) throw alpaca::RpcError(87);  // ERROR_INVALID_PARAMETER: a hostile n
    if (n <= 0) return;
    head.emplace();
    Node* tail = &*head;
    tail->value = 1;
    for (std::int32_t k = 2; k <= n; ++k) {
      tail->next = std::make_unique<Node>();
      tail = tail->next.get();
      tail->value = k;
    }
  }
  bool SameObject(const std::shared_ptr<Inner>& a, const std::shared_ptr<Inner>& b) override {
    return a != nullptr && a == b;
  }
  void EchoFull(const FullPair& value, FullPair& echo, bool& aliased) override {
    aliased = value.first != nullptr && value.first == value.second;
    echo = value;
  }
  void EchoTagged(const Tagged& value, Tagged& echo) override { echo = value; }
  void EchoValue(std::int16_t kind, const Value& value, Value& echo) override {
    if (echo.tag != kind) throw alpaca::RpcError(0xbad);  // the stub set it from `kind`
    echo = value;
  }
  void EchoShade(const Shade& value, Shade& echo) override { echo = value; }
  std::int32_t Answer(bool fail) override {
    if (fail) throw alpaca::RpcError(0x80070057);  // E_INVALIDARG, as a fault
    return 42;
  }
  void Fault(std::uint32_t status) override { throw alpaca::RpcError(status); }
  std::int32_t Percent(std::int32_t value) override { return value; }
  void OpenCounter(std::int32_t start, alpaca::rpc::ServerContext& counter) override {
    counter = alpaca::rpc::ServerContext::Make<Counter>(start);
  }
  std::int32_t Increment(const alpaca::rpc::ServerContext& counter) override {
    return ++counter.Get<Counter>()->value;
  }
  void CloseCounter(alpaca::rpc::ServerContext& counter) override { counter.Reset(); }
  std::int32_t LiveCounters(std::int32_t& rundown_count) override {
    std::lock_guard lock(census.mu);
    rundown_count = census.rundowns;
    return census.live;
  }
  std::int32_t AwaitLiveCounters(std::int32_t count, std::int32_t& rundown_count) override {
    // Returns as soon as `count` counters are alive, or after await_limit_
    // (the caller then sees another count), so that a wait for a count
    // never reached does not hold a server thread for good.
    std::unique_lock lock(census.mu);
    census.changed.wait_for(lock, await_limit_, [&] { return census.live == count; });
    rundown_count = census.rundowns;
    return census.live;
  }
  void EchoSmall(std::int32_t, const Small& value, Small& echo) override { echo = value; }
  std::int32_t CountGroups(std::int32_t, std::int32_t,
                           const std::vector<std::int32_t>& groups) override {
    return static_cast<std::int32_t>(groups.size());
  }
  std::int32_t Reserve(std::int32_t max, std::int32_t& got,
                       std::vector<std::int64_t>& ids) override {
    // A side effect the client reads back: a call the stub refused never
    // gets here.
    const std::int32_t call = ++reserve_calls;
    ids.clear();
    for (std::int32_t k = 0; k < std::min(max, 3); ++k) ids.push_back(k);
    got = static_cast<std::int32_t>(ids.size());
    return call;
  }
  void WhoAmI(std::optional<std::string>& protseq, std::int32_t& pid, std::uint32_t& uid,
              std::uint32_t& gid) override {
    const auto& peer = alpaca::rpc::CurrentCall().peer;
    protseq = peer.protseq;
    pid = peer.local ? peer.local->pid : -1;
    uid = peer.local ? peer.local->uid : 0xffffffffu;
    gid = peer.local ? peer.local->gid : 0xffffffffu;
  }
  void COUNTER_rundown(alpaca::rpc::ServerContext& counter) override {
    if (counter.Get<Counter>() != nullptr) census.Add(0, 1);
  }

 private:
  std::chrono::milliseconds await_limit_;
};

}  // namespace conformance_impl
