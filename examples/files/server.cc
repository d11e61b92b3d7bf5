// files_server: serves FileService over ncalrpc:[files] and ncacn_ip_tcp
// port 4748, storing files in --root. Names are plain file names: anything
// with a '/' or starting with '.' is refused (ERROR_INVALID_NAME).
#include "alpaca/rpc/server.h"

#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "files_server.h"

namespace {

namespace fs = std::filesystem;
constexpr std::uint32_t kErrorFileNotFound = 2;
constexpr std::uint32_t kErrorInvalidName = 123;
constexpr std::uint32_t kErrorWriteFault = 29;

class Files final : public files::FileServiceServer {
 public:
  explicit Files(fs::path root) : root_(std::move(root)) {}

  std::int32_t Put(const std::string& name, std::int64_t offset,
                   const std::vector<std::uint8_t>& data) override {
    fs::path path = PathOf(name);
    std::fstream out(path, std::ios::in | std::ios::out | std::ios::binary);
    if (!out) out.open(path, std::ios::out | std::ios::binary);  // a new file
    out.seekp(offset);
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
    if (!out) throw alpaca::RpcError(kErrorWriteFault, name);
    return static_cast<std::int32_t>(data.size());
  }
  void Get(const std::string& name, std::int64_t offset, std::int32_t count,
           std::vector<std::uint8_t>& data, std::int32_t& got) override {
    std::ifstream in(PathOf(name), std::ios::binary);
    if (!in) throw alpaca::RpcError(kErrorFileNotFound, name);
    data.resize(static_cast<std::size_t>(std::max(0, count)));
    in.seekg(offset);
    in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size()));
    data.resize(static_cast<std::size_t>(in.gcount()));
    got = static_cast<std::int32_t>(data.size());
  }
  std::int64_t Size(const std::string& name) override {
    std::error_code ec;
    auto size = fs::file_size(PathOf(name), ec);
    if (ec) throw alpaca::RpcError(kErrorFileNotFound, name);
    return static_cast<std::int64_t>(size);
  }
  void List(files::FileList& list) override {
    for (const auto& entry : fs::directory_iterator(root_)) {
      if (!entry.is_regular_file()) continue;
      list.entries.emplace();
      list.entries->push_back(
          {entry.path().filename().string(), static_cast<std::int64_t>(entry.file_size())});
    }
  }
  void Remove(const std::string& name) override {
    if (!fs::remove(PathOf(name))) throw alpaca::RpcError(kErrorFileNotFound, name);
  }

 private:
  // The peer is hostile: a name must not leave the root.
  fs::path PathOf(const std::string& name) const {
    if (name.empty() || name.find('/') != std::string::npos || name.front() == '.') {
      throw alpaca::RpcError(kErrorInvalidName, name);
    }
    return root_ / name;
  }
  fs::path root_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"files_server: FileService over ncalrpc and ncacn_ip_tcp"};
  std::string root = "files-root", endpoint = "files", port = "4748";
  app.add_option("--root", root, "directory holding the files (created)");
  app.add_option("--endpoint", endpoint, "ncalrpc endpoint");
  app.add_option("--port", port, "ncacn_ip_tcp port (0: any)");
  CLI11_PARSE(app, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  fs::create_directories(root);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  try {
    alpaca::rpc::ServerOptions options;
    options.max_call_bytes = 16u << 20;  // chunks of up to 16 MiB
    alpaca::rpc::Server server(options);
    server.UseProtseqEp("ncalrpc", endpoint);
    server.UseProtseqEp("ncacn_ip_tcp", port);
    server.RegisterInterface(
        files::FileServiceServer::Registration(std::make_shared<Files>(fs::absolute(root))));
    server.Listen();
    for (const auto& b : server.Bindings())
      std::printf("files_server: listening on %s\n", b.c_str());
    int signal = 0;
    sigwait(&signals, &signal);
    server.Stop();
  } catch (const alpaca::RpcError& e) {
    std::fprintf(stderr, "files_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
