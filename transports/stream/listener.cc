#include "alpaca/co_stream/listener.h"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "alpaca/base/log.h"
#include "alpaca/dcerpc/constants.h"
#include "alpaca/dcerpc/pdu.h"

namespace alpaca::co_stream {

namespace asio = boost::asio;
// Any stream socket family: the transport made the listening socket.
using stream = asio::generic::stream_protocol;

namespace {

class Session;

// accept() failures that mean "no resources right now": retrying at once
// would spin, so they back off (the open connections keep being served).
bool IsResourceShortage(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec.value() == ENFILE ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

constexpr std::chrono::milliseconds kAcceptBackoffFirst{10};
constexpr std::chrono::milliseconds kAcceptBackoffMax{1000};

}  // namespace

struct Listener::Impl : std::enable_shared_from_this<Listener::Impl> {
  ListenerOptions options;
  AdmitFn admit;
  dcerpc::HandlerFactory factory;
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  asio::basic_socket_acceptor<stream> acceptor{io};
  asio::steady_timer accept_backoff{io};
  std::chrono::milliseconds backoff{0};  // touched only by the accept chain
  asio::thread_pool workers;
  std::vector<std::thread> threads;
  mutable std::mutex mu;
  std::set<std::shared_ptr<Session>> sessions;
  std::map<std::string, std::size_t> per_address;  // guarded by mu
  bool stopped = false;

  std::atomic<std::size_t> queued_bytes{0};
  std::atomic<std::size_t> peak_queued_bytes{0};
  std::atomic<std::size_t> paused{0};
  std::atomic<std::uint64_t> accept_errors{0};
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> handshake_timeouts{0};

  Impl(ListenerOptions o, AdmitFn a, dcerpc::HandlerFactory f)
      : options(std::move(o)),
        admit(std::move(a)),
        factory(std::move(f)),
        workers(std::max<std::size_t>(1, options.worker_threads)) {}

  void Accept();
  void OnAccepted(stream::socket socket);
  void Remove(const std::shared_ptr<Session>& s, const std::string& key) {
    std::lock_guard lock(mu);
    if (sessions.erase(s) == 0) return;
    if (auto it = per_address.find(key); it != per_address.end() && --it->second == 0) {
      per_address.erase(it);
    }
  }
  void NoteQueued(std::size_t on_connection) {
    std::size_t peak = peak_queued_bytes.load(std::memory_order_relaxed);
    while (on_connection > peak && !peak_queued_bytes.compare_exchange_weak(peak, on_connection)) {
    }
  }
};

namespace {

// One connection. All socket work runs on its strand; OnMessage calls
// are therefore sequential. Holds the Impl alive while it exists.
//
// Reading is one chain (header, body, header, ...) that stops while the
// connection is paused: replies over max_queued_bytes, or a handler that is
// not ready. A write completion or the sink's Wake() restarts it.
class Session : public std::enable_shared_from_this<Session>, public dcerpc::MessageSink {
 public:
  Session(std::shared_ptr<Listener::Impl> owner, stream::socket socket, Admission admission)
      : owner_(std::move(owner)),
        strand_(asio::make_strand(owner_->io)),
        socket_(std::move(socket)),
        timer_(strand_),
        peer_(std::move(admission.peer)),
        address_key_(std::move(admission.key)) {}

  ~Session() override { owner_->queued_bytes -= queued_bytes_; }

  void Start() {
    handler_ = owner_->factory(shared_from_this(), peer_);
    asio::dispatch(strand_, [self = shared_from_this()] { self->MaybeRead(); });
  }

  void Send(std::vector<std::uint8_t> message) override {
    asio::dispatch(strand_, [self = shared_from_this(), m = std::move(message)]() mutable {
      if (self->closing_ || self->closed_) return;
      self->queued_bytes_ += m.size();
      self->owner_->queued_bytes += m.size();
      self->owner_->NoteQueued(self->queued_bytes_);
      self->queue_.push_back(std::move(m));
      if (self->queue_.size() == 1) self->WriteNext();
    });
  }

  void Close() override {
    asio::dispatch(strand_, [self = shared_from_this()] {
      self->closing_ = true;
      if (self->queue_.empty()) self->Shutdown();
    });
  }

  // Always posted, never run inline: a wake from a worker must not overtake
  // work already queued on the strand.
  void Wake() override {
    asio::post(strand_, [self = shared_from_this()] { self->MaybeRead(); });
  }

  // Immediate close, from Listener::Stop.
  void Abort() {
    asio::dispatch(strand_, [self = shared_from_this()] { self->Shutdown(); });
  }

