// Port names and the namespace directory they live in.
//
// NT port names are paths in the object namespace (`\RPC Control\calc`).
// alpaca maps them onto a runtime directory: `$ALPACA_LPC_DIR` when set,
// otherwise `/run/alpaca` for root and `$XDG_RUNTIME_DIR/alpaca` or
// `/tmp/alpaca-<uid>` for others. `\RPC Control\calc` becomes
// `<dir>/RPC Control/calc`, a Unix socket. A name without a leading `\` is
// placed under `\RPC Control\`, as ncalrpc endpoints are.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "alpaca/base/unique_fd.h"

namespace alpaca::lpc {

struct ResolvedPortName {
  std::string nt_name;      // canonical, e.g. "\RPC Control\calc"
  std::string socket_path;  // filesystem path of the connection socket
  std::string directory;    // folder that holds it
};

// The namespace root for this process (not created here).
std::string NamespaceDirectory();

// Validates and maps a port name; kObjectNameInvalid for empty components,
// "." or "..", '/', NUL, control characters, or a path too long for a Unix
// socket address.
std::error_code ResolvePortName(std::string_view name, ResolvedPortName& out);

// Creates `dir` and its parents (mode 0755: others may traverse to connect,
// the port's own security decides who is served).
std::error_code MakeDirectories(const std::string& dir);

// For the default namespace under /tmp (shared with everyone), refuses a
// directory chain from the namespace root down to `dir` that we do not own or
// that others may write: someone could have created it first to squat
// names. An explicit $ALPACA_LPC_DIR is the operator's choice and is trusted.
std::error_code CheckNamespaceOwnership(const std::string& dir);

// The client's side of the same rule, before it connects to a port in `dir`:
// in the default namespace, the root must belong to us or to root, and every
// directory from the root down to `dir` to the root's owner (or root) and be
// writable by no one else; else kAccessDenied (someone else created it to
// squat names, and would answer in the server's place). `owner` is the
// root's owner: the uid a server there must run as. An explicit
// $ALPACA_LPC_DIR is trusted and leaves `owner` empty.
std::error_code CheckNamespaceForClient(const std::string& dir, std::optional<uid_t>& owner);

// Claims the Unix socket path `socket_path` for a server that is about to
// bind it: whoever holds an flock() on `<socket_path>.lock` owns the name,
// so a live server's name is kObjectNameCollision, and a socket a dead one
// left behind is removed. Anything at the path that is not a socket is
// never removed (kObjectNameCollision). `lock` keeps the claim; its owner
// unlinks `<socket_path>.lock` before closing it when done.
std::error_code ClaimSocketName(const std::string& socket_path, UniqueFd& lock);

// Sets the mode of the socket we just bound at `path` through an O_PATH
// descriptor, after checking it is a socket of ours: a symlink swapped in
// for it cannot redirect the chmod. `bound` gets what was checked (its
// device and inode identify the socket later).
std::error_code SetOwnSocketMode(const std::string& path, mode_t mode, struct stat& bound);

}  // namespace alpaca::lpc
