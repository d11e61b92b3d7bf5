// conformance_client: calls every method of conformance.idl through the
// generated proxy and checks every result; exit status 0 only if all
// checks passed.
//   --binding B           the server ("ncalrpc:[x]", "ncacn_ip_tcp:host[port]")
//   --expect-protseq P    the transport the binding must end up on
//   --no-local-upgrade 1  keep a TCP binding to this host on TCP
//   --hold N              open N counters, print HOLDING, then sleep (the
//                         rundown test kills this process)
//   --live N              check that the server's live counters reach N
//                         (AwaitLiveCounters: the server waits, up to 20 s)
//                         and print the rundown count
//   --as-uid N            drop to uid/gid N first (the security tests)
//   --expect-denied 1     the server's security callback must refuse us
#include "conformance_client.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

using namespace conformance;

int failures = 0;

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                                   \
    }                                                                               \
  } while (0)

template <typename Fn>
std::uint32_t StatusOf(Fn fn) {
  try {
    fn();
  } catch (const alpaca::RpcError& e) {
    return e.Status();
  }
  return 0;
}

void Scalars(ConformanceClient& c) {
  CHECK(
      c.SumScalars(-100, -30000, 2000000000, 1ll << 40, 2.5f, 1000.75, true, 200, 'A', u'\u00e9') ==
      -100 - 30000 + 2000000000ll + (1ll << 40) + 2 + 1000 + 1 + 200 + 65 + 0xe9);
  BaseTypes b{
      -8,    250,    -16000, 65000, -2000000000, 4000000000u, -(1ll << 60), 0xfedcba9876543210ull,
      3.25f, -1e300, true,   0xab,  'z',         u'\u20ac',   0xdeadbeef};
  BaseTypes echo;
  c.EchoBase(b, echo);
  CHECK(echo == b);
  Size bigger = Size::SMALL;
  CHECK(c.NextColor(Color::GREEN, Size::SMALL, bigger) == Color::BLUE);
  CHECK(bigger == Size::HUGE);
  CHECK(c.NextColor(Color::BLUE, Size::HUGE, bigger) == Color::RED);
  CHECK(bigger == Size::SMALL);
  // A 16-bit enum value that does not fit is refused before sending.
  CHECK(StatusOf([&] { c.NextColor(static_cast<Color>(0x8000), Size::SMALL, bigger); }) ==
        alpaca::rpc::status::kEnumValueOutOfRange);
  Outer o{'q', {7, -9}, {{{1, 2}, {3, 4}}}, {{{1, 2, 3}, {4, 5, 6}}}, Color::GREEN};
  Outer oe;
  c.EchoOuter(o, oe);
  CHECK(oe == o);
}

void Arrays(ConformanceClient& c) {
  std::vector<std::int32_t> values;
  for (int i = 0; i < 5000; ++i) values.push_back(i * 3 - 7000);  // spans fragments
  std::int64_t expected = 0;
  for (auto v : values) expected += v;
  CHECK(c.SumArray(values) == expected);
  CHECK(c.SumArray({}) == 0);

  std::vector<std::uint8_t> data;
  c.Fill(300, 7, data);
  CHECK(data.size() == 300);
  bool ok = data.size() == 300;
  for (std::size_t k = 0; ok && k < data.size(); ++k)
    ok = data[k] == static_cast<std::uint8_t>(7 + k);
  CHECK(ok);
  // 16 MiB back through the section (or TCP fragments).
  c.Fill(16 << 20, 1, data);
  CHECK(data.size() == std::size_t{16} << 20);
  ok = data.size() == std::size_t{16} << 20;
  for (std::size_t k = 0; ok && k < data.size(); k += 4093)
    ok = data[k] == static_cast<std::uint8_t>(1 + k);
  CHECK(ok);

  Samples s;
  s.values = {1, 2, 3};
  s.count = 99;  // derived from values when marshalled
  c.ScaleSamples(s, 10);
  CHECK((s.values == std::vector<std::int32_t>{10, 20, 30, 10}));
  CHECK(s.count == 4);

  CHECK(c.SumWindow({1, 2, 3, 4}) == 10);

  Fixed f;
  f.slots = {5, 6, 7};
  f.name = "fifteen-chars!!";
  Fixed fe;
  c.EchoFixed(f, fe);
  CHECK(fe.slots == f.slots);
  CHECK(fe.used == 3);
  CHECK(fe.name == f.name);
  f.name = "sixteen-chars!!!";  // no room for the terminator in char[16]
  CHECK(StatusOf([&] { c.EchoFixed(f, fe); }) == alpaca::rpc::status::kInvalidBound);
  f.name = "ok";
  f.slots.assign(9, 1);  // more than slots[8]
  CHECK(StatusOf([&] { c.EchoFixed(f, fe); }) == alpaca::rpc::status::kInvalidBound);
}

