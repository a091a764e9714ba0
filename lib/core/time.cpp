#include "lib/core/time.hpp"

#include <cctype>
#include <charconv>
#include <chrono>
#include <ctime>
#include <limits>

#include <fmt/format.h>

namespace rpa::core {

namespace {

// Reads exactly `width` digits at `pos`; advances pos.
std::optional<int> digits(std::string_view s, size_t& pos, size_t width) {
  if (pos + width > s.size()) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(s.data() + pos, s.data() + pos + width, value);
  if (ec != std::errc{} || end != s.data() + pos + width) return std::nullopt;
  pos += width;
  return value;
}

bool expect(std::string_view s, size_t& pos, std::string_view any_of) {
  if (pos >= s.size() || any_of.find(s[pos]) == std::string_view::npos) return false;
  ++pos;
  return true;
}

}  // namespace

int64_t toUnixMillis(TimePoint t) {
  return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
}

TimePoint fromUnixMillis(int64_t ms) {
  return TimePoint{Millis{ms}};
}

// Calendar arithmetic rather than gmtime_r + fmt: every heartbeat formats several timestamps,
// and gmtime_r takes glibc's timezone lock.
std::string formatRfc3339(TimePoint t) {
  using namespace std::chrono;
  const auto ms = time_point_cast<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day date{day};
  const hh_mm_ss time{ms - day};
  const int year = static_cast<int>(date.year());
  if (year < 0 || year > 9999)
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", year,
                       static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                       time.hours().count(), time.minutes().count(), time.seconds().count(),
                       time.subseconds().count());
  std::string out = "0000-00-00T00:00:00.000Z";
  auto put = [&out](size_t pos, size_t width, long value) {
    for (size_t i = width; i-- > 0; value /= 10) out[pos + i] = static_cast<char>('0' + value % 10);
  };
  put(0, 4, year);
  put(5, 2, static_cast<unsigned>(date.month()));
  put(8, 2, static_cast<unsigned>(date.day()));
  put(11, 2, time.hours().count());
  put(14, 2, time.minutes().count());
  put(17, 2, time.seconds().count());
  put(20, 3, time.subseconds().count());
  return out;
}

std::optional<TimePoint> parseRfc3339(std::string_view s) {
  size_t pos = 0;
  auto year = digits(s, pos, 4);
  if (!year || !expect(s, pos, "-")) return std::nullopt;
  auto month = digits(s, pos, 2);
  if (!month || !expect(s, pos, "-")) return std::nullopt;
  auto day = digits(s, pos, 2);
  if (!day || !expect(s, pos, "Tt ")) return std::nullopt;
  auto hour = digits(s, pos, 2);
  if (!hour || !expect(s, pos, ":")) return std::nullopt;
  auto minute = digits(s, pos, 2);
  if (!minute || !expect(s, pos, ":")) return std::nullopt;
  auto second = digits(s, pos, 2);
  if (!second) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 ||
      *second > 60)
    return std::nullopt;
  // system_clock counts nanoseconds in 64 bits: 1677-09-21 to 2262-04-11. Whole years inside.
  if (*year < kMinYear || *year > kMaxYear) return std::nullopt;

  int64_t frac_ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    int scale = 100;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      frac_ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }

  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    auto oh = digits(s, pos, 2);
    if (!oh || !expect(s, pos, ":")) return std::nullopt;
    auto om = digits(s, pos, 2);
    if (!om || *oh > 23 || *om > 59) return std::nullopt;
    offset_minutes = sign * (*oh * 60 + *om);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;

  using namespace std::chrono;
  const auto ymd =
      year_month_day{std::chrono::year{*year}, std::chrono::month(*month), std::chrono::day(*day)};
  if (!ymd.ok()) return std::nullopt;
  auto t = sys_days{ymd} + hours{*hour} + minutes{*minute} + seconds{*second} +
           milliseconds{frac_ms} - minutes{offset_minutes};
  // An offset may carry the instant out of the accepted years: it must format back into them.
  if (t < sys_days{std::chrono::year{kMinYear} / 1 / 1} ||
      t >= sys_days{std::chrono::year{kMaxYear + 1} / 1 / 1})
    return std::nullopt;
  return time_point_cast<system_clock::duration>(t);
}

std::optional<Millis> parseDuration(std::string_view text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end == text.data() || n < 0) return std::nullopt;
  const std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  struct Unit {
    std::string_view name;
    int64_t ms;
  };
  static constexpr Unit kUnits[] = {{"", 1000},    {"ms", 1},        {"s", 1000},
                                    {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
  for (const auto& u : kUnits)
    if (u.name == unit) {
      if (n > std::numeric_limits<int64_t>::max() / u.ms) return std::nullopt;
      return Millis{n * u.ms};
    }
  return std::nullopt;
}

}  // namespace rpa::core
