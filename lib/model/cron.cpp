#include "lib/model/cron.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

namespace rpa::model {

namespace {

using namespace std::chrono;

struct Field {
  size_t offset;
  std::string_view text;
};

struct FieldSpec {
  std::string_view name;
  int min;
  int max;
  std::span<const std::string_view> names;  // names[i] stands for min + i; empty if none
  std::string_view namesHint;               // e.g. "a month name (JAN-DEC)"
};

constexpr std::array<std::string_view, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> kDayNames = {"SUN", "MON", "TUE", "WED",
                                                       "THU", "FRI", "SAT"};

const std::array<FieldSpec, 5> kFields = {{
    {"minute", 0, 59, {}, ""},
    {"hour", 0, 23, {}, ""},
    {"day-of-month", 1, 31, {}, ""},
    {"month", 1, 12, kMonthNames, "a month name (JAN-DEC)"},
    {"day-of-week", 0, 7, kDayNames, "a day name (SUN-SAT)"},
}};

struct Macro {
  std::string_view name;
  std::string_view expansion;
};

constexpr std::array<Macro, 7> kMacros = {{
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
    {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
}};

std::string quoted(std::string_view s) {
  // Appended piece by piece: GCC 12 at -O2 warns falsely (-Wrestrict) on "\"" + string.
  std::string out = "\"";
  out.append(s);
  out += '"';
  return out;
}

char upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

bool equalsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return upper(x) == upper(y); });
}

std::vector<Field> splitFields(std::string_view text) {
  std::vector<Field> fields;
  for (size_t start = text.find_first_not_of(" \t"); start != std::string_view::npos;
       start = text.find_first_not_of(" \t", start)) {
    size_t end = std::min(text.find_first_of(" \t", start), text.size());
    fields.push_back({start, text.substr(start, end - start)});
    start = end;
  }
  return fields;
}

// Levenshtein distance, case-insensitive; the strings are a few characters long.
size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min(
          {row[j] + 1, row[j - 1] + 1, diagonal + (upper(a[i - 1]) == upper(b[j - 1]) ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string unknownMacro(std::string_view word) {
  std::string_view best;
  size_t bestDistance = 3;  // farther than two edits is a different word, not a typo
  for (const Macro& m : kMacros) {
    bool prefix = word.size() >= 3 && equalsNoCase(m.name.substr(0, word.size()), word);
    size_t d = prefix ? 0 : editDistance(word, m.name);
    if (d < bestDistance) best = m.name, bestDistance = d;
  }
  std::string message = "unknown macro " + quoted(word);
  if (!best.empty()) return message + " (did you mean " + std::string(best) + "?)";
  message += " (expected one of";
  for (const Macro& m : kMacros) {
    message += ' ';
    message.append(m.name);
  }
  return message + ")";
}

// One value of a field: a number or, where the field has them, a three-letter name.
std::variant<int, std::string> parseValue(std::string_view token, const FieldSpec& spec) {
  if (!token.empty() &&
      std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int value = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (ec == std::errc{} && value >= spec.min && value <= spec.max) return value;
    return std::string(spec.name) + " " + std::string(token) + " is out of range " +
           std::to_string(spec.min) + "-" + std::to_string(spec.max);
  }
  if (!spec.names.empty()) {
    for (size_t i = 0; i < spec.names.size(); ++i)
      if (equalsNoCase(token, spec.names[i])) return spec.min + static_cast<int>(i);
    return std::string(spec.name) + " " + quoted(token) + " is not a number or " +
           std::string(spec.namesHint);
  }
  return std::string(spec.name) + " " + quoted(token) + " is not a number";
}

// One list item: `*`, `a`, or `a-b`, each optionally followed by `/step`. Sets bits in `bits`.
std::optional<std::string> parseItem(std::string_view item, const FieldSpec& spec, uint64_t& bits) {
  std::string_view base = item;
  int step = 1;
  bool hasStep = false;
  if (size_t slash = item.find('/'); slash != std::string_view::npos) {
    base = item.substr(0, slash);
    std::string_view text = item.substr(slash + 1);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), step);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || step <= 0)
      return std::string(spec.name) + " step must be a positive number, got " + quoted(text);
    hasStep = true;
  }
  int first = spec.min;
  int last = spec.max;
  if (base != "*") {
    size_t dash = base.find('-');
    std::string_view lo = base.substr(0, dash);
    std::string_view hi = dash == std::string_view::npos ? "" : base.substr(dash + 1);
    if (lo.empty() || (dash != std::string_view::npos && hi.empty()))
      return std::string(spec.name) + " " + quoted(base) + " is not a valid range; write it as a-b";
    auto a = parseValue(lo, spec);
    if (auto* e = std::get_if<std::string>(&a)) return *e;
    first = std::get<int>(a);
    if (dash == std::string_view::npos) {
      last = hasStep ? spec.max : first;  // `a/n` runs from a to the field's end
    } else {
      auto b = parseValue(hi, spec);
      if (auto* e = std::get_if<std::string>(&b)) return *e;
      last = std::get<int>(b);
      if (first > last)
        return std::string(spec.name) + " range " + std::string(base) +
               " is backwards; write the lower bound first";
    }
  }
  for (int64_t v = first; v <= last; v += step) bits |= uint64_t{1} << v;  // 64 bits: no overflow
  return std::nullopt;
}

