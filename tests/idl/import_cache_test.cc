// The import cache must be invisible except for speed: the same model (and
// the same diagnostics) with and without it, cold or warm, after an
// #included header changes, and with entries truncated or scribbled over.
#include "idlc/cache/import_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "alpaca_test_support/temp_dir.h"
#include "idlc/cache/ast_archive.h"
#include "idlc/diag/diagnostics.h"
#include "idlc/driver/loader.h"
#include "idlc/emit/json_emitter.h"
#include "idlc/sema/analyzer.h"

namespace alpaca::idl {
namespace {

namespace fs = std::filesystem;

struct Result {
  std::string json;         // the model, imported definitions included
  std::string diagnostics;  // rendered, in order
  ImportCacheStats stats;
};

class ImportCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "inc");
    Write("inc/defs.h", "#define COUNT_T long\n");
    Write("base.idl",
          "#include \"defs.h\"\n"
          "typedef long HRESULT;\n"
          "typedef struct Pair { COUNT_T a; [unique] struct Pair *next; } Pair;\n"
          "typedef [v1_enum] enum Color { kRed = 1, kBlue = kRed << 3 } Color;\n"
          "[uuid(00000000-0000-0000-C000-000000000046), object, local]\n"
          "interface IBase { HRESULT Get([out, retval] COUNT_T *value); }\n");
    Write("main.idl",
          "import \"base.idl\";\n"
          "[uuid(6B29FC40-CA47-1067-B31D-00DD010662DA), version(1.0), pointer_default(unique)]\n"
          "interface IMain\n"
          "{\n"
          "    void Put([in] Pair *p, [in] Color c, [in, size_is(n)] long *v, [in] long n);\n"
          "}\n");
    options_.include_dirs = {(dir_ / "inc").string()};
  }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::trunc) << text;
  }

  Result Compile(bool use_cache, const std::string& main = "main.idl") {
    SourceManager sources;
    CollectingSink sink;
    ImportCache cache(dir_ / "cache", options_);
    auto model =
        CompileFile((dir_ / main).string(), options_, sources, sink, use_cache ? &cache : nullptr);
    Result result;
    result.json = ModelToJson(*model, true)
                      .dump(1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    for (const Diagnostic& d : sink.diagnostics())
      result.diagnostics += RenderDiagnostic(sources, d);
    result.stats = cache.stats();
    return result;
  }

  fs::path Entry() const {
    return ImportCache(dir_ / "cache", options_).EntryPath((dir_ / "base.idl").string());
  }

  alpaca::test_support::TempDir temp_{"idlc-import-cache"};
  const fs::path& dir_ = temp_.Path();
  PreprocessorOptions options_;
};

TEST_F(ImportCacheTest, WarmRunReadsTheEntryAndGivesTheSameModel) {
  Result plain = Compile(false);
  ASSERT_EQ(plain.diagnostics, "");
  Result cold = Compile(true);  // main.idl and base.idl
  EXPECT_EQ(cold.stats.misses, 2);
  EXPECT_EQ(cold.stats.stored, 2);
  EXPECT_EQ(cold.json, plain.json);
  ASSERT_TRUE(fs::is_regular_file(Entry()));
  Result warm = Compile(true);
  EXPECT_EQ(warm.stats.hits, 2);
  EXPECT_EQ(warm.stats.stored, 0);
  EXPECT_EQ(warm.json, plain.json);
  EXPECT_EQ(warm.diagnostics, "");
}

TEST_F(ImportCacheTest, ChangedIncludedHeaderMakesTheEntryStale) {
  Compile(true);
  Write("inc/defs.h", "#define COUNT_T short\n");  // same size would not matter: content is hashed
  Result after = Compile(true);
  EXPECT_EQ(after.stats.stale, 1);  // base.idl; main.idl does not include defs.h
  EXPECT_EQ(after.stats.hits, 1);
  EXPECT_EQ(after.stats.stored, 1);
  EXPECT_EQ(after.json, Compile(false).json);
  EXPECT_NE(after.json.find("\"short\""), std::string::npos);
  EXPECT_EQ(Compile(true).stats.hits, 2);
}