void Strings(ConformanceClient& c) {
  std::optional<std::u16string> joined;
  CHECK(c.Concat("abc", u"\u00e9\u4e2d", joined) == 5);
  CHECK(joined && *joined == u"abc\u00e9\u4e2d");
  CHECK(c.Concat("", u"", joined) == 0);
  CHECK(joined && joined->empty());
  CHECK(c.MaybeLength(std::nullopt) == -1);
  CHECK(c.MaybeLength(std::string("four")) == 4);
  std::int32_t size = 4;
  std::u16string name;
  c.GetName(size, name);
  CHECK(name == u"conf");
  CHECK(size == 18);
  std::optional<std::string> all;
  CHECK(c.JoinAll({std::string("one"), std::nullopt, std::string("three")}, all) == 3);
  CHECK(all && *all == "one <null> three");
}

void Pointers_(ConformanceClient& c) {
  std::optional<std::int32_t> v = 21;
  c.Twice(v);
  CHECK(v && *v == 42);
  std::optional<std::int32_t> none;
  c.Twice(none);
  CHECK(!none);

  Pointers p;
  p.maybe = Inner{3, 1ll << 50};
  p.label = u"label";
  p.numbers = std::vector<std::int64_t>{1, -2, 3};
  Pointers pe;
  c.EchoPointers(p, pe);
  CHECK(pe.n == 3);  // derived from numbers on the way
  p.n = 3;
  CHECK(pe == p);
  Pointers empty;
  c.EchoPointers(empty, pe);
  CHECK(!pe.maybe && !pe.label && !pe.numbers && pe.n == 0);

  // A list of 40 nodes (within the decoder's nesting limit of 64).
  std::optional<Node> head;
  c.MakeList(40, head);
  std::int32_t length = 0;
  CHECK(c.ListSum(head, length) == 40 * 41 / 2);
  CHECK(length == 40);
  CHECK(c.ListSum(std::nullopt, length) == 0 && length == 0);
  std::optional<Node> none_list;
  c.MakeList(0, none_list);
  CHECK(!none_list);

  auto shared = std::make_shared<Inner>(Inner{1, 2});
  CHECK(c.SameObject(shared, shared));
  CHECK(!c.SameObject(shared, std::make_shared<Inner>(Inner{1, 2})));
  CHECK(!c.SameObject(nullptr, nullptr));
  FullPair pair{shared, shared};
  FullPair echo;
  bool aliased = false;
  c.EchoFull(pair, echo, aliased);
  CHECK(aliased);
  CHECK(echo.first && echo.first == echo.second && *echo.first == *shared);
  c.EchoFull({shared, nullptr}, echo, aliased);
  CHECK(!aliased && echo.first && !echo.second);
}

