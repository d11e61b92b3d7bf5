// Transports by protocol sequence name. A Server or Client uses the
// registry in its options, or the default one (alpaca::rpc links
// DefaultTransports(): ncacn_ip_tcp, ncalrpc, ncacn_unix_stream). To add a
// transport, copy the defaults and Add to the copy:
//
//   auto transports = std::make_shared<transport::TransportRegistry>(DefaultTransports());
//   transports->Add("ncacn_my_proto", server_side, client_side);
//   options.transports = transports;
//
// (DefaultTransports() is alpaca::default_transports' and each Register
// its transport's library: link those to build a registry this way.)
//
// An explicit object rather than static self-registration: registrars in
// static libraries are dropped by the linker unless whole-archived, their
// order is static-initialisation order, and a test could not leave a
// transport out. Immutable once shared (it is passed as a pointer to
// const), so lookups need no lock.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alpaca/transport/client.h"
#include "alpaca/transport/server.h"

namespace alpaca::transport {

class TransportRegistry {
 public:
  // Either side may be null (a client-only transport). Throws
  // std::invalid_argument for a protocol sequence already present.
  void Add(std::string protseq, std::shared_ptr<const ServerTransport> server,
           std::shared_ptr<const ClientTransport> client);
  // Null when nothing is registered for `protseq` (the caller reports
  // RPC_S_PROTSEQ_NOT_SUPPORTED).
  const ServerTransport* Server(std::string_view protseq) const;
  const ClientTransport* Client(std::string_view protseq) const;
  // Registration order.
  std::vector<std::string> Protseqs() const;
  std::vector<const ClientTransport*> Clients() const;

 private:
  struct Entry {
    std::string protseq;
    std::shared_ptr<const ServerTransport> server;
    std::shared_ptr<const ClientTransport> client;
  };
  const Entry* Find(std::string_view protseq) const;
  std::vector<Entry> entries_;
};

}  // namespace alpaca::transport
