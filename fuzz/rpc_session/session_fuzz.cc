// libFuzzer target: whole PDU sequences through the server's session code,
// rpc::ServerConnection, as a hostile client would drive one connection.
//
// The input is not one PDU but a script: FuzzedDataProvider turns it into a
// sequence of actions (bind, alter_context, whole and fragmented requests
// with stubs that decode, co_cancel, orphaned, garbage, mutated PDUs, and
// running the calls the connection handed to its executor), so the fuzzer
// reaches the deep states — bound, mid-reassembly, calls queued and then
// cancelled or orphaned — that single-PDU fuzzing never gets to.
//
// Calls run on a queue the script drains when it chooses (or inline, as
// ServerOptions::worker_threads = 0 runs them), all on this thread, so a run
// is deterministic. Two interfaces are registered: tests/rpc's AlpacaTest
// (scalars, arrays, strings, structs, a faulting method) and a counter with
// context handles, whose wire values the script takes from responses and
// sends back.
//
// Invariants checked after every step (std::abort on a violation):
//   - every PDU the server sends parses and is of a type a server sends;
//   - a response carries the call_id of a request the client sent, a
//     bind_ack/alter_context_resp that of a bind/alter_context, a fault or
//     bind_nak that of something the client sent;
//   - one call's response fragments are contiguous, first to last, no
//     longer than the max_xmit_frag the bind_ack announced;
//   - a call_id gets no more whole responses than calls with it were begun,
//     and no more responses and faults than PDUs with it were sent;
//   - after the connection closed and every call ended: no call counted as
//     active in the ServerCore, and every context handle was run down.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "alpaca/dcerpc/fragments.h"
#include "alpaca/dcerpc/pdu.h"
#include "alpaca/rpc/status.h"
#include "server_connection.h"
#include "test_interface.h"

namespace dcerpc = alpaca::dcerpc;
namespace ndr = alpaca::ndr;
namespace rpc = alpaca::rpc;
namespace status = alpaca::rpc::status;
using dcerpc::Bytes;
using dcerpc::PacketType;