void Unions(ConformanceClient& c) {
  Tagged t;
  t.value.set_text(std::string("hello"));
  Tagged te;
  c.EchoTagged(t, te);
  CHECK(te.kind == 2);
  CHECK(te.value.text() && *te.value.text() && **te.value.text() == "hello");
  t.value.set_inner({9, 99});
  c.EchoTagged(t, te);
  CHECK(te.kind == 3 && te.value.inner() && *te.value.inner() == (Inner{9, 99}));
  t.value.set_empty(4);  // the arm with no data
  c.EchoTagged(t, te);
  CHECK(te.kind == 4 && te.value.value.index() == 3);
  CHECK(StatusOf([&] { t.value.set_empty(1); }) == alpaca::rpc::status::kInvalidTag);
  t.value.set_other(77, 2.5);  // the default arm
  c.EchoTagged(t, te);
  CHECK(te.kind == 77 && te.value.other() && *te.value.other() == 2.5);
  // A tag that does not match the arm held is refused before sending.
  t.value.tag = 1;
  CHECK(StatusOf([&] { c.EchoTagged(t, te); }) == alpaca::rpc::status::kInvalidTag);

  // Default-constructed unions hold their first arm and can be sent as
  // they are.
  Tagged fresh;
  c.EchoTagged(fresh, te);
  CHECK(te.kind == 1 && te.value.number() && *te.value.number() == 0);

  Value v;
  v.set_number(-5);
  Value ve;
  c.EchoValue(1, v, ve);
  CHECK(ve.number() && *ve.number() == -5);
  // The switch_is parameter must agree with the union's tag.
  CHECK(StatusOf([&] { c.EchoValue(2, v, ve); }) == alpaca::rpc::status::kInvalidTag);

  Small small;
  small.set_text(u"small");
  Small small_echo;
  c.EchoSmall(2, small, small_echo);
  CHECK(small_echo == small);
  // case(0xffffffff) selects the arm of tag -1 both ways.
  small.set_minus_one(7);
  CHECK(small.tag == -1);
  c.EchoSmall(-1, small, small_echo);
  CHECK(small_echo == small && small_echo.minus_one() != nullptr && *small_echo.minus_one() == 7);

  for (int k = 0; k < 3; ++k) {
    Shade s;
    if (k == 0) s.set_red(1);
    if (k == 1) s.set_green(0.5);
    if (k == 2) s.set_blue({4, 5});
    Shade se;
    c.EchoShade(s, se);
    CHECK(se == s);
  }
}

void Faults(ConformanceClient& c) {
  CHECK(c.Answer(false) == 42);
  CHECK(StatusOf([&] { c.Answer(true); }) == 0x80070057u);
  CHECK(StatusOf([&] { c.Fault(0x1c010003); }) == 0x1c010003u);
  CHECK(StatusOf([&] { c.Fault(5); }) == 5u);
  CHECK(c.Percent(100) == 100);
  // [range(0, 100)]: the server's stub refuses 101 before the method runs.
  // [range] is checked by the server's stub, as Windows does: RPC_X_INVALID_BOUND.
  CHECK(StatusOf([&] { c.Percent(101); }) == alpaca::rpc::status::kInvalidBound);
  CHECK(StatusOf([&] { c.Percent(-1); }) == alpaca::rpc::status::kInvalidBound);
  // An opnum past the table.
  CHECK(StatusOf([&] { c.Rpc().Call(200, {}); }) == alpaca::rpc::status::kNcaOpRangeError);
}

// An [out] bound that depends on an [in] value is refused before the
// method runs (not while encoding the reply after it): the refused call has
// no side effect on the server.
void RefusedBeforeRunning(ConformanceClient& c) {
  std::int32_t got = -1;
  std::vector<std::int64_t> ids;
  const std::int32_t ran = c.Reserve(2, got, ids);
  CHECK(got == 2 && ids.size() == 2);
  CHECK(StatusOf([&] { c.Reserve(-1, got, ids); }) == alpaca::rpc::status::kInvalidBound);
  CHECK(c.Reserve(8, got, ids) == ran + 1);  // the refused call did not count
  CHECK(got == 3 && ids.size() == 3);
  // An [out] buffer an [in] value sizes past the call's memory (the server
  // runs with max_call_memory 32 MiB): a few bytes must not buy a huge
  // reply. Refused as MS RPC refuses what it cannot allocate, and the
  // connection stays usable.
  std::vector<std::uint8_t> data;
  CHECK(StatusOf([&] { c.Fill((32 << 20) + 1, 1, data); }) ==
        alpaca::rpc::status::kNcaFaultRemoteNoMemory);
  c.Fill(3, 1, data);
  CHECK(data.size() == 3);
}

