// lpc_identity_attacker — the hostile local processes of the identity tests
// (lpc_local_attacker_identity_test.cc) and the demo test: each a separate program, reporting
// on stdout one line per event so that the test orders everything on those
// lines, never on time.
//
//   lpc_identity_attacker fork-declare --name N --sender child|connector [--as-nobody]
//       connects, forks; the sender maps kAddress, declares 32 bytes there
//       (read and write) in a request and waits for its reply; the other
//       process keeps the connection open. Prints "SENDER <pid>",
//       "KEEPER <pid>" and, when the parent reaped a child sender,
//       "SENDER_REAPED".
//   lpc_identity_attacker recycle --pid P
//       forks until a child gets pid P (bounded); that child maps kAddress,
//       fills it with kSecret, prints "VICTIM <pid>" and waits to be killed
//       (it dies with the recycler). "RECYCLE_FAILED" when the bound is hit.
//   lpc_identity_attacker serve --uid U --name N [--squat-dir D]
//       as uid U, in U's default namespace (no XDG_RUNTIME_DIR), or after
//       creating D (0755) and serving there: a port server that accepts
//       everyone and replies "reply-from-<uid>". Prints "READY" or
//       "CREATE_FAILED <status>", then "HEARD connect|request" per event.
//   lpc_identity_attacker connect-as --uid U --name N
//       as uid U in its default namespace: connects, calls once; prints
//       "CONNECT <status>" and "REPLY <text or status>".
//   lpc_identity_attacker declare-huge --name N
//       connects and sends a request declaring a buffer of 2^62 bytes, then
//       "hello"; prints "REPLY <text or status>" and "REPLY2 ...".
//   lpc_identity_attacker hold-lock --path P
//       opens the existing file P read-only and flock()s it; prints
//       "LOCK OK" or "LOCK <errno text>", then waits to be killed.
#include "lpc_identity_attacker.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>

#include "alpaca/lpc/client_port.h"
#include "alpaca/lpc/connection_port.h"
#include "alpaca/lpc/status.h"

namespace lpc = alpaca::lpc;
using namespace alpaca::lpc::testing;