namespace {

// ---------------------------------------------------------------------------
// The counter interface: context handles through the association.

const rpc::InterfaceId kCounter{alpaca::UuidFromLiteral("3f6c1a52-8d0e-4b7a-9e21-c5d4b3a29180"), 2,
                                1};
const char kCounterHandleType = 0;  // its address is the handle type id

// Live counter states: all of them must be gone once the connection closed.
int g_live_counters = 0;

struct CounterState {
  explicit CounterState(std::uint64_t v) : value(v) { ++g_live_counters; }
  ~CounterState() { --g_live_counters; }
  CounterState(const CounterState&) = delete;
  CounterState& operator=(const CounterState&) = delete;
  std::uint64_t value;
};

std::uint32_t CounterOpen(rpc::CallContext& call, ndr::Decoder& in, ndr::Encoder& out) {
  auto start = in.Read<std::uint64_t>();
  if (in.Finish()) return status::kBadStubData;
  auto state = rpc::ServerContext::Make<CounterState>(start);
  out.WriteContextHandle(
      call.association.Store({}, &kCounterHandleType, state, [](rpc::ServerContext&) {}));
  out.Write<std::int32_t>(0);
  return status::kOk;
}

std::uint32_t CounterAdd(rpc::CallContext& call, ndr::Decoder& in, ndr::Encoder& out) {
  auto wire = in.ReadContextHandle();
  auto delta = in.Read<std::uint32_t>();
  if (in.Finish()) return status::kBadStubData;
  rpc::ServerContext context;
  if (auto refused = call.association.Find(wire, &kCounterHandleType, false, context)) {
    return refused;
  }
  auto* state = context.Get<CounterState>();
  if (state == nullptr) return status::kNcaFaultContextMismatch;
  state->value += delta;  // unsigned: wraps, as the client's hyper would
  out.Write(state->value);
  return status::kOk;
}

std::uint32_t CounterClose(rpc::CallContext& call, ndr::Decoder& in, ndr::Encoder& out) {
  auto wire = in.ReadContextHandle();
  if (in.Finish()) return status::kBadStubData;
  rpc::ServerContext context;
  if (auto refused = call.association.Find(wire, &kCounterHandleType, false, context)) {
    return refused;
  }
  context.Reset();
  out.WriteContextHandle(call.association.Store(wire, &kCounterHandleType, context, nullptr));
  out.Write<std::int32_t>(0);
  return status::kOk;
}

// A long call: notices a cancel that arrived while it was queued.
std::uint32_t CounterPoll(rpc::CallContext& call, ndr::Decoder& in, ndr::Encoder& out) {
  auto value = in.Read<std::int32_t>();
  if (in.Finish()) return status::kBadStubData;
  if (call.cancelled) return status::kNcaFaultCancel;
  out.Write(value);
  return status::kOk;
}

rpc::InterfaceRegistration CounterRegistration() {
  rpc::InterfaceRegistration r;
  r.id = kCounter;
  r.methods = {CounterOpen, CounterAdd, CounterClose, CounterPoll};
  return r;
}

// ---------------------------------------------------------------------------
// The transport's side: a sink that records, and the script's model of the
// conversation.

class RecordingSink : public dcerpc::MessageSink {
 public:
  void Send(std::vector<std::uint8_t> message) override { sent.push_back(std::move(message)); }
  void Close() override { closed = true; }
  std::vector<Bytes> sent;
  bool closed = false;
};

// Flow control is newer than this target's first version: honoured when
// the handler has it.
template <typename Handler>
bool ReadyForMessage(Handler& handler) {
  if constexpr (requires { handler.ReadyForMessage(); }) {
    return handler.ReadyForMessage();
  } else {
    return true;
  }
}

// ALPACA_FUZZ_TRACE=1 prints every PDU each way (to triage a finding).
bool Tracing() {
  static const bool on = std::getenv("ALPACA_FUZZ_TRACE") != nullptr;
  return on;
}

void Trace(const char* direction, const Bytes& pdu) {
  if (!Tracing()) return;
  dcerpc::Header h;
  if (dcerpc::ParseHeader(pdu, h)) {
    std::fprintf(stderr, "%s %zu bytes, no valid header\n", direction, pdu.size());
    return;
  }
  std::fprintf(stderr, "%s ptype %d flags %02x call_id %u frag_length %u\n", direction,
               static_cast<int>(h.ptype), h.pfc_flags, h.call_id, h.frag_length);
}

// A broken invariant: says which, then aborts (libFuzzer keeps the input).
#define CHECK(condition)                                                                      \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "invariant broken: %s (%s:%d)\n", #condition, __FILE__, __LINE__); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)

enum class Iface { kTest, kCounter, kUnknown };

struct Model {
  // What the client sent, by call_id.
  std::set<std::uint32_t> bind_ids, alter_ids, raw_ids;
  std::map<std::uint32_t, int> calls_begun;  // request fragments with PFC_FIRST_FRAG
  std::set<std::uint32_t> request_ids;       // any request fragment
  std::map<std::uint32_t, int> messages;     // PDUs of any type
  // What the server answered: whole responses; responses and faults.
  std::map<std::uint32_t, int> responses, answers;
  std::optional<std::uint16_t> max_xmit_frag;  // from the bind_ack
  std::optional<std::uint32_t> open_response;  // call_id of a response not yet last
  std::size_t checked = 0;                     // sink->sent[0, checked) checked
  // Context ids the client proposed, with the interface each named.
  std::map<std::uint16_t, Iface> contexts;
  std::map<std::uint32_t, std::pair<Iface, std::uint16_t>> call_kinds;  // call_id -> method
  std::vector<ndr::ContextHandle> handles;  // counter handles the server returned
  std::vector<std::uint32_t> recent_ids;
  std::uint32_t next_call_id = 1;
  std::vector<Bytes> pending_fragments;  // of a request sent piecewise
};

void RecordSent(Model& m, const Bytes& message) {
  Trace("client", message);
  if (message.size() >= 16) {
    m.raw_ids.insert(message[12] | message[13] << 8 | message[14] << 16 |
                     static_cast<std::uint32_t>(message[15]) << 24);
  }
  dcerpc::Header h;
  if (dcerpc::ParseHeader(message, h)) return;
  m.raw_ids.insert(h.call_id);
  ++m.messages[h.call_id];
  if (h.ptype == PacketType::kBind) m.bind_ids.insert(h.call_id);
  if (h.ptype == PacketType::kAlterContext) m.alter_ids.insert(h.call_id);
  if (h.ptype == PacketType::kRequest) {
    m.request_ids.insert(h.call_id);
    if (h.pfc_flags & dcerpc::kPfcFirstFrag) ++m.calls_begun[h.call_id];
  }
}

// A counter handle in a response the server just sent: Open and Close put
// it first in the stub (Close returns the NULL handle).
void TakeHandle(Model& m, const dcerpc::Header& h, const dcerpc::ResponsePdu& r) {
  auto kind = m.call_kinds.find(h.call_id);
  if (kind == m.call_kinds.end() || kind->second.first != Iface::kCounter ||
      kind->second.second != 0 || r.stub.size() < ndr::kContextHandleWireSize) {
    return;
  }
  ndr::Decoder d(r.stub, h.drep);
  ndr::ContextHandle handle = d.ReadContextHandle();
  if (d.Ok() && m.handles.size() < 16) m.handles.push_back(handle);
}

void CheckServerPdus(Model& m, const RecordingSink& sink) {
  for (; m.checked < sink.sent.size(); ++m.checked) {
    const Bytes& pdu = sink.sent[m.checked];
    Trace("server", pdu);
    dcerpc::Header h;
    CHECK(!dcerpc::ParseHeader(pdu, h));
    CHECK(h.frag_length == pdu.size());
    if (m.open_response) {
      // Another call's PDUs inside one response's fragments would corrupt
      // the client's reassembly.
      CHECK(h.ptype == PacketType::kResponse && h.call_id == *m.open_response &&
            !(h.pfc_flags & dcerpc::kPfcFirstFrag));
    }
    switch (h.ptype) {
      case PacketType::kBindAck:
      case PacketType::kAlterContextResp: {
        dcerpc::BindAckPdu ack;
        CHECK(!dcerpc::ParseBindAck(pdu, h, ack));
        CHECK((h.ptype == PacketType::kBindAck ? m.bind_ids : m.alter_ids).count(h.call_id) == 1);
        CHECK(ack.max_xmit_frag >= dcerpc::kMinFragSize);
        if (h.ptype == PacketType::kBindAck) m.max_xmit_frag = ack.max_xmit_frag;
        break;
      }
      case PacketType::kBindNak: {
        dcerpc::BindNakPdu nak;
        CHECK(!dcerpc::ParseBindNak(pdu, h, nak));
        CHECK(m.raw_ids.count(h.call_id) == 1);
        break;
      }
      case PacketType::kResponse: {
        dcerpc::ResponsePdu r;
        CHECK(!dcerpc::ParseResponse(pdu, h, r));
        CHECK(m.request_ids.count(h.call_id) == 1);
        CHECK(m.max_xmit_frag && h.frag_length <= *m.max_xmit_frag);
        if (h.pfc_flags & dcerpc::kPfcFirstFrag) {
          CHECK(!m.open_response);
          TakeHandle(m, h, r);
        }
        if (h.pfc_flags & dcerpc::kPfcLastFrag) {
          m.open_response.reset();
          CHECK(++m.responses[h.call_id] <= m.calls_begun[h.call_id]);
          CHECK(++m.answers[h.call_id] <= m.messages[h.call_id]);
        } else {
          m.open_response = h.call_id;
        }
        break;
      }
      case PacketType::kFault: {
        dcerpc::FaultPdu f;
        CHECK(!dcerpc::ParseFault(pdu, h, f));
        CHECK(f.status != 0);
        // Not only requests are refused with a fault (e.g. an over-long
        // alter_context), but only what the client sent is answered.
        CHECK(m.raw_ids.count(h.call_id) == 1);
        CHECK(++m.answers[h.call_id] <= m.messages[h.call_id]);
        break;
      }
      default:
        std::abort();  // requests, binds, cancels: never from a server
    }
  }
}

// ---------------------------------------------------------------------------
// The script.

class Session {
 public:
  Session(FuzzedDataProvider& in, std::shared_ptr<rpc::ServerCore> core, bool inline_calls)
      : in_(in), core_(std::move(core)) {
    dcerpc::Executor executor;
    if (inline_calls) {
      executor = [](std::function<void()> fn) { fn(); };
    } else {
      executor = [queue = queue_](std::function<void()> fn) { queue->push_back(std::move(fn)); };
    }
    dcerpc::PeerInfo peer;
    peer.protseq = "ncacn_ip_tcp";
    peer.address = "192.0.2.7";
    peer.port = 49152;
    conn_ = std::make_shared<rpc::ServerConnection>(core_, sink_, peer, executor, "4747");
  }

