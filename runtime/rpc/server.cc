#include "alpaca/rpc/server.h"

#include <algorithm>
#include <cstdint>

#include "alpaca/default_transports/registry.h"
#include "alpaca/rpc/status.h"
#include "alpaca/rpc/string_binding.h"
#include "alpaca/transport/registry.h"
#include "server_connection.h"

namespace alpaca::rpc {

struct Server::Endpoint {
  std::string protseq;
  std::unique_ptr<transport::ServerEndpoint> transport;
};

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
  const transport::TransportRegistry& transports =
      options_.transports ? *options_.transports : DefaultTransports();
  const transport::ServerTransport* chosen = transports.Server(protseq);
  if (chosen == nullptr) throw RpcError(status::kProtseqNotSupported, std::string(protseq));
  auto e = std::make_unique<Endpoint>();
  e->protseq = std::string(protseq);
  e->transport = chosen->CreateEndpoint(endpoint, options_, core_);
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

void Server::Listen() {
  if (listening_) throw RpcError(status::kAlreadyListening);
  if (endpoints_.empty()) throw RpcError(status::kNoProtseqs);
  try {
    for (auto& e : endpoints_) e->transport->Start();
  } catch (...) {
    for (auto& e : endpoints_) e->transport->Stop();
    throw;
  }
  listening_ = true;
  if (options_.offer_local_upgrade) Advertise();
}

void Server::Advertise() {
  // Each endpoint is offered by the first other endpoint that can serve its
  // local clients better (an ncalrpc endpoint for a TCP port).
  std::vector<InterfaceId> interfaces = Interfaces();
  for (const auto& target : endpoints_) {
    StringBinding binding = target->transport->Binding();
    for (const auto& offerer : endpoints_) {
      if (offerer == target) continue;
      if (auto ad = offerer->transport->Advertise(binding, interfaces)) {
        advertisements_.push_back(std::move(ad));
        break;
      }
    }
  }
}

void Server::Stop() {
  if (!listening_) return;
  listening_ = false;
  advertisements_.clear();  // withdrawn before anything stops
  for (auto& e : endpoints_) e->transport->StopAccepting();
  {
    // Refuse new calls, let the running ones finish.
    std::unique_lock lock(core_->mu);
    core_->stopping = true;
    core_->idle.wait_for(lock, options_.stop_grace, [&] { return core_->active_calls == 0; });
  }
  for (auto& e : endpoints_) e->transport->Stop();
  std::lock_guard lock(core_->mu);
  core_->stopping = false;
}

std::vector<std::string> Server::Endpoints(std::string_view protseq) const {
  std::vector<std::string> out;
  for (const auto& e : endpoints_) {
    if (e->protseq == protseq) out.push_back(e->transport->Binding().endpoint);
  }
  return out;
}

std::vector<std::uint16_t> Server::TcpPorts() const {
  std::vector<std::uint16_t> out;
  for (const std::string& port : Endpoints("ncacn_ip_tcp")) {
    out.push_back(ParseTcpPort(port).value_or(0));
  }
  return out;
}

std::vector<std::string> Server::LocalEndpoints() const { return Endpoints("ncalrpc"); }

std::vector<std::string> Server::Bindings() const {
  std::vector<std::string> out;
  for (const auto& e : endpoints_) out.push_back(e->transport->Binding().Compose());
  return out;
}

ServerStats Server::Stats() const {
  ServerStats out;
  for (const auto& e : endpoints_) {
    auto t = e->transport->Stats();
    if (!t) continue;
    out.tcp_connections += t->connections;
    out.tcp_queued_bytes += t->queued_bytes;
    out.tcp_peak_queued_bytes = std::max(out.tcp_peak_queued_bytes, t->peak_queued_bytes);
    out.tcp_paused_connections += t->paused_connections;
    out.tcp_accept_errors += t->accept_errors;
    out.tcp_refused_connections += t->refused_connections;
    out.tcp_handshake_timeouts += t->handshake_timeouts;
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