namespace {

void Say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

void DropToNobody() {
  if (::setgid(65534) != 0 || ::setuid(65534) != 0) {
    Say("DROP_FAILED");
    std::exit(3);
  }
}

// Maps kAddress (one page) holding `text`; exits on failure.
void MapAt(const char* text) {
  void* want = reinterpret_cast<void*>(kAddress);
  void* got = ::mmap(want, 4096, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (got != want) {
    Say("MAP_FAILED");
    std::_Exit(4);
  }
  std::memcpy(got, text, kSecretLength);
}

[[noreturn]] void WaitForever() {
  for (;;) ::pause();
}

int ForkDeclare(const std::string& name, const std::string& sender, bool nobody) {
  if (nobody) DropToNobody();
  lpc::ConnectOptions options;
  options.allow_server_memory_access = true;
  std::unique_ptr<lpc::ClientPort> port;
  if (auto ec = lpc::ClientPort::Connect(name, {}, options, port)) {
    Say("CONNECT_FAILED " + ec.message());
    return 1;
  }
  auto send = [&] {
    MapAt(kAttackerBytes);
    Say("SENDER " + std::to_string(::getpid()));
    lpc::PortMessage request, reply;
    request.SetData("rw");
    request.DeclareBuffer(std::span(reinterpret_cast<std::byte*>(kAddress), kSecretLength),
                          lpc::kDataRead | lpc::kDataWrite);
    (void)port->RequestWaitReply(request, reply);  // the test kills us while we wait
    std::_Exit(0);
  };
  std::fflush(stdout);
  pid_t child = ::fork();
  if (child < 0) {
    Say("FORK_FAILED");
    return 1;
  }
  if (sender == "child") {
    if (child == 0) send();
    Say("KEEPER " + std::to_string(::getpid()));
    int status = 0;
    ::waitpid(child, &status, 0);
    Say("SENDER_REAPED");
    WaitForever();
  }
  if (child == 0) {
    Say("KEEPER " + std::to_string(::getpid()));
    WaitForever();
  }
  send();
  return 0;
}

[[noreturn]] void BeVictim() {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  MapAt(kSecret);
  Say("VICTIM " + std::to_string(::getpid()));
  WaitForever();
}

int Recycle(pid_t target, char* self) {
  long pid_max = 4194304;
  std::ifstream("/proc/sys/kernel/pid_max") >> pid_max;
  char victim[] = "victim";
  char* victim_argv[] = {self, victim, nullptr};
  // vfork: a turn of the pid space costs no address-space copies. The child
  // that gets the target pid execs into the victim; the others just exit.
  // A few turns: other processes may hold the target for a while.
  for (long attempt = 0; attempt < 4 * pid_max; ++attempt) {
    pid_t child = ::vfork();
    if (child < 0) continue;  // EAGAIN under a process limit: try again
    if (child == 0) {
      if (::getpid() == target) ::execv(self, victim_argv);
      ::_exit(0);
    }
    int status = 0;
    ::waitpid(child, &status, 0);  // the victim returns only when killed
    if (child == target) return 0;
  }
  Say("RECYCLE_FAILED");
  return 1;
}

void BecomeUser(uid_t uid) {
  if (::setgid(uid) != 0 || ::setuid(uid) != 0) {
    Say("DROP_FAILED");
    std::exit(3);
  }
  // The default namespace of that user, as a login without a session has.
  ::unsetenv("XDG_RUNTIME_DIR");
  ::unsetenv("ALPACA_LPC_DIR");
}

int Serve(uid_t uid, const std::string& port_name, const std::string& squat_dir) {
  BecomeUser(uid);
  if (!squat_dir.empty()) {
    if (::mkdir(squat_dir.c_str(), 0755) != 0) {
      Say("MKDIR_FAILED " + std::string(std::strerror(errno)));
      return 1;
    }
    ::setenv("ALPACA_LPC_DIR", squat_dir.c_str(), 1);
  }
  lpc::PortSecurity security;
  security.allow_everyone = true;
  std::unique_ptr<lpc::ConnectionPort> port;
  if (auto ec = lpc::ConnectionPort::Create(port_name, {}, security, port)) {
    Say("CREATE_FAILED " + std::to_string(ec.value()));
    return 1;
  }
  Say("READY");
  lpc::ReceivedMessage in;
  lpc::PortMessage reply;
  while (!port->ReplyWaitReceive(in)) {
    if (in.message.Type() == lpc::MessageType::kConnectionRequest) {
      Say("HEARD connect");
      std::shared_ptr<lpc::ServerPort> client;
      (void)port->AcceptAndComplete(std::move(in.connection), {}, nullptr, client);
    } else if (in.message.Type() == lpc::MessageType::kRequest) {
      Say("HEARD request");
      reply.SetData("reply-from-" + std::to_string(::getuid()));
      (void)in.port->Reply(in.message, reply);
    }
    in.port.reset();
  }
  return 0;
}

int ConnectAs(uid_t uid, const std::string& port_name) {
  BecomeUser(uid);
  std::unique_ptr<lpc::ClientPort> port;
  auto ec = lpc::ClientPort::Connect(port_name, {}, {}, port);
  Say("CONNECT " + std::to_string(ec.value()));
  if (ec) return 0;
  lpc::PortMessage request, reply;
  request.SetData("hello");
  ec = port->RequestWaitReply(request, reply, std::chrono::seconds(20));
  Say("REPLY " +
      (ec ? std::to_string(ec.value())
          : std::string(reinterpret_cast<const char*>(reply.Data().data()), reply.DataSize())));
  return 0;
}

int DeclareHuge(const std::string& port_name) {
  lpc::ConnectOptions options;
  options.allow_server_memory_access = true;
  std::unique_ptr<lpc::ClientPort> port;
  if (auto ec = lpc::ClientPort::Connect(port_name, {}, options, port)) {
    Say("CONNECT_FAILED " + ec.message());
    return 1;
  }
  auto call = [&](const char* label, lpc::PortMessage& request) {
    lpc::PortMessage reply;
    auto ec = port->RequestWaitReply(request, reply, std::chrono::seconds(20));
    Say(std::string(label) + " " +
        (ec ? "status " + ec.message()
            : std::string(reinterpret_cast<const char*>(reply.Data().data()), reply.DataSize())));
  };
  // A real address, a length no process has: 2^62 bytes.
  char here = 0;
  lpc::DataInfoEntry entry;
  entry.address = reinterpret_cast<uintptr_t>(&here);
  entry.length = uint64_t{1} << 62;
  entry.access = lpc::kDataRead;
  lpc::PortMessage huge;
  huge.SetData("huge");
  huge.SetDataInfo(std::span(&entry, 1));
  call("REPLY", huge);
  lpc::PortMessage hello;
  hello.SetData("hello");
  call("REPLY2", hello);
  return 0;
}

int HoldLock(const std::string& path) {
  DropToNobody();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    Say("LOCK " + std::string(std::strerror(errno)));
  } else {
    Say("LOCK OK");
  }
  WaitForever();
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"alpaca local port identity attacker"};
  app.require_subcommand(1);
  std::string name, sender = "child", dir, port_name, path;
  bool nobody = false;
  pid_t target = 0;
  auto* fork_declare = app.add_subcommand("fork-declare", "declare buffers from a forked sender");
  fork_declare->add_option("--name", name)->required();
  fork_declare->add_option("--sender", sender);
  fork_declare->add_flag("--as-nobody", nobody);
  auto* recycle = app.add_subcommand("recycle", "fork until a pid comes back");
  recycle->add_option("--pid", target)->required();
  auto* victim = app.add_subcommand("victim", "the process that gets the pid (from recycle)");
  uid_t uid = 65534;
  auto* serve = app.add_subcommand("serve", "a port server as another uid");
  serve->add_option("--uid", uid)->required();
  serve->add_option("--name", port_name)->required();
  serve->add_option("--squat-dir", dir);
  auto* connect_as = app.add_subcommand("connect-as", "a port client as another uid");
  connect_as->add_option("--uid", uid)->required();
  connect_as->add_option("--name", port_name)->required();
  auto* declare_huge = app.add_subcommand("declare-huge", "declare a 2^62-byte buffer");
  declare_huge->add_option("--name", port_name)->required();
  auto* hold_lock = app.add_subcommand("hold-lock", "flock a file as nobody");
  hold_lock->add_option("--path", path)->required();
  CLI11_PARSE(app, argc, argv);
  if (fork_declare->parsed()) return ForkDeclare(name, sender, nobody);
  if (recycle->parsed()) return Recycle(target, argv[0]);
  if (victim->parsed()) BeVictim();
  if (serve->parsed()) return Serve(uid, port_name, dir);
  if (connect_as->parsed()) return ConnectAs(uid, port_name);
  if (declare_huge->parsed()) return DeclareHuge(port_name);
  return HoldLock(path);
}