  void Run() {
    for (int step = 0;
         step < 96 && in_.remaining_bytes() > 0 && !sink_->closed && !transport_closed_; ++step) {
      Step();
      CheckServerPdus(m_, *sink_);
    }
    // The transport reports the close; calls still queued then run (a pool
    // finishes them) and find themselves orphaned.
    conn_->OnClosed();
    RunQueued(SIZE_MAX);
    CheckServerPdus(m_, *sink_);
    {
      std::lock_guard lock(core_->mu);
      CHECK(core_->active_calls == 0);
    }
    CHECK(g_live_counters == 0);  // rundown on close
  }

 private:
  void Step() {
    switch (in_.ConsumeIntegralInRange<int>(0, 12)) {
      case 0:
        return Bind(m_.max_xmit_frag ? PacketType::kAlterContext : PacketType::kBind);
      case 1:
        return Bind(in_.ConsumeBool() ? PacketType::kBind : PacketType::kAlterContext);
      case 2:
        return Request(/*piecewise=*/false);
      case 3:
        return Request(/*piecewise=*/true);
      case 4:
        return SendPending(in_.ConsumeBool());
      case 5:
        return Deliver(dcerpc::EncodeHeaderOnly(PacketType::kCoCancel, PickCallId()));
      case 6:
        return Deliver(dcerpc::EncodeHeaderOnly(PacketType::kOrphaned, PickCallId()));
      case 7:
        return RunQueued(1);
      case 8:
        return RunQueued(SIZE_MAX);
      case 9:
        return Garbage();
      case 10:
        return Mutated();
      case 11: {
        static constexpr PacketType kOthers[] = {
            PacketType::kAuth3,           PacketType::kShutdown, PacketType::kResponse,
            PacketType::kFault,           PacketType::kBindAck,  PacketType::kBindNak,
            PacketType::kAlterContextResp};
        auto type = kOthers[in_.ConsumeIntegralInRange<std::size_t>(0, std::size(kOthers) - 1)];
        std::uint32_t call_id = PickCallId();  // (argument order is unspecified)
        return Deliver(
            dcerpc::EncodeHeaderOnly(type, call_id, in_.ConsumeIntegral<std::uint8_t>()));
      }
      default: {
        // A bind in a protocol version the server does not speak (5.1 is
        // the only minor besides 5.0): bind_nak, then the close.
        Bytes b = BindBytes(PacketType::kBind);
        b[0] = in_.ConsumeBool() ? 4 : 5;
        b[1] = in_.ConsumeIntegralInRange<std::uint8_t>(2, 255);
        return Framed(std::move(b));
      }
    }
  }