// Over ncalrpc, which way each message went is the transport's business,
// not the generated code's: up to 256 bytes inline, longer through the
// connection section (streamed through it as a ring when larger than it).
void MessagePaths(ConformanceClient& c) {
  if (c.Rpc().Protseq() != "ncalrpc") {
    CHECK(!c.Rpc().Paths());
    return;
  }
  auto sectioned = [&] {
    auto p = c.Rpc().Paths();
    CHECK(p.has_value());
    return p ? p->in_section + p->in_message_sections : 0;
  };
  auto sent = [&] { return c.Rpc().Paths()->sent; };
  std::uint64_t before = sectioned(), sent_before = sent();
  CHECK(c.Percent(42) == 42);  // request and reply both a few bytes: inline
  CHECK(sent() == sent_before + 1);
  CHECK(sectioned() == before);

  std::vector<std::uint8_t> data;
  c.Fill(200, 1, data);  // 204 bytes of stub data plus the header: still inline
  CHECK(sectioned() == before);
  c.Fill(300, 1, data);  // the reply no longer fits in 256 bytes
  CHECK(sectioned() == before + 1);
  std::vector<std::int32_t> values(4096, 1);
  CHECK(c.SumArray(values) == 4096);  // a 16 KiB request, a small reply
  CHECK(sectioned() == before + 2);
  c.Fill(16 << 20, 1, data);  // 16 MiB back, larger than the section
  CHECK(data.size() == std::size_t{16} << 20);
  CHECK(sectioned() == before + 3);
}

void Identity(ConformanceClient& c) {
  std::optional<std::string> protseq;
  std::int32_t pid = 0;
  std::uint32_t uid = 0, gid = 0;
  c.WhoAmI(protseq, pid, uid, gid);
  CHECK(protseq && *protseq == c.Rpc().Protseq());
  // The local transports report the kernel's view of the caller.
  if (c.Rpc().Protseq() == "ncalrpc" || c.Rpc().Protseq() == "ncacn_unix_stream") {
    CHECK(pid == static_cast<std::int32_t>(::getpid()));
    CHECK(uid == ::getuid());
    CHECK(gid == ::getgid());
  }
}

