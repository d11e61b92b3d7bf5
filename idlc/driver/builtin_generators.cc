// The json and cpp back ends (generator.h).
#include <filesystem>
#include <utility>

#include "idlc/driver/generator.h"
#include "idlc/emit/json_emitter.h"
#include "idlc/gen/generators.h"
#include "idlc/gen/plan.h"

namespace alpaca::idl {
namespace {

// --emit=json: the checked model (docs/idlc.md). It keeps its JSON tree:
// the driver never destroys a generator, so millions of nodes are not freed
// one by one before the process exits.
class JsonGenerator final : public Generator {
 public:
  std::string_view Name() const override { return "json"; }
  std::string_view Description() const override { return "json (the checked model)"; }
  bool PrintsToStdout() const override { return true; }
  std::string PrimaryOutput(const GeneratorOptions& options) const override {
    return options.stem + ".json";
  }
  GeneratedFiles Generate(const Model& model, const GeneratorOptions& options,
                          DiagnosticSink&) override {
    json_ = ModelToJson(model, options.include_imported);
    std::string text =
        json_.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    GeneratedFiles files;
    files.emplace(PrimaryOutput(options), std::move(text));
    return files;
  }

 private:
  nlohmann::ordered_json json_;
};

// --emit=cpp: types, NDR codecs, client proxies and server stubs
// (docs/generators.md).
class CppGenerator final : public Generator {
 public:
  std::string_view Name() const override { return "cpp"; }
  std::string_view Description() const override {
    return "cpp (types, NDR codecs, client proxies, server stubs)";
  }
  bool PrintsToStdout() const override { return false; }
  std::string PrimaryOutput(const GeneratorOptions& options) const override {
    return options.stem + "_types.h";
  }
  GeneratedFiles Generate(const Model& model, const GeneratorOptions& options,
                          DiagnosticSink& sink) override {
    // Types nothing remoted needs and NDR cannot carry: analysis accepted
    // the file; say what the headers leave out.
    for (const UnremotableType& skipped : model.remoting.unremotable) {
      sink.Warning(skipped.loc, skipped.reason + " (not generated)");
    }
    gen::FilePlan plan =
        gen::PlanFile(model, gen::PlanOptions{options.stem, options.cpp_namespace});
    return gen::GenerateCpp(plan);
  }
};

}  // namespace

std::vector<std::unique_ptr<Generator>> MakeGenerators() {
  std::vector<std::unique_ptr<Generator>> all;
  all.push_back(std::make_unique<JsonGenerator>());
  all.push_back(std::make_unique<CppGenerator>());
  return all;
}

}  // namespace alpaca::idl