  std::uint32_t PickCallId() {
    if (!m_.recent_ids.empty() && in_.ConsumeBool()) {
      return m_.recent_ids[in_.ConsumeIntegralInRange<std::size_t>(0, m_.recent_ids.size() - 1)];
    }
    std::uint32_t id = in_.ConsumeBool() ? m_.next_call_id++ : in_.ConsumeIntegral<std::uint32_t>();
    if (m_.recent_ids.size() < 8) m_.recent_ids.push_back(id);
    return id;
  }

  dcerpc::SyntaxId PickAbstract(Iface& iface) {
    switch (in_.ConsumeIntegralInRange<int>(0, 5)) {
      case 0:
        iface = Iface::kTest;
        return alpaca::rpc::testing::kAlpacaTest.Syntax();
      case 1:
        iface = Iface::kCounter;
        return kCounter.Syntax();
      case 2: {  // an older minor is served by a newer one, a newer is not
        iface = Iface::kCounter;
        auto s = kCounter.Syntax();
        s.minor = in_.ConsumeIntegralInRange<std::uint16_t>(0, 2);
        return s;
      }
      case 3: {
        iface = Iface::kTest;
        auto s = alpaca::rpc::testing::kAlpacaTest.Syntax();
        s.major = in_.ConsumeIntegralInRange<std::uint16_t>(0, 2);
        return s;
      }
      case 4:
        iface = Iface::kUnknown;
        return dcerpc::Ndr20Syntax();  // a transfer syntax as interface
      default: {
        iface = Iface::kUnknown;
        dcerpc::SyntaxId s;
        s.uuid.time_low = in_.ConsumeIntegral<std::uint32_t>();
        s.major = in_.ConsumeIntegral<std::uint16_t>();
        return s;
      }
    }
  }

