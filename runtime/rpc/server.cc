#include "alpaca/rpc/server.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>

#include "alpaca/lpc/status.h"
#include "alpaca/rpc/status.h"
#include "alpaca/rpc/string_binding.h"
#include "alpaca/tcp/listener.h"
#include "local_offer.h"
#include "lrpc_server.h"
#include "server_connection.h"

namespace alpaca::rpc {

struct Server::Endpoint {
  std::string protseq;
  std::uint16_t port = 0;  // ncacn_ip_tcp
  std::string name;        // ncalrpc
  std::unique_ptr<tcp::Listener> listener;
  std::unique_ptr<LrpcEndpoint> local;
  bool offered = false;  // a local offer file was published
};

ndr::Limits ServerOptions::CallLimits() const {
  ndr::Limits limits;
  // 4 * max_call_bytes, saturating: a huge max_call_bytes must not wrap to
  // a budget that refuses everything.
  const std::size_t derived = max_call_bytes > SIZE_MAX / 4 ? SIZE_MAX : 4 * max_call_bytes;
  limits.max_allocation = max_call_memory != 0 ? max_call_memory : derived;
  return limits;
}

Server::Server(ServerOptions options)
    : options_(std::move(options)), core_(std::make_shared<ServerCore>()) {
  core_->max_concurrent_calls = options_.max_concurrent_calls;
  core_->max_call_bytes = options_.max_call_bytes;
  core_->call_limits = options_.CallLimits();
  core_->max_calls_per_connection = std::max<std::size_t>(1, options_.max_calls_per_connection);
  core_->reassembly_budget = std::make_shared<dcerpc::ReassemblyBudget>(options_.reassembly_budget);
}

Server::~Server() { Stop(); }

void Server::UseProtseqEp(std::string_view protseq, std::string_view endpoint) {
  if (listening_) throw RpcError(status::kAlreadyListening);
  auto e = std::make_unique<Endpoint>();
  e->protseq = std::string(protseq);
  if (protseq == "ncalrpc") {
    if (endpoint.empty()) throw RpcError(status::kInvalidEndpointFormat, "ncalrpc needs a name");
    e->name = std::string(endpoint);
  } else if (protseq == "ncacn_ip_tcp") {
    if (!endpoint.empty() && endpoint != "0") {
      StringBinding b;
      b.protseq = "ncacn_ip_tcp";
      b.endpoint = std::string(endpoint);
      auto port = b.TcpPort();
      if (!port) throw RpcError(status::kInvalidEndpointFormat, std::string(endpoint));
      e->port = *port;
    }
  } else {
    throw RpcError(status::kProtseqNotSupported, std::string(protseq));
  }
  endpoints_.push_back(std::move(e));
}

void Server::RegisterInterface(InterfaceRegistration registration) {
  std::lock_guard lock(core_->mu);
  if (listening_) throw RpcError(status::kAlreadyListening, "RegisterInterface");
  for (const auto& r : core_->interfaces) {
    if (r.id == registration.id) throw RpcError(status::kAlreadyRegistered);
  }
  core_->interfaces.push_back(std::move(registration));
}

namespace {

// What RpcServerUseProtseqEp reports on Windows: an endpoint someone else
// holds is a duplicate; a malformed one is invalid; the rest cannot be
// created (no permission for a port below 1024, no such address, ...).
std::uint32_t EndpointFailure(const std::error_code& ec) {
  if (ec == std::errc::address_in_use || ec == lpc::Status::kObjectNameCollision) {
    return status::kDuplicateEndpoint;
  }
  if (ec == std::errc::invalid_argument || ec == lpc::Status::kObjectNameInvalid) {
    return status::kInvalidEndpointFormat;
  }
  return status::kCantCreateEndpoint;
}

}  // namespace

void Server::Listen() {
  if (listening_) throw RpcError(status::kAlreadyListening);
  if (endpoints_.empty()) throw RpcError(status::kNoProtseqs);
  try {
    for (auto& e : endpoints_) {
      if (e->protseq == "ncalrpc") {
        e->local = std::make_unique<LrpcEndpoint>(core_, e->name, options_);
        if (auto ec = e->local->Start()) {
          throw RpcError(EndpointFailure(ec),
                         "cannot listen on ncalrpc:[" + e->name + "]: " + ec.message());
        }
        continue;
      }
      tcp::ListenerOptions o;
      o.address = options_.tcp_address;
      o.port = e->port;
      o.io_threads = options_.io_threads;
      o.worker_threads = options_.worker_threads;
      o.idle_timeout = options_.idle_timeout;
      o.handshake_timeout = options_.handshake_timeout;
      o.max_connections = options_.max_connections;
      o.max_connections_per_address = options_.max_connections_per_address;
      o.max_queued_bytes = options_.max_queued_bytes_per_connection;
      // The factory needs the listener's executor, so it reads the listener
      // through a holder filled in once the listener exists (before Start).
      auto holder = std::make_shared<tcp::Listener*>(nullptr);
      auto core = core_;
      e->listener = std::make_unique<tcp::Listener>(
          o,
          [core, holder](std::shared_ptr<dcerpc::MessageSink> sink,
                         const dcerpc::PeerInfo& peer) -> std::shared_ptr<dcerpc::MessageHandler> {
            tcp::Listener* listener = *holder;
            return std::make_shared<ServerConnection>(core, std::move(sink), peer,
                                                      listener->GetExecutor(),
                                                      std::to_string(listener->Port()));
          });
      *holder = e->listener.get();
      if (auto ec = e->listener->Start()) {
        throw RpcError(EndpointFailure(ec),
                       "cannot listen on port " + std::to_string(e->port) + ": " + ec.message());
      }
    }
  } catch (...) {
    for (auto& e : endpoints_) {
      if (e->listener) e->listener->Stop();
      if (e->local) e->local->Stop();
      e->listener.reset();
      e->local.reset();
    }
    throw;
  }
  listening_ = true;
  if (options_.offer_local_upgrade) PublishLocalOffers();
}

void Server::PublishLocalOffers() {
  const Endpoint* local = nullptr;
  for (const auto& e : endpoints_) {
    if (e->local) {
      local = e.get();
      break;
    }
  }
  if (local == nullptr) return;
  LocalOffer offer;
  offer.pid = static_cast<std::int32_t>(::getpid());
  offer.endpoint = local->name;
  offer.interfaces = Interfaces();
  for (auto& e : endpoints_) {
    if (!e->listener) continue;
    // Best effort: without the offer, local clients simply use TCP.
    e->offered = !PublishLocalOffer(e->listener->Port(), offer);
  }
}

void Server::Stop() {
  if (!listening_) return;
  listening_ = false;
  for (auto& e : endpoints_) {
    if (e->offered) WithdrawLocalOffer(e->listener->Port());
    e->offered = false;
    if (e->listener) e->listener->StopAccepting();
    if (e->local) e->local->StopAccepting();
  }
  {
    // Refuse new calls, let the running ones finish.
    std::unique_lock lock(core_->mu);
    core_->stopping = true;
    core_->idle.wait_for(lock, options_.stop_grace, [&] { return core_->active_calls == 0; });
  }
  for (auto& e : endpoints_) {
    if (e->listener) e->listener->Stop();
    if (e->local) e->local->Stop();
  }
  std::lock_guard lock(core_->mu);
  core_->stopping = false;
}

std::vector<std::uint16_t> Server::TcpPorts() const {
  std::vector<std::uint16_t> out;
  for (const auto& e : endpoints_) {
    if (e->protseq != "ncacn_ip_tcp") continue;
    out.push_back(e->listener ? e->listener->Port() : e->port);
  }
  return out;
}

std::vector<std::string> Server::LocalEndpoints() const {
  std::vector<std::string> out;
  for (const auto& e : endpoints_) {
    if (e->protseq == "ncalrpc") out.push_back(e->name);
  }
  return out;
}

std::vector<std::string> Server::Bindings() const {
  std::vector<std::string> out;
  for (const auto& e : endpoints_) {
    if (e->protseq == "ncalrpc") {
      out.push_back("ncalrpc:[" + e->name + "]");
    } else {
      std::uint16_t port = e->listener ? e->listener->Port() : e->port;
      out.push_back("ncacn_ip_tcp:" + options_.tcp_address + "[" + std::to_string(port) + "]");
    }
  }
  return out;
}

ServerStats Server::Stats() const {
  ServerStats out;
  for (const auto& e : endpoints_) {
    if (!e->listener) continue;
    tcp::ListenerStats t = e->listener->Stats();
    out.tcp_connections += t.connections;
    out.tcp_queued_bytes += t.queued_bytes;
    out.tcp_peak_queued_bytes = std::max(out.tcp_peak_queued_bytes, t.peak_queued_bytes);
    out.tcp_paused_connections += t.paused_connections;
    out.tcp_accept_errors += t.accept_errors;
    out.tcp_refused_connections += t.refused_connections;
    out.tcp_handshake_timeouts += t.handshake_timeouts;
  }
  out.reassembly_bytes = core_->reassembly_budget->Used();
  std::lock_guard lock(core_->mu);
  out.active_calls = core_->active_calls;
  return out;
}

std::vector<InterfaceId> Server::Interfaces() const {
  std::lock_guard lock(core_->mu);
  std::vector<InterfaceId> out;
  for (const auto& r : core_->interfaces) out.push_back(r.id);
  return out;
}

}  // namespace alpaca::rpc
