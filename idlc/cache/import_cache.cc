#include "idlc/cache/import_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string_view>

#include "idlc/cache/ast_archive.h"
#include "idlc/pre/file_text.h"

namespace alpaca::idl {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kEntryMagic = "AIDLIMP1";

std::uint64_t HashBytes(std::string_view bytes) { return std::hash<std::string_view>{}(bytes); }

// A different idlc (rebuilt, upgraded) may parse differently: its entries
// must not be used. Size and mtime of the running binary identify it
// without reading it.
std::string BinaryIdentity() {
  struct stat st {};
  if (stat("/proc/self/exe", &st) != 0) return "unknown-binary";
  return std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_ino);
}

void PutU64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void PutString(std::string& out, std::string_view s) {
  PutU64(out, s.size());
  out += s;
}

// Bounds-checked reading of the entry header.
class HeaderReader {
 public:
  explicit HeaderReader(std::string_view in) : in_(in) {}
  bool U64(std::uint64_t& v) {
    if (in_.size() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i)
      v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[i])) << (8 * i);
    in_.remove_prefix(8);
    return true;
  }
  bool String(std::string& s) {
    std::uint64_t size = 0;
    if (!U64(size) || size > in_.size()) return false;
    s.assign(in_.substr(0, size));
    in_.remove_prefix(size);
    return true;
  }
  bool Magic(std::string_view magic) {
    if (in_.substr(0, magic.size()) != magic) return false;
    in_.remove_prefix(magic.size());
    return true;
  }
  std::string_view rest() const { return in_; }

 private:
  std::string_view in_;
};

}  // namespace

ImportCache::ImportCache(fs::path dir, const PreprocessorOptions& options) : dir_(std::move(dir)) {
  std::error_code ec;
  context_ = "binary=" + BinaryIdentity() + "\ncwd=" + fs::current_path(ec).string();
  for (const std::string& dir_option : options.include_dirs) context_ += "\n-I" + dir_option;
  for (const std::string& define : options.defines) context_ += "\n-D" + define;
}

std::string ImportCache::Key(const std::string& path) const { return context_ + "\nfile=" + path; }

fs::path ImportCache::EntryPath(const std::string& path) const {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.aidl",
                static_cast<unsigned long long>(HashBytes(Key(path))));
  return dir_ / name;
}

bool ImportCache::Load(const std::string& path, SourceManager& sources, ast::File& out) {
  std::string entry;
  if (!ReadFileText(EntryPath(path).string(), entry)) {
    ++stats_.misses;
    return false;
  }
  HeaderReader in(entry);
  std::string key;
  if (!in.Magic(kEntryMagic) || !in.String(key)) {
    ++stats_.rejected;
    return false;
  }
  if (key != Key(path)) {  // another file (hash collision) or other options
    ++stats_.misses;
    return false;
  }
  std::uint64_t count = 0;
  if (!in.U64(count) || count > in.rest().size()) {
    ++stats_.rejected;
    return false;
  }
  std::vector<std::string> files;
  std::string content;  // one buffer for all of them: most runs check dozens
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string file_path;
    std::uint64_t size = 0;
    std::uint64_t hash = 0;
    if (!in.String(file_path) || !in.U64(size) || !in.U64(hash)) {
      ++stats_.rejected;
      return false;
    }
    if (!ReadFileText(file_path, content) || content.size() != size || HashBytes(content) != hash) {
      ++stats_.stale;
      return false;
    }
    files.push_back(std::move(file_path));
  }
  std::uint64_t checksum = 0;
  if (!in.U64(checksum) || checksum != HashBytes(in.rest()) ||
      !ReadAstArchive(in.rest(), sources, out)) {
    ++stats_.rejected;
    return false;
  }
  // Registered like the files the preprocessor would have reported, so
  // --depfile lists them too.
  for (const std::string& file_path : files) sources.AddFile(file_path);
  out.path = path;
  ++stats_.hits;
  return true;
}

void ImportCache::Store(const std::string& path, const std::vector<std::string>& files_read,
                        const ast::File& file, const SourceManager& sources) {
  std::string entry(kEntryMagic);
  PutString(entry, Key(path));
  PutU64(entry, files_read.size());
  for (const std::string& file_path : files_read) {
    std::string content;
    if (!ReadFileText(file_path, content)) {  // cannot vouch for it: store nothing
      ++stats_.store_failures;
      return;
    }
    PutString(entry, file_path);
    PutU64(entry, content.size());
    PutU64(entry, HashBytes(content));
  }
  // The checksum catches any damage to the archive (a full disk, a
  // scribble): a damaged entry is rejected as a whole, never half-used.
  std::string archive = WriteAstArchive(file, sources);
  PutU64(entry, HashBytes(archive));
  entry += archive;

  std::error_code ec;
  fs::create_directories(dir_, ec);
  fs::path final_path = EntryPath(path);
  fs::path temp_path = final_path;
  temp_path += ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(temp_path, std::ios::binary | std::ios::trunc);
    out.write(entry.data(), static_cast<std::streamsize>(entry.size()));
    if (!out) {
      fs::remove(temp_path, ec);
      ++stats_.store_failures;
      return;
    }
  }
  fs::rename(temp_path, final_path, ec);
  if (ec) {
    fs::remove(temp_path, ec);
    ++stats_.store_failures;
    return;
  }
  ++stats_.stored;
}

}  // namespace alpaca::idl
