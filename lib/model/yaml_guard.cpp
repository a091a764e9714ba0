#include "lib/model/yaml_guard.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <sstream>

namespace rpa::model {

namespace {

struct Refused {
  YAML::Mark mark;
  std::string message;
  std::string hint;
};

// Throws Refused at the first alias or at too deep a nesting, which also stops the parser.
class ShapeCheck : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override { depth_ = 0; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    throw Refused{mark, "YAML aliases (*name) are not accepted", "write the value out in full"};
  }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    enter(mark);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    enter(mark);
  }
  void OnMapEnd() override { --depth_; }

 private:
  void enter(const YAML::Mark& mark) {
    if (++depth_ > kMaxYamlDepth)
      throw Refused{mark, "nested more than " + std::to_string(kMaxYamlDepth) + " levels deep", {}};
  }
  int depth_ = 0;
};

}  // namespace

std::optional<Problem> checkYamlShape(std::string_view text, const std::string& file) {
  auto at = [&](const YAML::Mark& m) { return SourceLocation{file, m.line + 1, m.column + 1}; };
  std::istringstream in{std::string(text)};
  ShapeCheck check;
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(check)) {
    }
  } catch (const Refused& r) {
    return Problem{at(r.mark), r.message, r.hint};
  } catch (const YAML::Exception& e) {
    return Problem{at(e.mark), e.msg, {}};
  }
  return std::nullopt;
}

}  // namespace rpa::model