 private:
  void ArmTimer() {
    auto timeout = got_message_ ? owner_->options.idle_timeout : owner_->options.handshake_timeout;
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->closed_) return;
      if (!self->got_message_) {
        ++self->owner_->handshake_timeouts;
        Log(LogLevel::kDebug, self->owner_->options.name +
                                  ": a peer sent no whole PDU within the handshake "
                                  "timeout; connection closed");
      }
      self->Shutdown();
    });
  }

  void SetPaused(bool paused) {
    if (paused == paused_) return;
    paused_ = paused;
    if (paused) {
      ++owner_->paused;
    } else {
      --owner_->paused;
    }
  }

  void MaybeRead() {
    if (closed_ || closing_ || reading_) return;
    if (queued_bytes_ > owner_->options.max_queued_bytes ||
        (handler_ && !handler_->ReadyForMessage())) {
      SetPaused(true);
      return;
    }
    SetPaused(false);
    ReadHeader();
  }

  void ReadHeader() {
    reading_ = true;
    ArmTimer();
    asio::async_read(socket_, asio::buffer(header_),
                     asio::bind_executor(strand_, [self = shared_from_this()](
                                                      boost::system::error_code ec, std::size_t) {
                       self->OnHeader(ec);
                     }));
  }

  void OnHeader(boost::system::error_code ec) {
    // Shutdown may have run (a failed write) after this read completed.
    if (closed_) return;
    if (ec) return Shutdown();
    std::uint16_t frag_length = 0;
    if (dcerpc::PeekFragLength(header_, frag_length)) return Shutdown();  // malformed
    body_.assign(header_.begin(), header_.end());
    body_.resize(frag_length);
    asio::async_read(socket_, asio::buffer(body_.data() + 16, frag_length - 16),
                     asio::bind_executor(
                         strand_, [self = shared_from_this()](boost::system::error_code ec2,
                                                              std::size_t) { self->OnBody(ec2); }));
  }

  void OnBody(boost::system::error_code ec) {
    reading_ = false;
    if (closed_) return;
    if (ec) return Shutdown();
    if (closing_) return;
    got_message_ = true;
    handler_->OnMessage(std::move(body_));
    body_ = {};
    MaybeRead();
  }

  void WriteNext() {
    asio::async_write(socket_, asio::buffer(queue_.front()),
                      asio::bind_executor(strand_, [self = shared_from_this()](
                                                       boost::system::error_code ec, std::size_t) {
                        self->OnWritten(ec);
                      }));
  }

  void OnWritten(boost::system::error_code ec) {
    // Shutdown may have run while the write was in flight.
    if (ec || closed_) return Shutdown();
    std::size_t n = queue_.front().size();
    queue_.pop_front();
    queued_bytes_ -= n;
    owner_->queued_bytes -= n;
    if (!queue_.empty()) {
      WriteNext();
    } else if (closing_) {
      return Shutdown();
    }
    if (paused_) {
      // The peer is reading its replies: that is progress, so the idle
      // timer (otherwise armed only when a read starts) restarts.
      ArmTimer();
      MaybeRead();
    }
  }

  void Shutdown() {
    if (closed_) return;
    closed_ = true;
    SetPaused(false);
    boost::system::error_code ec;
    timer_.cancel();
    socket_.shutdown(stream::socket::shutdown_both, ec);
    socket_.close(ec);
    // The replies nobody will read are freed now, except the front one: a
    // cancelled write may still refer to it; it goes with the session.
    while (queue_.size() > 1) {
      queued_bytes_ -= queue_.back().size();
      owner_->queued_bytes -= queue_.back().size();
      queue_.pop_back();
    }
    body_ = {};
    if (handler_) handler_->OnClosed();
    handler_.reset();
    owner_->Remove(shared_from_this(), address_key_);
  }

  std::shared_ptr<Listener::Impl> owner_;
  asio::strand<asio::io_context::executor_type> strand_;
  stream::socket socket_;
  asio::steady_timer timer_;
  dcerpc::PeerInfo peer_;
  std::string address_key_;
  std::shared_ptr<dcerpc::MessageHandler> handler_;
  std::array<std::uint8_t, dcerpc::kCommonHeaderSize> header_{};
  std::vector<std::uint8_t> body_;
  std::deque<std::vector<std::uint8_t>> queue_;
  std::size_t queued_bytes_ = 0;
  bool got_message_ = false;
  bool reading_ = false;
  bool paused_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

}  // namespace

