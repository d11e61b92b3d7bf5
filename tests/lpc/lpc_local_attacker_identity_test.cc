// A hostile local process against who-is-who: client memory reached through a
// recycled pid, squatted namespaces and lock files, lengths a client lies
// about. The attacker is always a separate program (lpc_identity_attacker),
// as uid 65534 where the uid is the point. Everything is ordered on the lines
// the processes print, never on time.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "alpaca/base/unique_fd.h"
#include "lpc_fixture.h"
#include "lpc_identity_attacker.h"

namespace alpaca::lpc::testing {
namespace {

// The uid tests switch uids themselves: they need root (CI runs as root).
// Off root they fail, unless the developer opts into a skip.
#define REQUIRE_ROOT()                                                               \
  do {                                                                               \
    if (::geteuid() != 0) {                                                          \
      const char* allow = std::getenv("ALPACA_ALLOW_SKIP");                          \
      if (allow != nullptr && std::string(allow) == "1") GTEST_SKIP() << "not root"; \
      GTEST_FAIL() << "needs root to run the attacker as nobody (CI runs as root)";  \
    }                                                                                \
  } while (0)

pid_t PidAfter(const std::string& line, const std::string& prefix) {
  return static_cast<pid_t>(std::stol(line.substr(prefix.size())));
}

// Finding 10: uid 65534 declares buffers from a process that is then killed,
// and its pid is recycled to a root process holding a secret at the declared
// address. The server must read and write nothing there.
void PidReuseReachesNothing(const std::string& name, const std::string& sender) {
  PortSecurity everyone;
  everyone.allow_everyone = true;
  std::unique_ptr<ConnectionPort> port;
  ASSERT_FALSE(ConnectionPort::Create(name, {}, everyone, port));
  ChildProcess attacker(
      {AttackerPath(), "fork-declare", "--name", name, "--sender", sender, "--as-nobody"});

  // The request arrives (the connection is accepted on the way: the
  // connector is alive and waiting then).
  ReceivedMessage request;
  for (;;) {
    ASSERT_FALSE(port->ReplyWaitReceive(request, std::chrono::seconds(20)));
    if (request.message.Type() == MessageType::kRequest) break;
    ASSERT_EQ(request.message.Type(), MessageType::kConnectionRequest);
    std::shared_ptr<ServerPort> client;
    ASSERT_FALSE(port->AcceptAndComplete(std::move(request.connection), {}, nullptr, client));
  }
  pid_t sender_pid = 0, keeper_pid = 0;
  while (sender_pid == 0 || keeper_pid == 0) {
    auto line = attacker.ReadLine();
    ASSERT_TRUE(line) << "attacker went quiet";
    if (line->rfind("SENDER ", 0) == 0) sender_pid = PidAfter(*line, "SENDER ");
    if (line->rfind("KEEPER ", 0) == 0) keeper_pid = PidAfter(*line, "KEEPER ");
    ASSERT_NE(line->rfind("SENDER", 0) == 0 || line->rfind("KEEPER", 0) == 0, false) << *line;
  }
  EXPECT_EQ(request.message.Sender().pid, sender_pid);
  EXPECT_EQ(request.message.Sender().uid, 65534u);

  // The sender dies with its request pending; the keeper holds the
  // connection open, so the server still has a connected port.
  ::kill(sender_pid, SIGKILL);
  if (sender == "child") {
    ASSERT_TRUE(attacker.WaitForLine("SENDER_REAPED"));
  } else {
    EXPECT_EQ(attacker.Wait(), 128 + SIGKILL);
  }
  struct KillKeeper {
    pid_t pid;
    ~KillKeeper() { ::kill(pid, SIGKILL); }
  } kill_keeper{keeper_pid};

  // A root process now holds the sender's pid, with a secret where the
  // attacker declared its buffer.
  ChildProcess recycler({AttackerPath(), "recycle", "--pid", std::to_string(sender_pid)});
  auto victim = recycler.ReadLine(std::chrono::seconds(100));
  ASSERT_TRUE(victim) << "no victim";
  ASSERT_EQ(*victim, "VICTIM " + std::to_string(sender_pid));
  ASSERT_TRUE(request.port->Connected());

  std::array<std::byte, kSecretLength> read{};
  auto read_ec = request.port->ReadRequestData(request.message, 0, 0, read);
  std::array<std::byte, kSecretLength> junk;
  junk.fill(std::byte{'X'});
  auto write_ec = request.port->WriteRequestData(request.message, 0, 0, junk);
  EXPECT_TRUE(read_ec) << "read through a recycled pid: " << Text(read);
  EXPECT_TRUE(write_ec) << "wrote through a recycled pid";
  EXPECT_NE(Text(read), std::string(kSecret, kSecretLength));

  // The victim's memory is as it was (we are root: look directly).
  std::array<char, kSecretLength> now{};
  iovec local{now.data(), now.size()};
  iovec remote{reinterpret_cast<void*>(kAddress), now.size()};
  ASSERT_EQ(::process_vm_readv(sender_pid, &local, 1, &remote, 1, 0),
            static_cast<ssize_t>(now.size()));
  EXPECT_EQ(std::string(now.data(), now.size()), std::string(kSecret, kSecretLength));
}

TEST_F(LpcTest, PidReuseOfAForkedSenderReadsAndWritesNothing) {
  REQUIRE_ROOT();
  PidReuseReachesNothing("reuse-child", "child");
}

TEST_F(LpcTest, PidReuseOfTheConnectorReadsAndWritesNothing) {
  REQUIRE_ROOT();
  PidReuseReachesNothing("reuse-connector", "connector");
}

// Finding 8: the default namespace of a user without XDG_RUNTIME_DIR is
// /tmp/alpaca-<uid>, which anyone can create first.
struct UserNamespace {
  // A uid no one here uses, so that its /tmp directory is ours to test with.
  uid_t uid = 61000 + static_cast<uid_t>(::getpid() % 1000);
  std::string dir = "/tmp/alpaca-" + std::to_string(uid);
  UserNamespace() { Remove(); }
  ~UserNamespace() { Remove(); }
  void Remove() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  std::string Uid() const { return std::to_string(uid); }
};

std::string StatusLine(const char* what, Status status) {
  return std::string(what) + " " + std::to_string(static_cast<int>(status));
}

TEST_F(LpcTest, SquattedNamespaceIsRefusedByClientsAndServers) {
  REQUIRE_ROOT();
  UserNamespace user;
  // uid 65534 creates the victim's namespace directory and serves its port
  // name there, ready to read calls and forge results.
  ChildProcess squatter(
      {AttackerPath(), "serve", "--uid", "65534", "--name", "calc", "--squat-dir", user.dir});
  ASSERT_EQ(squatter.ReadLine().value_or(""), "READY");

  ChildProcess client({AttackerPath(), "connect-as", "--uid", user.Uid(), "--name", "calc"});
  EXPECT_EQ(client.ReadLine().value_or(""), StatusLine("CONNECT", Status::kAccessDenied));
  EXPECT_EQ(client.Wait(), 0);
  // The victim's own server refuses the squatted directory too.
  ChildProcess server({AttackerPath(), "serve", "--uid", user.Uid(), "--name", "calc"});
  EXPECT_EQ(server.ReadLine().value_or(""), StatusLine("CREATE_FAILED", Status::kAccessDenied));

  // The squatter never heard from the client: all it said until killed.
  squatter.Kill(SIGKILL);
  while (auto line = squatter.ReadLine()) ADD_FAILURE() << "squatter: " << *line;
}

TEST_F(LpcTest, ClientsDemandTheNamespaceOwnerAsServer) {
  REQUIRE_ROOT();
  UserNamespace user;
  // The user's own server in its own namespace is reached.
  ChildProcess server({AttackerPath(), "serve", "--uid", user.Uid(), "--name", "calc"});
  ASSERT_EQ(server.ReadLine().value_or(""), "READY");
  {
    ChildProcess client({AttackerPath(), "connect-as", "--uid", user.Uid(), "--name", "calc"});
    EXPECT_EQ(client.ReadLine().value_or(""), "CONNECT 0");
    EXPECT_EQ(client.ReadLine().value_or(""), "REPLY reply-from-" + user.Uid());
  }
  // A port of another uid planted in that namespace (here by root, the only
  // other uid that can write there) is refused before anything is sent.
  PortSecurity everyone;
  everyone.allow_everyone = true;
  ::setenv("ALPACA_LPC_DIR", user.dir.c_str(), 1);
  auto planted = CreatePort("planted", {}, everyone);
  ::setenv("ALPACA_LPC_DIR", dir_.c_str(), 1);
  ASSERT_TRUE(planted);
  ChildProcess client({AttackerPath(), "connect-as", "--uid", user.Uid(), "--name", "planted"});
  EXPECT_EQ(client.ReadLine().value_or(""), StatusLine("CONNECT", Status::kAccessDenied));
  EXPECT_EQ(client.Wait(), 0);
  // Nothing reached the planted port (a connect would be waiting).
  ReceivedMessage nothing;
  EXPECT_EQ(planted->ReplyWaitReceive(nothing, std::chrono::seconds(0)), Status::kTimeout);
}

// Finding 9: the name belongs to whoever holds <socket>.lock. Another uid
// must not be able to hold it.
TEST_F(LpcTest, AnotherUidCannotHoldTheLockOfACrashedServer) {
  REQUIRE_ROOT();
  auto crashed = StartServer("locked");
  crashed->Kill(SIGKILL);
  ASSERT_EQ(crashed->Wait(), 128 + SIGKILL);
  std::string lock = dir_ + "/RPC Control/locked.lock";
  ASSERT_TRUE(std::filesystem::exists(lock));  // a crash leaves it behind

  ChildProcess holder({AttackerPath(), "hold-lock", "--path", lock});
  auto held = holder.ReadLine();
  ASSERT_TRUE(held);
  EXPECT_EQ(*held, "LOCK Permission denied");  // 0600: nobody cannot open it
  auto restarted = StartServer("locked");      // fails unless it prints READY
  std::unique_ptr<ClientPort> port;
  EXPECT_FALSE(ClientPort::Connect("locked", Bytes("x"), {}, port));
}

TEST_F(LpcTest, ALockFileOthersCanOpenIsReplaced) {
  REQUIRE_ROOT();
  // A lock file others can read, as older versions left them, opened and
  // held by uid 65534 before the server starts.
  std::string directory = dir_ + "/RPC Control";
  ASSERT_EQ(::mkdir(directory.c_str(), 0755), 0);
  std::string lock = directory + "/loose.lock";
  {
    UniqueFd file(::open(lock.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    ASSERT_TRUE(file);
    ASSERT_EQ(::fchmod(file.Get(), 0644), 0);  // whatever the umask
  }
  ChildProcess holder({AttackerPath(), "hold-lock", "--path", lock});
  ASSERT_EQ(holder.ReadLine().value_or(""), "LOCK OK");

  auto server = StartServer("loose");
  std::unique_ptr<ClientPort> port;
  EXPECT_FALSE(ClientPort::Connect("loose", Bytes("x"), {}, port));
  struct stat st {};
  ASSERT_EQ(::stat(lock.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // The server holds the new lock: a second one is a name collision.
  std::unique_ptr<ConnectionPort> second;
  EXPECT_EQ(ConnectionPort::Create("loose", {}, {}, second), Status::kObjectNameCollision);
}

// Finding 12: the example server trusted a declared buffer's length.
TEST_F(LpcTest, DemoServerRefusesAHugeDeclaredBuffer) {
  ChildProcess server({ALPACA_LPC_DEMO_SERVER_PATH, "--name", "demo", "--clients", "2"});
  ASSERT_TRUE(server.WaitForLine("server: listening"));
  ChildProcess attacker({AttackerPath(), "declare-huge", "--name", "demo"});
  auto reply = attacker.ReadLine();
  ASSERT_TRUE(reply) << "no reply: the server died?";
  EXPECT_EQ(reply->rfind("REPLY declared buffer of 4611686018427387904 bytes refused", 0), 0u)
      << *reply;
  EXPECT_EQ(attacker.ReadLine().value_or(""), "REPLY2 HELLO");  // still serving
  EXPECT_EQ(attacker.Wait(), 0);
}

}  // namespace
}  // namespace alpaca::lpc::testing