  dcerpc::SyntaxId PickTransfer() {
    switch (in_.ConsumeIntegralInRange<int>(0, 4)) {
      case 0:
      case 1:
        return dcerpc::Ndr20Syntax();
      case 2:
        return dcerpc::Ndr64Syntax();
      case 3:
        return dcerpc::BindTimeFeatureSyntax(in_.ConsumeIntegral<std::uint16_t>());
      default: {
        auto s = dcerpc::Ndr20Syntax();
        s.major = in_.ConsumeIntegral<std::uint16_t>();  // NDR20 in a version nobody has
        return s;
      }
    }
  }

  Bytes BindBytes(PacketType type) {
    dcerpc::BindPdu bind;
    bind.max_xmit_frag = in_.ConsumeIntegral<std::uint16_t>();
    bind.max_recv_frag =
        in_.ConsumeBool() ? dcerpc::kDefaultFragSize : in_.ConsumeIntegral<std::uint16_t>();
    bind.assoc_group_id = in_.ConsumeBool() ? 0 : in_.ConsumeIntegral<std::uint32_t>();
    int contexts = in_.ConsumeIntegralInRange<int>(0, 4);
    for (int i = 0; i < contexts; ++i) {
      dcerpc::PresentationContext c;
      c.context_id = in_.ConsumeIntegralInRange<std::uint16_t>(0, 3);
      Iface iface;
      c.abstract_syntax = PickAbstract(iface);
      int transfers = in_.ConsumeIntegralInRange<int>(0, 3);
      for (int t = 0; t < transfers; ++t) c.transfer_syntaxes.push_back(PickTransfer());
      m_.contexts[c.context_id] = iface;
      bind.contexts.push_back(std::move(c));
    }
    return dcerpc::EncodeBind(type, PickCallId(), bind);
  }

  void Bind(PacketType type) { Deliver(BindBytes(type)); }

  ndr::ContextHandle PickHandle() {
    if (!m_.handles.empty() && in_.ConsumeIntegralInRange<int>(0, 3) != 0) {
      return m_.handles[in_.ConsumeIntegralInRange<std::size_t>(0, m_.handles.size() - 1)];
    }
    ndr::ContextHandle h;
    h.attributes = in_.ConsumeIntegralInRange<std::uint32_t>(0, 1);
    h.uuid.time_low = in_.ConsumeIntegral<std::uint32_t>();
    return h;
  }

