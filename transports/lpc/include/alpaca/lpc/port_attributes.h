// Value types that configure ports: limits (the NtCreatePort arguments),
// security (who may connect), connect options, and what NtQueryInformationPort
// reports.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "alpaca/lpc/port_message.h"

namespace alpaca::lpc {

using Clock = std::chrono::steady_clock;
// An absent timeout waits forever; a zero timeout polls.
using Timeout = std::optional<std::chrono::nanoseconds>;

// Limits of a connection port, fixed at creation (NtCreatePort's
// MaxConnectInfoLength, MaxMessageLength, MaxPoolUsage), plus the bounds
// alpaca adds because section data can be far larger than NT's.
struct PortAttributes {
  size_t max_connect_info_length = 256;
  // Largest inline data; at most PortMessage::kMaxInlineData.
  size_t max_message_length = PortMessage::kMaxInlineData;
  // Per client: bytes of section memory it may make the server map (its
  // connection view) plus the data of requests the server holds and has not
  // answered yet. A client past it gets kQuotaExceeded and the server keeps
  // its memory.
  size_t max_pool_usage = size_t{128} << 20;
  // Largest single message carried through a section.
  size_t max_data_length = size_t{256} << 20;
  // Connected clients at once; further connects are refused with kQuotaExceeded.
  size_t max_clients = 4096;
  // Connected plus pending clients of one uid: a single local user cannot
  // take every connection (and, at one descriptor each, the server's
  // descriptors) from the others. Over it: kQuotaExceeded.
  size_t max_clients_per_uid = 1024;
  // Connections that connected a socket but have not yet sent their request.
  size_t max_pending_connections = 128;
  // Shares of that table, so that callers who cannot be served (or one uid
  // that connects and stays silent) cannot fill it for everyone: at most this
  // many pending connections per allowed uid, and this many in all from
  // callers the port's security (or max_clients) already refused. Callers
  // over their share are refused with kQuotaExceeded at once.
  size_t max_pending_per_uid = 16;
  size_t max_refused_pending = 16;
  // The connect handshake: a client sends its request right after connect();
  // one that has said nothing by then is disconnected.
  std::chrono::milliseconds pending_connection_timeout{1000};
  // A client's streamed view (a large message written while the server
  // copies it out) must be complete within this plus its length at 64 MiB/s,
  // or the client is cut off. No server thread waits for it meanwhile.
  std::chrono::milliseconds stream_grace{1000};
};

// Who may connect (checked on every connect against the kernel's view of the
// caller). Root is not special: list uid 0 if it should be allowed.
struct PortSecurity {
  uid_t owner = static_cast<uid_t>(-1);  // -1: the creating process's euid
  bool allow_owner = true;
  bool allow_everyone = false;
  std::vector<uid_t> allowed_uids;
  std::vector<gid_t> allowed_gids;  // matched against the caller's primary gid
};

struct ConnectOptions {
  // Size of the connection section (both halves); 0 for none. Data longer
  // than the inline limit then goes through per-message sections.
  size_t section_size = size_t{1} << 20;
  Timeout timeout = std::chrono::seconds(30);
  // Let the server read/write buffers declared in requests
  // (NtReadRequestData / NtWriteRequestData): the server is named with
  // PR_SET_PTRACER and told at connect. Without it those calls fail with
  // kAccessDenied and the connection costs the server one descriptor.
  bool allow_server_memory_access = false;
  // NtSecureConnectPort's RequiredServerSid: refuse (kAccessDenied) a server
  // not running as this uid, checked before any connect info is sent. Unset:
  // in the default namespace, the uid that owns it (see port_name.h).
  std::optional<uid_t> required_server_uid;
  // Largest message the client accepts from the server through a section.
  size_t max_receive_length = size_t{1} << 30;
};

// NtQueryInformationPort for either end of a connection.
struct PortInformation {
  ClientIdentity peer;  // the other end as the kernel reports it
  size_t max_message_length = 0;
  size_t max_connect_info_length = 0;
  size_t section_size = 0;  // whole connection section; 0 if none
  uint64_t messages_sent = 0;
  uint64_t messages_received = 0;
  uint64_t section_messages = 0;        // carried in the connection section
  uint64_t large_section_messages = 0;  // carried in a per-message section
  size_t pool_usage = 0;                // server side: current MaxPoolUsage charge
  size_t connected_clients = 0;         // connection port only
  size_t pending_connections = 0;       // connection port only: accepted, request not yet read
  uint64_t accept_failures = 0;         // connection port only: failed accept() calls
  uint64_t stream_waits = 0;            // connection port only: sleeps awaiting streamed data
  size_t parked_streams = 0;            // connection port only: streamed views awaiting data
};

}  // namespace alpaca::lpc
