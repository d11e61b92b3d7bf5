// ncacn_unix_stream: DCE/RPC connection-oriented PDUs over a Unix stream
// socket (DCE 1.1's protocol sequence for local CO RPC), a transport of
// the seam (alpaca/transport) added without a change to the RPC core.
//
// Endpoint: an absolute socket path ("ncacn_unix_stream:[/run/calc.sock]"),
// or a name ("ncacn_unix_stream:[calc]") placed in the local port
// namespace, `<namespace dir>/unix/<name>` (lpc/port_name.h), whose
// ownership checks keep other users from squatting it. The network address
// must be empty or "localhost".
//
// Server: the socket is created mode 0600 (0666 when LocalSecurity lets
// others in); each accepted peer is checked against LocalSecurity by its
// kernel credentials (SO_PEERCRED) and refused otherwise, and a security
// callback sees them as CallContext::peer.local, as over ncalrpc. The
// name is claimed with a lock file beside the socket (as local ports are):
// a live server's is RPC_S_DUPLICATE_ENDPOINT, a socket a dead one left is
// replaced, and anything else at the path (a regular file) is never
// removed (RPC_S_DUPLICATE_ENDPOINT). Stop removes the socket if it is
// still ours. A peer the local security refuses is disconnected at once
// (logged at debug level); with 0600 sockets other uids cannot connect at
// all (ERROR_ACCESS_DENIED).
// Everything else (limits, flow control, handshake deadline) is
// co_stream's, as for ncacn_ip_tcp; peers are counted per uid.
//
// Client: connects within ClientOptions::connect_timeout; no endpoint
// mapper (an endpoint is required). With ClientOptions::local_server_uid
// set, the server's uid is checked (SO_PEERCRED) before the bind is sent.
#pragma once

#include "alpaca/transport/registry.h"

namespace alpaca::unix_stream {

inline constexpr char kProtseq[] = "ncacn_unix_stream";

// Adds ncacn_unix_stream to `registry`.
void Register(transport::TransportRegistry& registry);

}  // namespace alpaca::unix_stream