TEST_F(ImportCacheTest, OtherOptionsDoNotShareEntries) {
  Compile(true);
  options_.defines = {"EXTRA=1"};
  Result other = Compile(true);
  EXPECT_EQ(other.stats.hits, 0);
  EXPECT_EQ(other.stats.misses, 2);
}

TEST_F(ImportCacheTest, ImportThatWarnsIsNotStoredSoTheWarningIsNeverLost) {
  Write("base.idl", "#warning base is old\ntypedef long Pair; typedef long Color;\n");
  Write("inc/defs.h", "");
  Write("main.idl", "import \"base.idl\";\ntypedef Pair P2;\n");
  Result first = Compile(true);
  EXPECT_EQ(first.stats.stored, 1);  // main.idl only
  EXPECT_NE(first.diagnostics.find("warning: #warning base is old"), std::string::npos)
      << first.diagnostics;
  Result second = Compile(true);
  EXPECT_EQ(second.stats.hits, 1);
  EXPECT_EQ(second.stats.misses, 1);  // base.idl is parsed again
  EXPECT_EQ(second.diagnostics, first.diagnostics);
}

TEST_F(ImportCacheTest, DiagnosticsInsideACachedImportPointIntoIt) {
  // Sema runs on cached ASTs: a problem it finds in the import (here an
  // unknown attribute) is still reported at the import's own line.
  Write("base.idl", "typedef [uniqe] long Pair;\ntypedef long Color;\n");
  Write("main.idl", "import \"base.idl\";\ntypedef Pair P2;\n");
  Result first = Compile(true);
  EXPECT_EQ(first.stats.stored, 2);
  Result second = Compile(true);
  EXPECT_EQ(second.stats.hits, 2);
  EXPECT_EQ(second.diagnostics, first.diagnostics);
  EXPECT_NE(second.diagnostics.find("base.idl:1:10: warning: unknown attribute 'uniqe'"),
            std::string::npos)
      << second.diagnostics;
}

TEST_F(ImportCacheTest, TheCompiledFileIsServedAndStoredToo) {
  Result as_main = Compile(true, "base.idl");
  EXPECT_EQ(as_main.stats.stored, 1);
  Result importer = Compile(true);  // imports base.idl: parsed once already
  EXPECT_EQ(importer.stats.hits, 1);
  EXPECT_EQ(importer.stats.misses, 1);
  EXPECT_EQ(importer.json, Compile(false).json);
  Result again = Compile(true, "base.idl");
  EXPECT_EQ(again.stats.hits, 1);
  EXPECT_EQ(again.json, as_main.json);
}

TEST_F(ImportCacheTest, SemanticErrorsOfACachedFileAreReportedEveryTime) {
  Write("main.idl", "typedef Missing T;\n");
  Result first = Compile(true);
  EXPECT_EQ(first.stats.stored, 1);  // it parsed cleanly: the error is semantic
  Result second = Compile(true);
  EXPECT_EQ(second.stats.hits, 1);
  EXPECT_NE(first.diagnostics.find("error: unknown type 'Missing'"), std::string::npos)
      << first.diagnostics;
  EXPECT_EQ(second.diagnostics, first.diagnostics);
}

