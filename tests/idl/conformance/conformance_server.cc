// conformance_server: implements tests/idl/conformance/conformance.idl with
// the generated server stub, on ncalrpc (--ncalrpc NAME) and ncacn_ip_tcp
// (--port N, 0: any) until SIGTERM. Prints "READY <tcp port> 0" once
// listening, for run_with_server.py.
#include "conformance_server.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "rpc/server.h"

namespace {

using namespace conformance;

std::atomic<int> live_counters{0};
std::atomic<int> rundowns{0};

struct Counter {
  explicit Counter(std::int32_t start) : value(start) { ++live_counters; }
  ~Counter() { --live_counters; }
  std::atomic<std::int32_t> value;
};

class Impl final : public ConformanceServer {
 public:
  std::int64_t SumScalars(std::int8_t a, std::int16_t b, std::int32_t c, std::int64_t d, float e,
                          double f, bool g, std::uint8_t h, char i, char16_t j) override {
    return a + b + c + d + static_cast<std::int64_t>(e) + static_cast<std::int64_t>(f) +
           (g ? 1 : 0) + h + i + j;
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
    for (auto& v : samples.values) v *= factor;
    samples.values.push_back(factor);  // the count follows the array
  }
  std::int32_t SumWindow(const std::vector<std::int32_t>& window) override {
    std::int32_t sum = 0;
    for (auto v : window) sum += v;
    return sum;
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
    if (value) *value *= 2;
  }
  void EchoPointers(const Pointers& value, Pointers& echo) override { echo = value; }
  std::int32_t ListSum(const std::optional<Node>& head, std::int32_t& length) override {
    std::int32_t sum = 0;
    length = 0;
    for (const Node* n = head ? &*head : nullptr; n != nullptr; n = n->next.get()) {
      sum += n->value;
      ++length;
    }
    return sum;
  }
  void MakeList(std::int32_t n, std::optional<Node>& head) override {
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
    rundown_count = rundowns.load();
    return live_counters.load();
  }
  void EchoSmall(std::int32_t, const Small& value, Small& echo) override { echo = value; }
  void WhoAmI(std::optional<std::string>& protseq, std::int32_t& pid, std::uint32_t& uid,
              std::uint32_t& gid) override {
    const auto& peer = alpaca::rpc::CurrentCall().peer;
    protseq = peer.protseq;
    pid = peer.local ? peer.local->pid : -1;
    uid = peer.local ? peer.local->uid : 0xffffffffu;
    gid = peer.local ? peer.local->gid : 0xffffffffu;
  }
  void COUNTER_rundown(alpaca::rpc::ServerContext& counter) override {
    if (counter.Get<Counter>() != nullptr) ++rundowns;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string port = "0", ncalrpc;
  bool everyone = false;
  long deny_uid = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--port") {
      port = value;
    } else if (flag == "--ncalrpc") {
      ncalrpc = value;
    } else if (flag == "--everyone") {
      everyone = value == "1";
    } else if (flag == "--deny-uid") {
      deny_uid = std::stol(value);
    } else {
      std::fprintf(stderr, "conformance_server: unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  try {
    alpaca::rpc::ServerOptions options;
    options.tcp_address = "0.0.0.0";
    options.max_call_bytes = 64u << 20;
    options.local_security.allow_everyone = everyone;
    alpaca::rpc::Server server(options);
    server.UseProtseqEp("ncacn_ip_tcp", port);
    if (!ncalrpc.empty()) server.UseProtseqEp("ncalrpc", ncalrpc);
    // The interface's security callback sees the caller's kernel-verified
    // identity over ncalrpc: --deny-uid refuses one uid.
    alpaca::rpc::SecurityCallback security;
    if (deny_uid >= 0) {
      security = [deny_uid](const alpaca::rpc::CallContext& call) {
        return !(call.peer.local && call.peer.local->uid == static_cast<std::uint32_t>(deny_uid));
      };
    }
    server.RegisterInterface(
        ConformanceServer::Registration(std::make_shared<Impl>(), std::move(security)));
    server.Listen();
    std::printf("READY %u 0\n", server.TcpPorts()[0]);
    std::fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    server.Stop();
  } catch (const alpaca::RpcError& e) {
    std::fprintf(stderr, "conformance_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
