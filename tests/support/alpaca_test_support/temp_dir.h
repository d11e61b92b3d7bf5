// A fresh directory for one test (mkdtemp: unique even when several test
// processes run at once), removed with everything in it when destroyed.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace alpaca::test_support {

class TempDir {
 public:
  // Under `base`, by default $TMPDIR (or /tmp).
  explicit TempDir(const std::string& prefix = "alpaca-test",
                   const std::filesystem::path& base = std::filesystem::temp_directory_path()) {
    std::string path = (base / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(path.data()) == nullptr) throw std::runtime_error("mkdtemp " + path);
    path_ = path;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& Path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace alpaca::test_support