void Listener::Impl::Accept() {
  acceptor.async_accept(
      [self = shared_from_this()](boost::system::error_code ec, stream::socket socket) {
        if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
        if (!ec) {
          self->backoff = std::chrono::milliseconds(0);
          self->OnAccepted(std::move(socket));
          return self->Accept();
        }
        ++self->accept_errors;
        if (!IsResourceShortage(ec)) return self->Accept();  // e.g. ECONNABORTED: that peer only
        if (self->backoff.count() == 0) {
          // Once per episode: the log would otherwise repeat at the retry rate.
          Log(LogLevel::kError, self->options.name + ": accept failed (" + ec.message() +
                                    "); retrying with backoff, open connections are still served");
          self->backoff = kAcceptBackoffFirst;
        } else {
          self->backoff = std::min(self->backoff * 2, kAcceptBackoffMax);
        }
        self->accept_backoff.expires_after(self->backoff);
        self->accept_backoff.async_wait([self](boost::system::error_code wait_ec) {
          if (!wait_ec) self->Accept();
        });
      });
}

void Listener::Impl::OnAccepted(stream::socket socket) {
  std::optional<Admission> admission = admit(socket.native_handle());
  if (!admission) {
    // Not this peer (gone already, or not allowed): closed at once.
    ++refused;
    return;
  }
  std::string key = admission->key;
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mu);
    if (stopped) return;
    std::size_t& from_here = per_address[key];
    if (sessions.size() < options.max_connections &&
        from_here < options.max_connections_per_address) {
      session =
          std::make_shared<Session>(shared_from_this(), std::move(socket), std::move(*admission));
      sessions.insert(session);
      ++from_here;
    } else if (from_here == 0) {
      per_address.erase(key);
    }
  }
  if (!session) {
    // Closed at once (the socket's destructor): the peer sees the
    // connection end instead of waiting on a slot.
    ++refused;
    Log(LogLevel::kDebug, options.name + ": connection from " + key +
                              " refused (max_connections or max_connections_per_address)");
    return;
  }
  session->Start();
}

Listener::Listener(ListenerOptions options, AdmitFn admit, dcerpc::HandlerFactory factory)
    : impl_(std::make_shared<Impl>(std::move(options), std::move(admit), std::move(factory))) {}

Listener::~Listener() { Stop(); }

std::error_code Listener::Start(UniqueFd listening) {
  sockaddr_storage local{};
  socklen_t length = sizeof(local);
  if (::getsockname(listening.Get(), reinterpret_cast<sockaddr*>(&local), &length) != 0) {
    return {errno, std::system_category()};
  }
  boost::system::error_code ec;
  impl_->acceptor.assign(stream(local.ss_family, 0), listening.Get(), ec);
  if (ec) return std::error_code(ec.value(), std::system_category());
  (void)listening.Release();  // the acceptor owns it now
  impl_->work.emplace(impl_->io.get_executor());
  impl_->Accept();
  for (std::size_t i = 0; i < impl_->options.io_threads; ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] { impl->io.run(); });
  }
  return {};
}

dcerpc::Executor Listener::GetExecutor() {
  if (impl_->options.worker_threads == 0) {
    return [](std::function<void()> fn) { fn(); };  // on the caller's (I/O) thread
  }
  return [impl = impl_](std::function<void()> fn) { asio::post(impl->workers, std::move(fn)); };
}

void Listener::StopAccepting() {
  // The handler must not own the Impl: the Impl owns the io_context, and a
  // handler that never runs (no thread runs the io_context before Start
  // succeeds) would keep both alive forever. The Listener holds the Impl
  // for as long as the handler can run.
  asio::post(impl_->io, [weak = std::weak_ptr<Impl>(impl_)] {
    if (auto impl = weak.lock()) {
      boost::system::error_code ec;
      impl->acceptor.close(ec);
      impl->accept_backoff.cancel();
    }
  });
}

void Listener::Stop() {
  std::set<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
    sessions = impl_->sessions;
  }
  StopAccepting();
  for (auto& s : sessions) s->Abort();
  sessions.clear();
  impl_->workers.join();
  impl_->work.reset();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

std::size_t Listener::ConnectionCount() const {
  std::lock_guard lock(impl_->mu);
  return impl_->sessions.size();
}

ListenerStats Listener::Stats() const {
  ListenerStats s;
  s.connections = ConnectionCount();
  s.queued_bytes = impl_->queued_bytes;
  s.peak_queued_bytes = impl_->peak_queued_bytes;
  s.paused_connections = impl_->paused;
  s.accept_errors = impl_->accept_errors;
  s.refused_connections = impl_->refused;
  s.handshake_timeouts = impl_->handshake_timeouts;
  return s;
}

}  // namespace alpaca::co_stream
