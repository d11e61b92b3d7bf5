#include "alpaca/rpc/association.h"

#include <vector>

#include "alpaca/rpc/status.h"

namespace alpaca::rpc {

Association::~Association() {
  std::unique_lock lock(mu_);
  closed_ = true;
  RundownAll(lock);
}

std::uint32_t Association::Find(const ndr::ContextHandle& wire, ContextTypeId type, bool allow_null,
                                ServerContext& out) const {
  out = ServerContext();
  if (wire.IsNull()) return allow_null ? status::kOk : status::kSsInNullContext;
  std::lock_guard lock(mu_);
  auto it = handles_.find(wire.uuid);
  // Unknown, of another type, or made on another association: MS RPC faults
  // all of these the same way and tells the client nothing more.
  if (it == handles_.end() || it->second.type != type || wire.attributes != 0) {
    return status::kNcaFaultContextMismatch;
  }
  out = it->second.state;
  return status::kOk;
}

ndr::ContextHandle Association::Store(const ndr::ContextHandle& previous, ContextTypeId type,
                                      const ServerContext& state, ContextRundown rundown) {
  std::unique_lock lock(mu_);
  if (!previous.IsNull()) {
    auto it = handles_.find(previous.uuid);
    if (it != handles_.end()) {
      if (!state) {
        handles_.erase(it);  // closed by the method: no rundown
        return {};
      }
      it->second.state = state;
      return previous;
    }
  }
  if (!state) return {};
  if (closed_) {
    // The client went away while the call that made this handle ran.
    lock.unlock();
    ServerContext orphan = state;
    try {
      if (rundown) rundown(orphan);
    } catch (...) {
    }
    return {};
  }
  Uuid id;
  do {
    id = Uuid::Random();
  } while (handles_.contains(id));
  handles_[id] = Entry{type, state, std::move(rundown)};
  return ndr::ContextHandle{0, id};
}

void Association::BeginCall() {
  std::lock_guard lock(mu_);
  ++active_calls_;
}

void Association::EndCall() {
  std::unique_lock lock(mu_);
  if (--active_calls_ == 0 && closed_) RundownAll(lock);
}

void Association::Close() {
  std::unique_lock lock(mu_);
  closed_ = true;
  if (active_calls_ == 0) RundownAll(lock);
}

bool Association::Closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

std::size_t Association::HandleCount() const {
  std::lock_guard lock(mu_);
  return handles_.size();
}

void Association::RundownAll(std::unique_lock<std::mutex>& lock) {
  std::map<Uuid, Entry> handles;
  handles.swap(handles_);
  lock.unlock();
  for (auto& [id, entry] : handles) {
    if (!entry.rundown) continue;
    try {
      entry.rundown(entry.state);
    } catch (...) {
      // A rundown hook that throws must not stop the others, nor the
      // transport thread that reported the client gone.
    }
  }
  handles.clear();  // the states' destructors: the RAII half of the rundown
  lock.lock();
}

}  // namespace alpaca::rpc
