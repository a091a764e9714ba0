#include "lib/model/yaml_guard.hpp"

#include <algorithm>

#include "lib/core/utf8.hpp"

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
  // yaml-cpp 0.7 never gets past a ',' outside [] or {} at the top of a document: it starts the
  // same empty document again and again. Every real document takes at least one byte.
  void OnDocumentStart(const YAML::Mark& mark) override {
    depth_ = 0;
    if (++documents_ > max_documents_)
      throw Refused{mark, "the YAML parser makes no progress here",
                    "look for a ',' outside [ ] or { }"};
  }
  explicit ShapeCheck(size_t max_documents) : max_documents_(max_documents) {}
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
  size_t documents_ = 0;
  size_t max_documents_;
};

}  // namespace

std::optional<Problem> checkYamlShape(std::string_view text, const std::string& file) {
  auto at = [&](const YAML::Mark& m) { return SourceLocation{file, m.line + 1, m.column + 1}; };
  // YAML is Unicode text; yaml-cpp passes other bytes through, to be refused later by JSON.
  if (auto bad = core::invalidUtf8At(text)) {
    const auto before = text.substr(0, *bad);
    const auto line_start = before.rfind('\n');
    const int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    const int column =
        static_cast<int>(*bad - (line_start == std::string_view::npos ? 0 : line_start + 1)) + 1;
    return Problem{SourceLocation{file, line, column}, "this byte is not UTF-8 text",
                   "save the file as UTF-8"};
  }
  std::istringstream in{std::string(text)};
  ShapeCheck check(text.size() + 1);
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
