// rpc::status and alpaca::RpcError, which the transports share with the
// core: defined in the seam library (alpaca/transport/status.h).
#pragma once

#include "alpaca/transport/status.h"
