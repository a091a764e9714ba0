#pragma once

#include <termios.h>

#include <functional>
#include <string>
#include <vector>

#include "cli/live_feed.hpp"

namespace rpa::cli {

/// SIGINT, SIGTERM and SIGHUP set a flag instead of killing rpactl, so a live view restores
/// the terminal before it exits.
void catchStopSignals();
bool stopRequested();

/// The terminal in raw mode on the alternate screen, restored however the view ends.
class Screen {
 public:
  Screen();
  ~Screen();
  Screen(const Screen&) = delete;
  Screen& operator=(const Screen&) = delete;
  /// True when the user pressed q.
  bool quitPressed();
  static int rows();

 private:
  bool interactive_ = false;
  termios saved_{};
};

/// A live view's loop on the alternate screen: each event of `feed` goes to `apply` (its data),
/// a gap in the feed to `relist`; the view is redrawn when something changed and every second
/// (its ages tick), until q or a signal.
void runLiveView(LiveFeed& feed, const std::function<void()>& relist,
                 const std::function<void(const nlohmann::json&)>& apply,
                 const std::function<std::string()>& render);

/// Builds one redraw of a live view: lines cleared to their end, the screen below cleared.
class Frame {
 public:
  Frame();
  void line(const std::string& text);
  /// A header (after `indent`) and rows as aligned columns, as many as fit below what is drawn
  /// so far; `decorate(row, column, padded)` may colour a padded cell or put a marker as wide
  /// as `indent` before column 0.
  template <typename Decorate>
  void table(const std::vector<std::string>& headers,
             const std::vector<std::vector<std::string>>& rows, const std::string& indent,
             Decorate decorate);
  std::string done();

 private:
  std::vector<size_t> widths(const std::vector<std::string>& headers,
                             const std::vector<std::vector<std::string>>& rows) const;
  std::string text_;
  int lines_ = 0;
};

template <typename Decorate>
void Frame::table(const std::vector<std::string>& headers,
                  const std::vector<std::vector<std::string>>& rows, const std::string& indent,
                  Decorate decorate) {
  const auto width = widths(headers, rows);
  const auto pad = [&](const std::string& text, size_t i) {
    return text + std::string(width[i] - text.size() + 2, ' ');
  };
  std::string head = indent;
  for (size_t i = 0; i < headers.size(); ++i) head += pad(headers[i], i);
  line(head);
  const size_t room = static_cast<size_t>(std::max(1, Screen::rows() - lines_ - 1));
  for (size_t r = 0; r < rows.size() && r < room; ++r) {
    std::string text;
    for (size_t i = 0; i < rows[r].size(); ++i) text += decorate(r, i, pad(rows[r][i], i));
    line(text);
  }
  if (rows.size() > room) line("… " + std::to_string(rows.size() - room) + " more");
}

}  // namespace rpa::cli