  // Stub data for `opnum` of `iface`: well formed (what a client's proxy
  // sends) or, one time in four, bytes of the input.
  Bytes Stub(Iface iface, std::uint16_t opnum) {
    if (iface == Iface::kUnknown || in_.ConsumeIntegralInRange<int>(0, 3) == 0) {
      return in_.ConsumeBytes<std::uint8_t>(in_.ConsumeIntegralInRange<std::size_t>(0, 96));
    }
    ndr::Encoder e;
    if (iface == Iface::kCounter) {
      switch (opnum) {
        case 0:
          e.Write(in_.ConsumeIntegral<std::uint64_t>());
          break;
        case 1:
          e.WriteContextHandle(PickHandle());
          e.Write(in_.ConsumeIntegral<std::uint32_t>());
          break;
        case 2:
          e.WriteContextHandle(PickHandle());
          break;
        default:
          e.Write(in_.ConsumeIntegral<std::int32_t>());
          break;
      }
      return e.Take();
    }
    switch (opnum) {
      case 0:  // Sum(small, short, long, hyper, float, double)
        e.Write(in_.ConsumeIntegral<std::int8_t>());
        e.Write(in_.ConsumeIntegral<std::int16_t>());
        e.Write(in_.ConsumeIntegral<std::int32_t>());
        e.Write(in_.ConsumeIntegral<std::int64_t>());
        e.Write(in_.ConsumeFloatingPoint<float>());
        e.Write(in_.ConsumeFloatingPoint<double>());
        break;
      case 1: {  // SumArray(count, values[count]): the one that fragments
        auto count = in_.ConsumeIntegralInRange<std::uint32_t>(0, 4000);
        std::vector<std::int32_t> values(count);
        auto seed = in_.ConsumeIntegral<std::int32_t>();
        for (std::uint32_t i = 0; i < count; ++i) values[i] = seed ^ static_cast<std::int32_t>(i);
        e.Write(static_cast<std::int32_t>(in_.ConsumeBool() ? count : count + 1));
        e.WriteConformantArray<std::int32_t>(values);
        break;
      }
      case 2:
      case 5: {  // Greet / MaybeLength: a wide string
        std::string text = in_.ConsumeRandomLengthString(64);
        if (opnum == 5 && !e.WriteUniquePointer(in_.ConsumeBool())) break;
        e.WriteWideString(std::u16string(text.begin(), text.end()));
        break;
      }
      case 3:
      case 4: {  // ScalePoint(Point) / Increment(long, Point)
        if (opnum == 4) e.Write(in_.ConsumeIntegral<std::int32_t>());
        e.Align(8);
        e.Write(in_.ConsumeIntegral<std::int32_t>());
        e.Write(in_.ConsumeIntegral<std::int32_t>());
        e.Write(in_.ConsumeIntegral<std::int16_t>());
        e.Write(in_.ConsumeIntegral<std::int64_t>());
        break;
      }
      default:  // Fail(status) and opnums past the table
        e.Write(in_.ConsumeIntegral<std::int32_t>());
        break;
    }
    return e.Take();
  }

  void Request(bool piecewise) {
    std::uint16_t context_id = in_.ConsumeIntegralInRange<std::uint16_t>(0, 3);
    auto known = m_.contexts.find(context_id);
    Iface iface = known != m_.contexts.end() ? known->second : Iface::kUnknown;
    std::uint16_t opnum = in_.ConsumeIntegralInRange<std::uint16_t>(0, 8);
    std::optional<alpaca::Uuid> object;
    if (in_.ConsumeIntegralInRange<int>(0, 7) == 0) {
      object.emplace();
      object->time_low = in_.ConsumeIntegral<std::uint32_t>();
    }
    Bytes stub = Stub(iface, opnum);
    // Fragment sizes below the minimum are the client's right; above the
    // server's max_recv_frag they are a violation.
    auto max_frag = in_.ConsumeBool() ? dcerpc::kMinFragSize
                                      : in_.ConsumeIntegralInRange<std::uint16_t>(48, 9000);
    std::uint32_t call_id = PickCallId();
    m_.call_kinds[call_id] = {iface, opnum};
    auto fragments =
        dcerpc::BuildRequestFragments(call_id, context_id, opnum, object, stub, max_frag);
    if (in_.ConsumeIntegralInRange<int>(0, 7) == 0) {
      // alloc_hint (bytes 16..19) is advisory: a lie must not matter.
      auto hint = in_.ConsumeIntegral<std::uint32_t>();
      for (int i = 0; i < 4; ++i)
        fragments.front()[16 + i] = static_cast<std::uint8_t>(hint >> (8 * i));
    }
    if (!piecewise) {
      for (auto& f : fragments) {
        if (sink_->closed) break;
        Deliver(std::move(f));
      }
      return;
    }
    // The first fragment now; the rest when the script says (other PDUs,
    // cancels and calls may come in between).
    Deliver(std::move(fragments.front()));
    m_.pending_fragments.assign(std::make_move_iterator(fragments.begin() + 1),
                                std::make_move_iterator(fragments.end()));
  }

  void SendPending(bool all) {
    std::size_t n =
        all ? m_.pending_fragments.size() : std::min<std::size_t>(1, m_.pending_fragments.size());
    for (std::size_t i = 0; i < n && !sink_->closed; ++i) Deliver(m_.pending_fragments[i]);
    m_.pending_fragments.erase(m_.pending_fragments.begin(), m_.pending_fragments.begin() + n);
  }