TEST_F(ImportCacheTest, SyntaxErrorsAreNeverStored) {
  Write("main.idl", "typedef long;;; interface {\n");
  Result first = Compile(true);
  EXPECT_EQ(first.stats.stored, 0);
  Result second = Compile(true);
  EXPECT_EQ(second.stats.hits, 0);
  EXPECT_FALSE(second.diagnostics.empty());
  EXPECT_EQ(second.diagnostics, first.diagnostics);
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Loads `path` through a fresh cache: true on a hit.
bool LoadOnly(const fs::path& dir, const PreprocessorOptions& options, const std::string& path) {
  SourceManager sources;
  ast::File file;
  ImportCache cache(dir, options);
  return cache.Load(path, sources, file);
}

TEST_F(ImportCacheTest, TruncatedEntriesAreMissesNeverCrashes) {
  std::string expected = Compile(false).json;
  Compile(true);
  const std::string base = (dir_ / "base.idl").string();
  const std::string entry = ReadFile(Entry());
  ASSERT_GT(entry.size(), 100u);
  ASSERT_TRUE(LoadOnly(dir_ / "cache", options_, base));
  for (std::size_t length = 0; length < entry.size(); ++length) {
    std::ofstream(Entry(), std::ios::binary | std::ios::trunc) << entry.substr(0, length);
    ASSERT_FALSE(LoadOnly(dir_ / "cache", options_, base)) << "length " << length;
  }
  Result result = Compile(true);    // the miss reparses and stores again
  EXPECT_EQ(result.stats.hits, 1);  // main.idl
  EXPECT_EQ(result.stats.stored, 1);
  EXPECT_EQ(result.json, expected);
}

TEST_F(ImportCacheTest, DamagedEntriesAreRejected) {
  std::string expected = Compile(false).json;
  Compile(true);
  const std::string base = (dir_ / "base.idl").string();
  const std::string entry = ReadFile(Entry());
  std::mt19937 random(1234);
  for (int round = 0; round < 3000; ++round) {
    std::string bad = entry;
    int flips = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < flips; ++i)
      bad[random() % bad.size()] ^= static_cast<char>(1 + random() % 255);
    std::ofstream(Entry(), std::ios::binary | std::ios::trunc) << bad;
    ASSERT_FALSE(LoadOnly(dir_ / "cache", options_, base)) << "round " << round;
  }
  Result result = Compile(true);
  EXPECT_EQ(result.stats.rejected + result.stats.misses + result.stats.stale, 1);
  EXPECT_EQ(result.json, expected);
}

// Below the checksum: the archive reader itself on damaged bytes. Whatever
// it accepts must be an AST the analyzer can take without crashing.
// IDLC_ARCHIVE_TEST_SEED / _ROUNDS run it longer by hand.
void DamageArchive(const std::string& path, const PreprocessorOptions& options) {
  SourceManager sources;
  CollectingSink sink;
  Loader loader(options, sources, sink);
  std::vector<LoadedFile> files = loader.Load(path);
  ASSERT_FALSE(files.empty());
  ASSERT_EQ(sink.error_count(), 0);
  const std::string archive = WriteAstArchive(files.back().ast, sources);
  ast::File copy;
  ASSERT_TRUE(ReadAstArchive(archive, sources, copy));
  EXPECT_EQ(WriteAstArchive(copy, sources), archive);  // lossless round trip
  const char* seed_env = std::getenv("IDLC_ARCHIVE_TEST_SEED");
  std::mt19937 random(seed_env != nullptr ? static_cast<unsigned>(std::atoi(seed_env)) : 99);
  const char* rounds_env = std::getenv("IDLC_ARCHIVE_TEST_ROUNDS");
  const int rounds = rounds_env != nullptr ? std::atoi(rounds_env) : 10000;
  int accepted = 0;
  for (int round = 0; round < rounds; ++round) {
    std::string bad = archive;
    int flips = 1 + static_cast<int>(random() % 3);
    for (int i = 0; i < flips; ++i)
      bad[random() % bad.size()] ^= static_cast<char>(1 + random() % 255);
    if (random() % 4 == 0) bad.resize(random() % bad.size());
    ast::File out;
    if (!ReadAstArchive(bad, sources, out)) continue;
    ++accepted;
    CollectingSink analysis_sink;
    Analyze({SourceUnit{&out, true}}, analysis_sink);
  }
  EXPECT_GT(accepted, 0);  // the analyzer really was fed damaged ASTs
}

TEST_F(ImportCacheTest, ArchiveReaderSurvivesDamageBehindTheChecksum) {
  DamageArchive((dir_ / "base.idl").string(), options_);
}

TEST_F(ImportCacheTest, ArchiveOfEveryConstructSurvivesDamage) {
  DamageArchive(IDLC_CONFORMANCE_IDL, PreprocessorOptions{});
}

}  // namespace
}  // namespace alpaca::idl
