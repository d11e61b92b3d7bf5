// A hostile local process (lpc_fd_attacker, a separate program, as uid 65534
// where that is the point) against a port server process (lpc_peer serve):
// passed descriptors whose close blocks, handed-off connections, sections
// the server must not map. The server must keep serving a good client.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "lpc_fixture.h"

namespace alpaca::lpc::testing {
namespace {

std::string AttackerPath() { return ALPACA_LPC_FD_ATTACKER_PATH; }

// Root is needed to run the attacker as another uid; CI runs as root.
#define REQUIRE_ROOT()                                                               \
  do {                                                                               \
    if (::geteuid() != 0) {                                                          \
      const char* skip = std::getenv("ALPACA_ALLOW_SKIP");                           \
      if (skip != nullptr && std::string(skip) == "1") GTEST_SKIP() << "needs root"; \
      GTEST_FAIL() << "needs root to run the attacker as another uid";               \
    }                                                                                \
  } while (0)

std::unique_ptr<ChildProcess> StartAttacker(std::vector<std::string> args) {
  args.insert(args.begin(), AttackerPath());
  return std::make_unique<ChildProcess>(args);
}

// A good client connects and is answered, each step bounded.
void ExpectServed(const std::string& name) {
  std::unique_ptr<ClientPort> port;
  ConnectOptions options;
  options.timeout = std::chrono::seconds(10);
  ASSERT_FALSE(ClientPort::Connect(name, Bytes("good"), options, port))
      << "a good client could not connect";
  PortMessage request, reply;
  request.SetData("good client");
  ASSERT_FALSE(port->RequestWaitReply(request, reply, std::chrono::seconds(10)))
      << "a good client was not answered";
  EXPECT_EQ(Text(reply.Data()), "good client");
}

std::string StatusText(Status status) { return std::to_string(static_cast<int>(status)); }

// Finding 1: a refused uid sends connect requests carrying sockets whose last
// close blocks; the server must neither receive them on a serving thread nor
// close them there. More requests than server threads: before the fix, every
// thread parked in tcp_close and the good client was never answered.
TEST_F(LpcTest, RefusedUidCannotParkWorkersWithBlockingDescriptors) {
  REQUIRE_ROOT();
  auto server = StartServer("fd-refused", {"--threads", "2"});  // owner-only
  auto attacker = StartAttacker(
      {"refused-linger", "--name", "fd-refused", "--count", "3", "--fds", "1", "--as-nobody"});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(attacker->WaitForLine("REPLY").value_or("none"),
              "REPLY " + std::to_string(i) + " " + StatusText(Status::kAccessDenied));
  }
  ASSERT_TRUE(attacker->WaitForLine("DONE"));
  ExpectServed("fd-refused");
  // The refused caller never reached the application.
  server->Kill(SIGTERM);
  while (auto line = server->ReadLine(std::chrono::seconds(5))) {
    EXPECT_EQ(line->find("uid=65534"), std::string::npos) << *line;
  }
}

// Finding 1, control buffer: more descriptors than the old receive buffer had
// room for, the blocking one last. The kernel dropped those that did not fit
// on the receiving worker, which then parked.
TEST_F(LpcTest, RefusedUidManyDescriptorsDoNotParkWorkers) {
  REQUIRE_ROOT();
  auto server = StartServer("fd-refused-many", {"--threads", "2"});
  auto attacker = StartAttacker({"refused-linger", "--name", "fd-refused-many", "--count", "3",
                                 "--fds", "40", "--as-nobody"});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(attacker->WaitForLine("REPLY").value_or("none"),
              "REPLY " + std::to_string(i) + " " + StatusText(Status::kAccessDenied));
  }
  ASSERT_TRUE(attacker->WaitForLine("DONE"));
  ExpectServed("fd-refused-many");
}

// Finding 1, admitted callers: descriptors on a frame (many, the blocking one
// past the eighth) cut the sender off without parking the worker that read it.
TEST_F(LpcTest, AllowedUidFrameDescriptorsDoNotParkWorkers) {
  REQUIRE_ROOT();
  auto server = StartServer("fd-frame", {"--threads", "2", "--allow-uid", "65534"});
  auto attacker = StartAttacker({"allowed-linger", "--name", "fd-frame", "--count", "3", "--fds",
                                 "20", "--kind", "frame", "--as-nobody"});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(attacker->WaitForLine("AFTER").value_or("none"),
              "AFTER " + std::to_string(i) + " " + StatusText(Status::kPortDisconnected));
  }
  ASSERT_TRUE(attacker->WaitForLine("DONE"));
  ExpectServed("fd-frame");
}

// Finding 1, admitted callers: a blocking socket offered as the connection
// section is refused, and closing it does not park the worker.
TEST_F(LpcTest, AllowedUidBlockingSectionDoesNotParkWorkers) {
  REQUIRE_ROOT();
  auto server = StartServer("fd-section", {"--threads", "2", "--allow-uid", "65534"});
  auto attacker = StartAttacker({"allowed-linger", "--name", "fd-section", "--count", "3", "--kind",
                                 "section", "--as-nobody"});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(attacker->WaitForLine("AFTER").value_or("none"),
              "AFTER " + std::to_string(i) + " " + StatusText(Status::kSectionError));
  }
  ASSERT_TRUE(attacker->WaitForLine("DONE"));
  ExpectServed("fd-section");
}

