#include "alpaca/transport/client.h"

#include <exception>

#include "alpaca/transport/status.h"

namespace alpaca::transport {

void ClientAssociation::AsyncCall(std::uint16_t opnum, std::optional<Uuid> object,
                                  ndr::Encoder request, rpc::CallOptions options,
                                  std::unique_ptr<CallCompletion> done) {
  CallResponse response;
  std::error_code status;
  try {
    response.stub = Call(opnum, object, request, options, response.drep);
  } catch (const RpcError& e) {
    status = rpc::status::MakeStatus(e.Status());
    response = {};
  } catch (const std::exception&) {
    // The completion carries a status only; RPC_S_CALL_FAILED is what a
    // blocking caller of such a transport would see as a failure too.
    status = rpc::status::MakeStatus(rpc::status::kCallFailed);
    response = {};
  }
  done->Complete(status, std::move(response));
}

}  // namespace alpaca::transport