  // Bytes of the input, behind a header that passes ParseHeader one time in
  // two.
  void Garbage() {
    Bytes b = in_.ConsumeBytes<std::uint8_t>(in_.ConsumeIntegralInRange<std::size_t>(16, 256));
    if (b.size() < 16) return;
    if (in_.ConsumeBool()) {
      b[0] = 5;
      b[1] = 0;
      b[4] = 0x10;
      b[5] = b[6] = b[7] = 0;
      b[8] = static_cast<std::uint8_t>(b.size());
      b[9] = static_cast<std::uint8_t>(b.size() >> 8);
    }
    Framed(std::move(b));
  }

  // Delivers `b` as the TCP transport would cut it out of the stream: what
  // its frag_length says (zeros standing in for bytes the peer sends next),
  // or, when framing is broken, nothing: the transport closes.
  void Framed(Bytes b) {
    std::uint16_t frag_length = 0;
    if (b.size() < dcerpc::kCommonHeaderSize ||
        dcerpc::PeekFragLength(std::span<const std::uint8_t, dcerpc::kCommonHeaderSize>(
                                   b.data(), dcerpc::kCommonHeaderSize),
                               frag_length)) {
      transport_closed_ = true;
      return;
    }
    b.resize(frag_length, 0);
    Deliver(std::move(b));
  }

  // A well-formed bind or request with a few bytes overwritten.
  void Mutated() {
    Bytes b;
    if (in_.ConsumeBool()) {
      b = BindBytes(m_.max_xmit_frag ? PacketType::kAlterContext : PacketType::kBind);
    } else {
      std::uint16_t context_id = in_.ConsumeIntegralInRange<std::uint16_t>(0, 3);
      auto known = m_.contexts.find(context_id);
      std::uint16_t opnum = in_.ConsumeIntegralInRange<std::uint16_t>(0, 6);
      Bytes stub = Stub(known != m_.contexts.end() ? known->second : Iface::kUnknown, opnum);
      dcerpc::RequestPdu r;
      r.alloc_hint = static_cast<std::uint32_t>(stub.size());
      r.context_id = context_id;
      r.opnum = opnum;
      r.stub = stub;
      std::uint32_t call_id = PickCallId();
      b = dcerpc::EncodeRequest(call_id, in_.ConsumeIntegral<std::uint8_t>(), r);
    }
    int edits = in_.ConsumeIntegralInRange<int>(1, 4);
    for (int i = 0; i < edits; ++i) {
      std::size_t at = in_.ConsumeIntegralInRange<std::size_t>(0, b.size() - 1);
      b[at] = in_.ConsumeIntegral<std::uint8_t>();
    }
    Framed(std::move(b));
  }

  void Deliver(Bytes message) {
    if (sink_->closed || transport_closed_) return;  // the transport reads no more
    if (!ReadyForMessage(*conn_)) {
      // The transport stops reading until the calls in flight finish; a
      // handler that is not ready with none in flight would stall forever.
      RunQueued(SIZE_MAX);
      CHECK(ReadyForMessage(*conn_));
    }
    RecordSent(m_, message);
    conn_->OnMessage(std::move(message));
  }

  void RunQueued(std::size_t n) {
    while (n-- > 0 && !queue_->empty()) {
      auto fn = std::move(queue_->front());
      queue_->pop_front();
      fn();
    }
  }

  FuzzedDataProvider& in_;
  std::shared_ptr<rpc::ServerCore> core_;
  std::shared_ptr<RecordingSink> sink_ = std::make_shared<RecordingSink>();
  std::shared_ptr<std::deque<std::function<void()>>> queue_ =
      std::make_shared<std::deque<std::function<void()>>>();
  std::shared_ptr<rpc::ServerConnection> conn_;
  Model m_;
  bool transport_closed_ = false;  // framing broken: the transport closed
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  // A fresh core per input: admission counts and association groups from
  // one run must not leak into the next.
  auto core = std::make_shared<rpc::ServerCore>();
  core->interfaces.push_back(alpaca::rpc::testing::AlpacaTestRegistration());
  core->interfaces.push_back(CounterRegistration());
  // Small enough that fragmented requests reach the limit.
  core->max_call_bytes = 12 * 1024;
  core->call_limits.max_allocation = 4 * core->max_call_bytes;  // as Server does
  core->max_concurrent_calls = 4;
  bool inline_calls = in.ConsumeBool();
  Session(in, core, inline_calls).Run();
  return 0;
}