// Grows the host's huge page pool by one page for a test and restores it:
// the hugetlb attack needs a page the server can reserve when it maps.
class ExtraHugePage {
 public:
  ExtraHugePage() {
    original_ = Read();
    if (original_ < 0) return;
    Write(original_ + 1);
    grown_ = Read() == original_ + 1;
  }
  ~ExtraHugePage() {
    if (original_ >= 0) Write(original_);
  }
  bool Grown() const { return grown_; }

 private:
  static constexpr const char* kPath = "/proc/sys/vm/nr_hugepages";
  static long Read() {
    FILE* f = std::fopen(kPath, "r");
    if (f == nullptr) return -1;
    long value = -1;
    if (std::fscanf(f, "%ld", &value) != 1) value = -1;
    std::fclose(f);
    return value;
  }
  static void Write(long value) {
    FILE* f = std::fopen(kPath, "w");
    if (f == nullptr) return;
    std::fprintf(f, "%ld\n", value);
    std::fclose(f);
  }
  long original_ = -1;
  bool grown_ = false;
};

// Finding 6: a hugetlbfs memfd offered as the connection section is refused
// before it is mapped. Before the fix the server mapped it, the attacker took
// the page away and used up the pool, and the server died of SIGBUS.
TEST_F(LpcTest, HugetlbSectionIsRefused) {
  REQUIRE_ROOT();
  ExtraHugePage page;
  if (!page.Grown()) {
    const char* skip = std::getenv("ALPACA_ALLOW_SKIP");
    if (skip != nullptr && std::string(skip) == "1") GTEST_SKIP() << "no huge page to be had";
    GTEST_FAIL() << "could not add a huge page to the pool (/proc/sys/vm/nr_hugepages)";
  }
  auto server = StartServer("hugetlb", {"--threads", "2", "--allow-uid", "65534"});
  auto attacker = StartAttacker({"hugetlb-section", "--name", "hugetlb", "--as-nobody"});
  EXPECT_EQ(attacker->WaitForLine("CONNECT").value_or("none"),
            "CONNECT " + StatusText(Status::kSectionError));
  ASSERT_TRUE(attacker->WaitForLine("DONE"));
  ExpectServed("hugetlb");
  attacker.reset();  // gives the pages back before the pool shrinks
}

// Finding 11: identity is per connection, and the connection belongs to the
// identity that connected. A connected socket handed to a uid 65534 process
// is refused at its first frame (before the fix it was served as uid 0);
// the connector and its same-uid children are served.
TEST_F(LpcTest, HandedOffConnectionIsRefused) {
  REQUIRE_ROOT();
  auto server = StartServer("handoff", {"--threads", "2"});  // owner-only: root
  auto attacker = StartAttacker({"handoff", "--name", "handoff"});
  EXPECT_EQ(attacker->WaitForLine("CONNECT").value_or("none"), "CONNECT 0");
  EXPECT_EQ(attacker->WaitForLine("ROOT").value_or("none"), "ROOT 0");
  EXPECT_EQ(attacker->WaitForLine("CHILD_SAME").value_or("none"), "CHILD_SAME 0");
  EXPECT_EQ(attacker->WaitForLine("CHILD_NOBODY").value_or("none"),
            "CHILD_NOBODY " + StatusText(Status::kPortDisconnected));
  EXPECT_EQ(attacker->WaitForLine("PARENT_AFTER").value_or("none"),
            "PARENT_AFTER " + StatusText(Status::kPortDisconnected));
  ASSERT_TRUE(attacker->WaitForLine("DONE"));
  EXPECT_TRUE(server->WaitForLine("CLIENT_DIED"));
  ExpectServed("handoff");
}

// Finding 11: a process whose real and effective ids differ (a setuid
// program) is served as the effective ids it connected with.
TEST_F(LpcTest, SetuidLikeClientIsServedAsItsEffectiveIds) {
  REQUIRE_ROOT();
  auto server = StartServer("setuid-like", {"--threads", "2"});
  auto attacker = StartAttacker({"setuid-like", "--name", "setuid-like"});
  EXPECT_EQ(attacker->WaitForLine("CONNECT").value_or("none"), "CONNECT 0");
  EXPECT_EQ(attacker->WaitForLine("SETUID_LIKE").value_or("none"), "SETUID_LIKE 0");
  EXPECT_EQ(attacker->WaitForLine("SETUID_LIKE_LARGE").value_or("none"), "SETUID_LIKE_LARGE 0");
  ASSERT_TRUE(attacker->WaitForLine("DONE"));
  auto line = server->WaitForLine("CONNECT pid=");
  ASSERT_TRUE(line);
  EXPECT_NE(line->find("uid=0 gid=0"), std::string::npos) << *line;
}

// Finding 5: sections whose pages the client never allocated are refused,
// as the connection section and as a per-message section, so the server
// never allocates pages on its own account for a client's section. Before
// the fix both were mapped and the server paid for what it touched.
TEST_F(LpcTest, SparseSectionsAreRefused) {
  REQUIRE_ROOT();
  auto server = StartServer("sparse", {"--threads", "2", "--allow-uid", "65534"});
  auto attacker = StartAttacker({"sparse-sections", "--name", "sparse", "--as-nobody"});
  EXPECT_EQ(attacker->WaitForLine("CONNECT").value_or("none"),
            "CONNECT " + StatusText(Status::kSectionError));
  EXPECT_EQ(attacker->WaitForLine("SECTION_REQUEST").value_or("none"),
            "SECTION_REQUEST disconnected");
  ASSERT_TRUE(attacker->WaitForLine("DONE"));
  ExpectServed("sparse");
}

}  // namespace
}  // namespace alpaca::lpc::testing
