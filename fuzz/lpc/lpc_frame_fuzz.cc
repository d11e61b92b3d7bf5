// libFuzzer target for what a server reads from a client's communication
// socket: one packet (a wire::Frame, declared buffers, inline data) and, for
// section payloads, the connection section's bytes and the control page.
//
// Input layout: byte 0 selects whether a per-message section fd rides along,
// bytes 1..8 become the sender's stream progress, the rest is the packet.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "alpaca/lpc/channel.h"
#include "alpaca/lpc/section.h"
#include "alpaca/lpc/wire.h"
#include "socket_io.h"

namespace lpc = alpaca::lpc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 9) return 0;
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return 0;
  alpaca::UniqueFd ours(sv[0]), theirs(sv[1]);

  lpc::Section section;
  if (lpc::Section::Create(64 * 1024, "fuzz", section)) return 0;
  lpc::PeerFd shared(::dup(section.Fd()));
  lpc::Section server_view;
  if (lpc::Section::MapForeign(std::move(shared), section.Size(), true, server_view)) return 0;

  // A stream never stalls here: progress below the length is raised to it,
  // so that the stall limit does not dominate the run.
  uint64_t progress;
  std::memcpy(&progress, data + 1, sizeof(progress));
  lpc::wire::Frame frame{};
  size_t packet_size = size - 9;
  if (packet_size >= sizeof(frame)) {
    std::memcpy(&frame, data + 9, sizeof(frame));
    if (progress < frame.payload_length) progress = frame.payload_length;
  }
  auto* control = reinterpret_cast<lpc::wire::SectionControl*>(section.Base());
  control->client_to_server_progress = progress;

  lpc::Section message_section;
  int pass_fd = -1;
  if ((data[0] & 1) != 0 && !lpc::Section::Create(8192, "fuzz-msg", message_section)) {
    pass_fd = message_section.Fd();
  }
  iovec part{const_cast<uint8_t*>(data + 9), packet_size};
  if (lpc::SendPacket(theirs.Get(), std::span(&part, 1), pass_fd, true, std::nullopt)) return 0;

  lpc::ChannelLimits limits;
  limits.max_data_length = 1 << 20;
  limits.max_receive_length = 1 << 20;
  lpc::Channel channel(std::move(ours), std::move(server_view), lpc::ChannelSide::kServer, limits);
  lpc::FrameInfo info;
  lpc::PortMessage message;
  if (!channel.ReceiveHeader(lpc::Clock::now(), info, message)) {
    (void)channel.FinishReceive(message);
  }
  return 0;
}
