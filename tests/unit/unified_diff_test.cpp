#include "lib/flows/unified_diff.hpp"

#include <string>

#include <catch2/catch.hpp>

using rpa::flows::unifiedDiff;

// Every expected text below is GNU diff 3.8's `diff -u` output with the dates cut from the
// "---" and "+++" lines.

namespace {

const std::string kFive = "a\nb\nc\nd\ne\n";

std::string numbers(int count) {
  std::string out;
  for (int i = 1; i <= count; ++i) out += std::to_string(i) + "\n";
  return out;
}

std::string diff(std::string_view before, std::string_view after, int context = 3) {
  return unifiedDiff(before, after, "a", "b", context);
}

}  // namespace

TEST_CASE("equal texts have no diff") {
  CHECK(diff("", "") == "");
  CHECK(diff(kFive, kFive) == "");
  CHECK(diff("a\nb", "a\nb") == "");
}

TEST_CASE("insertions at the start, middle and end") {
  CHECK(diff(kFive, "new\n" + kFive) == "--- a\n+++ b\n@@ -1,3 +1,4 @@\n+new\n a\n b\n c\n");
  CHECK(diff(kFive, "a\nb\nnew\nc\nd\ne\n") ==
        "--- a\n+++ b\n@@ -1,5 +1,6 @@\n a\n b\n+new\n c\n d\n e\n");
  CHECK(diff(kFive, kFive + "new\n") == "--- a\n+++ b\n@@ -3,3 +3,4 @@\n c\n d\n e\n+new\n");
}

TEST_CASE("a deletion and a change") {
  CHECK(diff(kFive, "a\nb\nd\ne\n") == "--- a\n+++ b\n@@ -1,5 +1,4 @@\n a\n b\n-c\n d\n e\n");
  CHECK(diff(kFive, "a\nb\nC\nd\ne\n") ==
        "--- a\n+++ b\n@@ -1,5 +1,5 @@\n a\n b\n-c\n+C\n d\n e\n");
}

TEST_CASE("the file names head the diff") {
  CHECK(unifiedDiff("x\n", "y\n", "flows/nightly@3", "flows/nightly@4") ==
        "--- flows/nightly@3\n+++ flows/nightly@4\n@@ -1 +1 @@\n-x\n+y\n");
}

TEST_CASE("changes up to twice the context apart share a hunk") {
  std::string merged = numbers(20), split = numbers(20);
  merged.replace(merged.find("3\n"), 2, "three\n");
  merged.replace(merged.find("\n10\n") + 1, 3, "ten\n");
  split.replace(split.find("3\n"), 2, "three\n");
  split.replace(split.find("\n11\n") + 1, 3, "eleven\n");

  CHECK(diff(numbers(20), merged) ==
        "--- a\n+++ b\n@@ -1,13 +1,13 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n 7\n 8\n 9\n-10\n+ten\n"
        " 11\n 12\n 13\n");
  CHECK(diff(numbers(20), split) ==
        "--- a\n+++ b\n@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n"
        "@@ -8,7 +8,7 @@\n 8\n 9\n 10\n-11\n+eleven\n 12\n 13\n 14\n");
  CHECK(diff(numbers(20), merged, 2) ==
        "--- a\n+++ b\n@@ -1,5 +1,5 @@\n 1\n 2\n-3\n+three\n 4\n 5\n"
        "@@ -8,5 +8,5 @@\n 8\n 9\n-10\n+ten\n 11\n 12\n");
}

TEST_CASE("smaller contexts and one-line ranges") {
  CHECK(diff(kFive, "a\nb\nC\nd\ne\n", 1) == "--- a\n+++ b\n@@ -2,3 +2,3 @@\n b\n-c\n+C\n d\n");
  CHECK(diff(kFive, "a\nb\nC\nd\ne\n", 0) == "--- a\n+++ b\n@@ -3 +3 @@\n-c\n+C\n");
  CHECK(diff("1\n2\n3\n4\n", "1\n2\n3\n4\nnew\n", 0) == "--- a\n+++ b\n@@ -4,0 +5 @@\n+new\n");
  CHECK(diff("1\n2\n3\n4\nnew\n", "1\n2\n3\n4\n", 0) == "--- a\n+++ b\n@@ -5 +4,0 @@\n-new\n");
}

TEST_CASE("an empty side counts from line 0") {
  CHECK(diff("", kFive) == "--- a\n+++ b\n@@ -0,0 +1,5 @@\n+a\n+b\n+c\n+d\n+e\n");
  CHECK(diff(kFive, "") == "--- a\n+++ b\n@@ -1,5 +0,0 @@\n-a\n-b\n-c\n-d\n-e\n");
  CHECK(diff("", "x") == "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n\\ No newline at end of file\n");
}

TEST_CASE("a missing final newline is marked") {
  CHECK(diff("a\nb\nc", "a\nb\nC") ==
        "--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\n b\n-c\n\\ No newline at end of file\n+C\n"
        "\\ No newline at end of file\n");
  CHECK(diff("a\nb\nc", "a\nb\nc\n") ==
        "--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\n b\n-c\n\\ No newline at end of file\n+c\n");
  CHECK(diff("a\nb\nc\n", "a\nb\nc") ==
        "--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\n b\n-c\n+c\n\\ No newline at end of file\n");
  CHECK(diff("a\nb\nc", "A\nb\nc") ==
        "--- a\n+++ b\n@@ -1,3 +1,3 @@\n-a\n+A\n b\n c\n\\ No newline at end of file\n");
}

TEST_CASE("long texts with few changes diff quickly and minimally") {
  std::string before, after;
  for (int i = 0; i < 10000; ++i) {
    before += "line " + std::to_string(i) + "\n";
    after += (i == 5000 ? "changed " : "line ") + std::to_string(i) + "\n";
  }
  CHECK(diff(before, after, 1) ==
        "--- a\n+++ b\n@@ -5000,3 +5000,3 @@\n line 4999\n-line 5000\n+changed 5000\n"
        " line 5001\n");
  // Nothing in common: one hunk that replaces everything.
  const std::string out = diff(numbers(2000), std::string(3000, 'x'));
  CHECK(out.rfind("--- a\n+++ b\n@@ -1,2000 +1 @@\n-1\n-2\n", 0) == 0);
}
