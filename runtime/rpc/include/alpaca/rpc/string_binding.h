// rpc::StringBinding, which the transports share with the core: defined in
// the seam library (alpaca/transport/string_binding.h).
#pragma once

#include "alpaca/transport/string_binding.h"
