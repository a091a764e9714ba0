// The terminal side of rpactl's live views (watch clients, watch runs).
#include "cli/screen.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>

namespace rpa::cli {

namespace {

volatile sig_atomic_t g_stop = 0;

void onSignal(int) {
  g_stop = 1;
}

}  // namespace

void catchStopSignals() {
  struct sigaction sa {};
  sa.sa_handler = onSignal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

bool stopRequested() {
  return g_stop != 0;
}

Screen::Screen() {
  interactive_ = ::isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_) == 0;
  if (interactive_) {
    termios raw = saved_;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);  // ISIG stays: Ctrl-C still quits
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &raw);
  }
  std::cout << "\x1b[?1049h\x1b[?25l" << std::flush;
}

Screen::~Screen() {
  std::cout << "\x1b[?25h\x1b[?1049l" << std::flush;
  if (interactive_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
}

bool Screen::quitPressed() {
  if (!interactive_) return false;
  pollfd p{STDIN_FILENO, POLLIN, 0};
  char c = 0;
  while (::poll(&p, 1, 0) > 0 && ::read(STDIN_FILENO, &c, 1) == 1)
    if (c == 'q' || c == 'Q') return true;
  return false;
}

int Screen::rows() {
  winsize w{};
  return ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_row > 0 ? w.ws_row : 24;
}

void runLiveView(LiveFeed& feed, const std::function<void()>& relist,
                 const std::function<void(const nlohmann::json&)>& apply,
                 const std::function<std::string()>& render) {
  using namespace std::chrono_literals;
  Screen screen;
  auto drawn = std::chrono::steady_clock::time_point{};
  bool dirty = true;
  while (!stopRequested() && !screen.quitPressed()) {
    if (auto update = feed.next(100ms)) {
      dirty = true;
      if (update->kind == LiveFeed::Update::Kind::kListAgain)
        relist();
      else if (update->kind == LiveFeed::Update::Kind::kEvent)
        apply(update->frame["data"]);
    }
    const auto now = std::chrono::steady_clock::now();
    if (dirty || now - drawn >= 1s) {
      std::cout << render() << std::flush;
      drawn = now;
      dirty = false;
    }
  }
}

Frame::Frame() : text_("\x1b[H") {}

void Frame::line(const std::string& text) {
  text_ += text + "\x1b[K\r\n";
  ++lines_;
}

std::string Frame::done() {
  return text_ + "\x1b[J";
}

std::vector<size_t> Frame::widths(const std::vector<std::string>& headers,
                                  const std::vector<std::vector<std::string>>& rows) const {
  std::vector<size_t> width(headers.size());
  for (size_t i = 0; i < headers.size(); ++i) width[i] = headers[i].size();
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  return width;
}

}  // namespace rpa::cli
