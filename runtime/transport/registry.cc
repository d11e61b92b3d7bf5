#include "alpaca/transport/registry.h"

#include <stdexcept>

namespace alpaca::transport {

void TransportRegistry::Add(std::string protseq, std::shared_ptr<const ServerTransport> server,
                            std::shared_ptr<const ClientTransport> client) {
  if (Find(protseq) != nullptr) {
    throw std::invalid_argument("transport " + protseq + " is already registered");
  }
  entries_.push_back({std::move(protseq), std::move(server), std::move(client)});
}

const TransportRegistry::Entry* TransportRegistry::Find(std::string_view protseq) const {
  for (const auto& e : entries_) {
    if (e.protseq == protseq) return &e;
  }
  return nullptr;
}

const ServerTransport* TransportRegistry::Server(std::string_view protseq) const {
  const Entry* e = Find(protseq);
  return e != nullptr ? e->server.get() : nullptr;
}

const ClientTransport* TransportRegistry::Client(std::string_view protseq) const {
  const Entry* e = Find(protseq);
  return e != nullptr ? e->client.get() : nullptr;
}

std::vector<std::string> TransportRegistry::Protseqs() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.protseq);
  return out;
}

std::vector<const ClientTransport*> TransportRegistry::Clients() const {
  std::vector<const ClientTransport*> out;
  for (const auto& e : entries_) {
    if (e.client) out.push_back(e.client.get());
  }
  return out;
}

}  // namespace alpaca::transport
