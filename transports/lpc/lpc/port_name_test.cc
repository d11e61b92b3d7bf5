// Port names and the namespace directory: the default locations when
// ALPACA_LPC_DIR is not set, and the refusal of a squatted default
// namespace under /tmp (someone created it first to impersonate ports).
#include "alpaca/lpc/port_name.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "alpaca/lpc/connection_port.h"
#include "alpaca/lpc/status.h"

namespace alpaca::lpc {
namespace {

// Runs `fn` in a child process as `nobody` with a clean environment and
// returns its exit status.
template <typename Fn>
int AsNobody(Fn fn) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::unsetenv("ALPACA_LPC_DIR");
    ::unsetenv("XDG_RUNTIME_DIR");
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(100);
    ::_exit(fn());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(PortName, MapsNtNamesIntoTheNamespace) {
  ::setenv("ALPACA_LPC_DIR", "/tmp/alpaca-port-name-test", 1);
  ResolvedPortName r;
  ASSERT_FALSE(ResolvePortName("calc", r));
  EXPECT_EQ(r.nt_name, "\\RPC Control\\calc");
  EXPECT_EQ(r.socket_path, "/tmp/alpaca-port-name-test/RPC Control/calc");
  ASSERT_FALSE(ResolvePortName("\\BaseNamedObjects\\x", r));
  EXPECT_EQ(r.socket_path, "/tmp/alpaca-port-name-test/BaseNamedObjects/x");
  for (const char* bad : {"", "a\\..\\b", "a/b", "\\\\x", "ctl\x01"}) {
    EXPECT_EQ(ResolvePortName(bad, r), Status::kObjectNameInvalid) << bad;
  }
  EXPECT_EQ(ResolvePortName(std::string(200, 'n'), r), Status::kObjectNameInvalid);
}

TEST(PortName, DefaultNamespaceDirectories) {
  const char* saved = std::getenv("ALPACA_LPC_DIR");
  std::string keep = saved ? saved : "";
  ::unsetenv("ALPACA_LPC_DIR");
  if (::geteuid() == 0) {
    EXPECT_EQ(NamespaceDirectory(), "/run/alpaca");
  }
  ::setenv("ALPACA_LPC_DIR", "/somewhere", 1);
  EXPECT_EQ(NamespaceDirectory(), "/somewhere");
  if (!keep.empty()) ::setenv("ALPACA_LPC_DIR", keep.c_str(), 1);
  if (::geteuid() != 0) GTEST_SKIP() << "the rest needs root (CI runs as root)";
  // Others default to $XDG_RUNTIME_DIR/alpaca, else /tmp/alpaca-<uid>.
  EXPECT_EQ(AsNobody([] { return NamespaceDirectory() == "/tmp/alpaca-65534" ? 0 : 1; }), 0);
}

TEST(PortName, SquattedDefaultNamespaceIsRefused) {
  if (::geteuid() != 0) GTEST_FAIL() << "needs root to squat and to run a child as nobody";
  const std::filesystem::path dir = "/tmp/alpaca-65534";
  std::filesystem::remove_all(dir);
  // Root got there first and left it writable for all: nobody must refuse it.
  ASSERT_TRUE(std::filesystem::create_directory(dir));
  ASSERT_EQ(::chmod(dir.c_str(), 0777), 0);
  auto create = [] {
    std::unique_ptr<ConnectionPort> port;
    auto ec = ConnectionPort::Create("squat-test", {}, {}, port);
    return ec == Status::kAccessDenied ? 10 : ec ? 11 : 0;
  };
  EXPECT_EQ(AsNobody(create), 10);
  // Without the squatter nobody makes (and owns) its own namespace.
  std::filesystem::remove_all(dir);
  EXPECT_EQ(AsNobody(create), 0);
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 65534u);
  EXPECT_EQ(st.st_mode & 022, 0u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace alpaca::lpc