std::variant<uint64_t, std::string> parseField(std::string_view text, const FieldSpec& spec) {
  uint64_t bits = 0;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma - start);
    if (item.empty())
      return std::string(spec.name) + " has an empty item in " + quoted(text) +
             "; remove the extra comma";
    if (auto problem = parseItem(item, spec, bits)) return *problem;
    if (comma == std::string_view::npos) return bits;
    start = comma + 1;
  }
}

}  // namespace

std::variant<CronSchedule, CronProblem> CronSchedule::parse(std::string_view text) {
  std::vector<Field> fields = splitFields(text);
  if (!fields.empty() && fields[0].text.starts_with('@')) {
    auto macro = std::find_if(kMacros.begin(), kMacros.end(),
                              [&](const Macro& m) { return equalsNoCase(m.name, fields[0].text); });
    if (macro == kMacros.end()) return CronProblem{fields[0].offset, unknownMacro(fields[0].text)};
    if (fields.size() > 1)
      return CronProblem{
          fields[1].offset,
          std::string(macro->name) + " takes no other fields; remove " + quoted(fields[1].text)};
    return parse(macro->expansion);
  }
  if (fields.size() != kFields.size())
    return CronProblem{0, "expected 5 fields (minute hour day-of-month month day-of-week), got " +
                              std::to_string(fields.size())};

  std::array<uint64_t, 5> bits{};
  for (size_t i = 0; i < kFields.size(); ++i) {
    auto parsed = parseField(fields[i].text, kFields[i]);
    if (auto* e = std::get_if<std::string>(&parsed)) return CronProblem{fields[i].offset, *e};
    bits[i] = std::get<uint64_t>(parsed);
  }
  CronSchedule s;
  s.minutes_ = bits[0];
  s.hours_ = bits[1];
  s.days_ = bits[2];
  s.months_ = bits[3];
  s.weekdays_ = bits[4] | (bits[4] >> 7);  // 7 is Sunday too
  // Vixie cron treats a field as unrestricted when it starts with `*`, so `*/2` counts as `*`.
  s.any_day_of_month_ = fields[2].text.starts_with('*');
  s.any_day_of_week_ = fields[4].text.starts_with('*');
  return s;
}

std::optional<core::TimePoint> CronSchedule::next(core::TimePoint after) const {
  sys_time<minutes> t = floor<minutes>(after) + minutes{1};
  year_month_day start{floor<days>(t)};
  year_month_day end = start + years{5};
  if (!end.ok()) end = end.year() / end.month() / last;  // 29 February five years on
  const sys_time<minutes> limit = sys_days{end} + (t - floor<days>(t));

  // Each step either returns or jumps to the start of the next candidate month, day or hour,
  // so a search over five years takes a few thousand steps at most.
  while (t <= limit) {
    const sys_days day = floor<days>(t);
    const year_month_day ymd{day};
    if (!months_[static_cast<unsigned>(ymd.month())]) {
      t = sys_days{(ymd.year() / ymd.month() + months{1}) / 1};
      continue;
    }
    const bool domMatch = days_[static_cast<unsigned>(ymd.day())];
    const bool dowMatch = weekdays_[weekday{day}.c_encoding()];
    const bool dayMatch =
        (any_day_of_month_ || any_day_of_week_) ? (domMatch && dowMatch) : (domMatch || dowMatch);
    if (!dayMatch) {
      t = day + days{1};
      continue;
    }
    const auto hour = floor<hours>(t - day);
    if (!hours_[static_cast<size_t>(hour.count())]) {
      t = day + hour + hours{1};
      continue;
    }
    size_t minute = static_cast<size_t>((t - day - hour).count());
    while (minute < minutes_.size() && !minutes_[minute]) ++minute;
    if (minute == minutes_.size()) {
      t = day + hour + hours{1};
      continue;
    }
    return day + hour + minutes{static_cast<int>(minute)};
  }
  return std::nullopt;
}

}  // namespace rpa::model