void Contexts(ConformanceClient& c, const std::string& binding,
              const alpaca::rpc::ClientOptions& options) {
  COUNTER a, b;
  c.OpenCounter(10, a);
  c.OpenCounter(100, b);
  CHECK(!a.IsNull() && !b.IsNull() && !(a == b));
  CHECK(c.Increment(a) == 11);
  CHECK(c.Increment(a) == 12);
  CHECK(c.Increment(b) == 101);
  COUNTER stale = a;
  c.CloseCounter(a);
  CHECK(a.IsNull());
  // A closed (or forged) handle faults; a NULL one is refused before sending.
  CHECK(StatusOf([&] { c.Increment(stale); }) == alpaca::rpc::status::kNcaFaultContextMismatch);
  CHECK(StatusOf([&] { c.Increment(a); }) == alpaca::rpc::status::kSsInNullContext);
  COUNTER forged(alpaca::ndr::ContextHandle{0, alpaca::Uuid::Random()});
  CHECK(StatusOf([&] { c.Increment(forged); }) == alpaca::rpc::status::kNcaFaultContextMismatch);
  c.CloseCounter(b);
  // A handle from another association (another client here, an earlier
  // connection after a reconnect) is refused by the proxy, not sent.
  ConformanceClient other(binding, options);
  COUNTER theirs;
  other.OpenCounter(1, theirs);
  std::string what;
  try {
    c.Increment(theirs);
  } catch (const alpaca::RpcError& e) {
    CHECK(e.Status() == alpaca::rpc::status::kNcaFaultContextMismatch);
    what = e.what();
  }
  CHECK(what.find("Increment: ") != std::string::npos &&
        what.find("not sent") != std::string::npos);
  CHECK(other.Increment(theirs) == 2);
  other.CloseCounter(theirs);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"conformance_client: checks conformance.idl against conformance_server"};
  std::string binding, expect;
  alpaca::rpc::ClientOptions options;
  int hold = -1, live = -1;
  long as_uid = -1;
  int expect_denied = 0, expect_refused = 0;
  std::string no_local_upgrade;
  app.add_option("--binding", binding, "string binding of the server")->required();
  app.add_option("--expect-protseq", expect, "protocol sequence the binding must choose");
  app.add_option("--no-local-upgrade", no_local_upgrade, "any value: never upgrade to ncalrpc");
  app.add_option("--hold", hold, "open this many counters and hold them until killed");
  app.add_option("--live", live, "wait until the server has this many live counters");
  app.add_option("--as-uid", as_uid, "switch to this uid (and gid) first");
  app.add_option("--expect-denied", expect_denied, "1: the security callback must refuse us");
  app.add_option("--expect-refused", expect_refused,
                 "1: connecting must fail with ERROR_ACCESS_DENIED");
  CLI11_PARSE(app, argc, argv);
  if (app.count("--no-local-upgrade") > 0)
    options.local_upgrade = alpaca::rpc::LocalUpgrade::kNever;
  if (as_uid >= 0 &&
      (::setgid(static_cast<gid_t>(as_uid)) != 0 || ::setuid(static_cast<uid_t>(as_uid)) != 0)) {
    std::perror("conformance_client: dropping privileges");
    return 1;
  }
  if (expect_refused) {
    std::uint32_t status = StatusOf([&] { ConformanceClient refused(binding, options); });
    std::printf("as uid %u: %s\n", ::getuid(),
                status == 0 ? "connected" : alpaca::rpc::status::Describe(status).c_str());
    return status == alpaca::rpc::status::kAccessDenied ? 0 : 1;
  }
  try {
    ConformanceClient c(binding, options);
    std::printf("%s -> %s\n", binding.c_str(), c.Rpc().Binding().c_str());
    std::fflush(stdout);
    if (!expect.empty()) CHECK(c.Rpc().Protseq() == expect);
    if (hold >= 0) {
      std::vector<COUNTER> held(static_cast<std::size_t>(hold));
      for (auto& h : held) c.OpenCounter(0, h);
      std::printf("HOLDING\n");
      std::fflush(stdout);
      for (;;) ::pause();  // until the test kills us
    }
    if (live >= 0) {
      std::int32_t rundowns = 0;
      const std::int32_t now = c.AwaitLiveCounters(live, rundowns);
      std::printf("LIVE %d RUNDOWNS %d\n", now, rundowns);
      return now == live ? 0 : 1;
    }
    if (expect_denied) {
      std::optional<std::string> protseq;
      std::int32_t pid = 0;
      std::uint32_t uid = 0, gid = 0;
      std::uint32_t status = StatusOf([&] { c.WhoAmI(protseq, pid, uid, gid); });
      std::printf("as uid %u: %s\n", ::getuid(),
                  status == 0 ? "accepted" : alpaca::rpc::status::Describe(status).c_str());
      return status == alpaca::rpc::status::kAccessDenied ? 0 : 1;
    }
    Identity(c);
    Scalars(c);
    Arrays(c);
    MessagePaths(c);
    Strings(c);
    Pointers_(c);
    Unions(c);
    Faults(c);
    RefusedBeforeRunning(c);
    Contexts(c, binding, options);
  } catch (const alpaca::RpcError& e) {
    std::fprintf(stderr, "conformance_client: unexpected RpcError: %s\n", e.what());
    return 1;
  }
  if (failures != 0) std::fprintf(stderr, "%d check(s) failed\n", failures);
  std::printf("conformance: %s\n", failures == 0 ? "all checks passed" : "FAILED");
  return failures == 0 ? 0 : 1;
}
