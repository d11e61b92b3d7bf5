#include "idlc/pre/preprocessor.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <string_view>

extern char** environ;

namespace alpaca::idl {
namespace {

struct ProcessOutput {
  bool started = false;
  int status = -1;
  std::string out;
  std::string err;
};

// Retries EINTR; the only syscall wrapper idlc needs.
template <typename F>
auto RetryEintr(F call) {
  for (;;) {
    auto result = call();
    if (result >= 0 || errno != EINTR) return result;
  }
}

ProcessOutput RunProcess(const std::vector<std::string>& argv) {
  ProcessOutput result;
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return result;
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return result;
  }
  result.started = true;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_count = 2;
  char buffer[65536];
  while (open_count > 0) {
    if (RetryEintr([&] { return poll(fds, 2, -1); }) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = RetryEintr([&] { return read(fds[i].fd, buffer, sizeof buffer); });
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      } else {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      }
    }
  }
  int status = 0;
  RetryEintr([&] { return waitpid(pid, &status, 0); });
  result.status = status;
  return result;
}

// Parses `file:line:col: error: text` lines from cpp's stderr.
void ForwardCppDiagnostics(const std::string& err, SourceManager& sources, DiagnosticSink& sink,
                           bool& saw_error) {
  static const std::regex kLine(R"(^(.+?):(\d+):(\d+): (fatal error|error|warning): (.*)$)");
  std::size_t start = 0;
  while (start < err.size()) {
    std::size_t end = err.find('\n', start);
    if (end == std::string::npos) end = err.size();
    std::string line = err.substr(start, end - start);
    start = end + 1;
    std::smatch match;
    if (!std::regex_match(line, match, kLine)) continue;
    Location loc;
    loc.file = sources.AddFile(match[1]);
    loc.line = std::stoi(match[2]);
    loc.column = std::stoi(match[3]);
    std::string message = match[5];
    if (match[4] == "warning") {
      sink.Warning(loc, message);
    } else {
      saw_error = true;
      sink.Error(loc, message);
    }
  }
}

}  // namespace

bool Preprocess(const PreprocessorOptions& options, const std::string& path, int file_id,
                SourceManager& sources, DiagnosticSink& sink, PreprocessedFile& out) {
  std::vector<std::string> argv;
  const char* env_cpp = std::getenv("IDLC_CPP");
  argv.push_back(env_cpp != nullptr && *env_cpp != '\0' ? env_cpp : options.cpp);
  // -undef: no gcc/host macros (widl's preprocessor defines none of them);
  // -nostdinc: IDL never wants the C library headers.
  for (const char* arg : {"-x", "c", "-undef", "-nostdinc", "-D__WIDL__"}) argv.emplace_back(arg);
  for (const std::string& dir : options.include_dirs) argv.push_back("-I" + dir);
  for (const std::string& define : options.defines) argv.push_back("-D" + define);
  argv.push_back(path);
  ProcessOutput result = RunProcess(argv);
  if (!result.started) {
    sink.Error(Location{}, "cannot run the C preprocessor '" + argv[0] + "': " + std::strerror(errno));
    return false;
  }
  bool saw_error = false;
  ForwardCppDiagnostics(result.err, sources, sink, saw_error);
  if (!WIFEXITED(result.status) || WEXITSTATUS(result.status) != 0) {
    if (!saw_error) sink.Error(Location{file_id, 0, 0}, "the C preprocessor failed on '" + path + "'");
    return false;
  }
  // Walk the output: line markers set the origin, other directives
  // (#pragma) become blank lines so the parser never sees them.
  int current_file = file_id;
  int current_line = 1;
  const std::string& text = result.out;
  out.text.clear();
  out.text.reserve(text.size());
  out.files_read.clear();
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    std::size_t first = line.find_first_not_of(" \t");
    if (first != std::string_view::npos && line[first] == '#') {
      // `# 12 "file" flags`
      std::size_t pos = first + 1;
      while (pos < line.size() && line[pos] == ' ') ++pos;
      if (pos < line.size() && std::isdigit(static_cast<unsigned char>(line[pos])) != 0) {
        int number = std::atoi(line.data() + pos);
        std::size_t quote = line.find('"', pos);
        std::size_t close_quote = line.rfind('"');
        if (quote != std::string_view::npos && close_quote > quote) {
          std::string name(line.substr(quote + 1, close_quote - quote - 1));
          current_file = name == path ? file_id : sources.AddFile(name);
          // cpp's pseudo files (<built-in>, <command-line>) are not read.
          bool real = !name.empty() && name.front() != '<';
          if (real && std::find(out.files_read.begin(), out.files_read.end(), name) ==
                          out.files_read.end()) {
            out.files_read.push_back(name);
          }
        }
        current_line = number;
        continue;
      }
      out.lines.Add(current_file, current_line, std::string());
      out.text += '\n';
      ++current_line;
      continue;
    }
    out.lines.Add(current_file, current_line, std::string(line));
    out.text.append(line);
    out.text += '\n';
    ++current_line;
  }
  return true;
}

}  // namespace alpaca::idl
