#include "alpaca/transport/registry.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "alpaca/transport/status.h"

namespace alpaca::transport {
namespace {

class NoClient final : public ClientTransport {
 public:
  std::unique_ptr<ClientAssociation> Connect(const ConnectRequest&) const override {
    return nullptr;
  }
};

TEST(TransportRegistry, LooksUpByProtseqInRegistrationOrder) {
  TransportRegistry r;
  auto a = std::make_shared<NoClient>();
  auto b = std::make_shared<NoClient>();
  r.Add("ncacn_a", nullptr, a);
  r.Add("ncacn_b", nullptr, b);
  EXPECT_EQ(r.Client("ncacn_a"), a.get());
  EXPECT_EQ(r.Client("ncacn_b"), b.get());
  EXPECT_EQ(r.Client("ncacn_c"), nullptr);
  EXPECT_EQ(r.Server("ncacn_a"), nullptr);  // client only
  EXPECT_EQ(r.Protseqs(), (std::vector<std::string>{"ncacn_a", "ncacn_b"}));
  EXPECT_EQ(r.Clients(), (std::vector<const ClientTransport*>{a.get(), b.get()}));
  EXPECT_THROW(r.Add("ncacn_a", nullptr, b), std::invalid_argument);
}

// An association that answers from a script, for the default AsyncCall.
class Scripted final : public ClientAssociation {
 public:
  explicit Scripted(std::uint32_t fault) : fault_(fault) {}
  std::vector<std::uint8_t> Call(std::uint16_t opnum, const std::optional<Uuid>&,
                                 ndr::Encoder& request, const rpc::CallOptions&,
                                 ndr::Drep& drep) override {
    if (fault_ != 0) throw RpcError(fault_, "scripted");
    drep = ndr::Drep{};
    std::vector<std::uint8_t> reply(request.Bytes().begin(), request.Bytes().end());
    reply.push_back(static_cast<std::uint8_t>(opnum));
    return reply;
  }
  AssociationInfo Info() const override { return {}; }
  bool Connected() const override { return true; }

 private:
  std::uint32_t fault_;
};

class Recorder final : public CallCompletion {
 public:
  Recorder(std::error_code& status, CallResponse& response, int& calls)
      : status_(status), response_(response), calls_(calls) {}
  void Complete(std::error_code status, CallResponse response) override {
    status_ = status;
    response_ = std::move(response);
    ++calls_;
  }

 private:
  std::error_code& status_;
  CallResponse& response_;
  int& calls_;
};

TEST(ClientAssociation, DefaultAsyncCallCompletesOnceWithTheResponseOrTheStatus) {
  std::error_code status = rpc::status::MakeStatus(rpc::status::kCallFailed);
  CallResponse response;
  int calls = 0;
  Scripted ok(0);
  ndr::Encoder request;
  request.Write<std::uint32_t>(7);
  ok.AsyncCall(9, std::nullopt, std::move(request), {},
               std::make_unique<Recorder>(status, response, calls));
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(status);
  EXPECT_EQ(response.stub, (std::vector<std::uint8_t>{7, 0, 0, 0, 9}));

  Scripted faulting(rpc::status::kNcaOpRangeError);
  faulting.AsyncCall(1, std::nullopt, ndr::Encoder{}, {},
                     std::make_unique<Recorder>(status, response, calls));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(status, rpc::status::MakeStatus(rpc::status::kNcaOpRangeError));
  EXPECT_TRUE(response.stub.empty());
}

}  // namespace
}  // namespace alpaca::transport
