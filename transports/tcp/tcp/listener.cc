#include "tcp/listener.h"

#include <algorithm>
#include <array>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

#include "dcerpc/constants.h"
#include "dcerpc/pdu.h"

namespace alpaca::tcp {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

class Session;

}  // namespace

struct Listener::Impl : std::enable_shared_from_this<Listener::Impl> {
  ListenerOptions options;
  dcerpc::HandlerFactory factory;
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{io};
  asio::thread_pool workers;
  std::vector<std::thread> threads;
  mutable std::mutex mu;
  std::set<std::shared_ptr<Session>> sessions;
  bool stopped = false;
  std::uint16_t port = 0;  // set in Start() before any thread runs

  Impl(ListenerOptions o, dcerpc::HandlerFactory f)
      : options(std::move(o)), factory(std::move(f)), workers(std::max<std::size_t>(1, options.worker_threads)) {}

  void Accept();
  void Remove(const std::shared_ptr<Session>& s) {
    std::lock_guard lock(mu);
    sessions.erase(s);
  }
};

namespace {

// One TCP connection. All socket work runs on its strand; OnMessage calls
// are therefore sequential. Holds the Impl alive while it exists.
class Session : public std::enable_shared_from_this<Session>, public dcerpc::MessageSink {
 public:
  Session(std::shared_ptr<Listener::Impl> owner, tcp::socket socket)
      : owner_(std::move(owner)),
        strand_(asio::make_strand(owner_->io)),
        socket_(std::move(socket)),
        timer_(strand_) {}

  void Start() {
    dcerpc::PeerInfo peer;
    peer.protseq = "ncacn_ip_tcp";
    boost::system::error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    if (!ec) {
      peer.address = ep.address().to_string();
      peer.port = ep.port();
    }
    socket_.set_option(tcp::no_delay(true), ec);
    handler_ = owner_->factory(shared_from_this(), peer);
    asio::dispatch(strand_, [self = shared_from_this()] { self->ReadHeader(); });
  }

  void Send(std::vector<std::uint8_t> message) override {
    asio::dispatch(strand_, [self = shared_from_this(), m = std::move(message)]() mutable {
      if (self->closing_ || self->closed_) return;
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

  // Immediate close, from Listener::Stop.
  void Abort() {
    asio::dispatch(strand_, [self = shared_from_this()] { self->Shutdown(); });
  }

 private:
  void ArmTimer() {
    timer_.expires_after(owner_->options.idle_timeout);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->Shutdown();
    });
  }

  void ReadHeader() {
    if (closed_) return;
    ArmTimer();
    asio::async_read(socket_, asio::buffer(header_),
                     asio::bind_executor(strand_, [self = shared_from_this()](
                                                      boost::system::error_code ec, std::size_t) {
                       self->OnHeader(ec);
                     }));
  }

  void OnHeader(boost::system::error_code ec) {
    if (ec) return Shutdown();
    std::uint16_t frag_length = 0;
    if (dcerpc::PeekFragLength(header_, frag_length)) return Shutdown();  // malformed
    body_.assign(header_.begin(), header_.end());
    body_.resize(frag_length);
    asio::async_read(socket_, asio::buffer(body_.data() + 16, frag_length - 16),
                     asio::bind_executor(strand_, [self = shared_from_this()](
                                                      boost::system::error_code ec2, std::size_t) {
                       self->OnBody(ec2);
                     }));
  }

  void OnBody(boost::system::error_code ec) {
    if (ec) return Shutdown();
    if (closing_) return;
    handler_->OnMessage(std::move(body_));
    body_.clear();
    ReadHeader();
  }

  void WriteNext() {
    asio::async_write(socket_, asio::buffer(queue_.front()),
                      asio::bind_executor(strand_, [self = shared_from_this()](
                                                       boost::system::error_code ec, std::size_t) {
                        // Shutdown may have run while the write was in flight.
                        if (ec || self->closed_) return self->Shutdown();
                        self->queue_.pop_front();
                        if (!self->queue_.empty()) {
                          self->WriteNext();
                        } else if (self->closing_) {
                          self->Shutdown();
                        }
                      }));
  }

  void Shutdown() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    // queue_ stays: a cancelled write may still refer to its front buffer;
    // it is freed with the session.
    if (handler_) handler_->OnClosed();
    handler_.reset();
    owner_->Remove(shared_from_this());
  }

  std::shared_ptr<Listener::Impl> owner_;
  asio::strand<asio::io_context::executor_type> strand_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  std::shared_ptr<dcerpc::MessageHandler> handler_;
  std::array<std::uint8_t, dcerpc::kCommonHeaderSize> header_{};
  std::vector<std::uint8_t> body_;
  std::deque<std::vector<std::uint8_t>> queue_;
  bool closing_ = false;
  bool closed_ = false;
};

}  // namespace

void Listener::Impl::Accept() {
  acceptor.async_accept([self = shared_from_this()](boost::system::error_code ec,
                                                    tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      std::shared_ptr<Session> session;
      {
        std::lock_guard lock(self->mu);
        if (!self->stopped && self->sessions.size() < self->options.max_connections) {
          session = std::make_shared<Session>(self, std::move(socket));
          self->sessions.insert(session);
        }
      }
      if (session) session->Start();
    }
    if (self->acceptor.is_open()) self->Accept();
  });
}

Listener::Listener(ListenerOptions options, dcerpc::HandlerFactory factory)
    : impl_(std::make_shared<Impl>(std::move(options), std::move(factory))) {}

Listener::~Listener() { Stop(); }

std::error_code Listener::Start() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) return std::make_error_code(std::errc::invalid_argument);
  tcp::endpoint ep(address, impl_->options.port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return std::error_code(ec.value(), std::system_category());
  impl_->port = impl_->acceptor.local_endpoint(ec).port();
  impl_->work.emplace(impl_->io.get_executor());
  impl_->Accept();
  for (std::size_t i = 0; i < impl_->options.io_threads; ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] { impl->io.run(); });
  }
  return {};
}

std::uint16_t Listener::Port() const { return impl_->port; }

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

}  // namespace alpaca::tcp
