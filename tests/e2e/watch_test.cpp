// rpactl watch and wait against the real rpad: on a terminal (tmux), as JSON lines, as a CI gate.
#include <catch2/catch.hpp>
#include <sstream>
#include <thread>

#include "tests/support/command_process.hpp"
#include "tests/support/rpad_process.hpp"
#include "tests/support/tmux.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

void beat(const test::RpadProcess& rpad, const test::Robot& bot, const char* status) {
  client::HttpClient http(rpad.url(), bot.token);
  REQUIRE(http.send("POST", "/api/v1/client/heartbeat", {{"client_id", bot.id}, {"status", status}})
              .status == 200);
}

std::string rpactl(const test::RpadProcess& rpad, const std::string& args) {
  return std::string("env NO_COLOR=1 ") + RPACTL_BIN + " --server " + rpad.url() + " --token " +
         rpad.adminToken() + " " + args;
}

}  // namespace

TEST_CASE("watch on a terminal: rows appear, change live, and survive a restart of rpad") {
  test::TempDir dir;
  auto rpad = std::make_unique<test::RpadProcess>(std::vector<std::string>{},
                                                  std::map<std::string, std::string>{}, dir.path());
  const int port = rpad->port();
  auto bot1 = test::registerRobot(*rpad, "bot-1");
  auto bot2 = test::registerRobot(*rpad, "bot-2");
  test::Tmux tmux("rpactl-watch-" + std::to_string(port),
                  rpactl(*rpad, "watch") + "; echo EXIT=$?; sleep 60");
  REQUIRE(tmux.shows("connected"));
  CHECK(tmux.rowShows("bot-1", "offline"));
  CHECK(tmux.rowShows("bot-2", "never"));
  CHECK(tmux.shows("0 online, 2 offline"));

  beat(*rpad, bot1, "busy");
  CHECK(tmux.rowShows("bot-1", "busy", 1s));
  CHECK(tmux.shows("1 online, 1 offline"));
  // Timeout 2 s: the row turns offline within timeout + 1 s of the last heartbeat.
  const auto last = std::chrono::steady_clock::now();
  CHECK(tmux.rowShows("bot-1", "offline", 3500ms));
  CHECK(std::chrono::steady_clock::now() - last <= 3100ms);

  // rpad goes away: the header says so; it comes back on the same port and database.
  beat(*rpad, bot2, "idle");
  CHECK(tmux.rowShows("bot-2", "idle", 1s));
  rpad->stop();
  rpad.reset();
  CHECK(tmux.shows("reconnecting in"));
  rpad = std::make_unique<test::RpadProcess>(
      std::vector<std::string>{"--listen", "127.0.0.1:" + std::to_string(port)},
      std::map<std::string, std::string>{}, dir.path());
  beat(*rpad, bot1, "online");  // a transition while the view is still reconnecting
  CHECK(tmux.shows("connected", 8s));
  CHECK(tmux.rowShows("bot-1", "online"));
  // bot-2 was idle when rpad stopped: restart grace, then offline by timeout — seen live.
  CHECK(tmux.rowShows("bot-2", "offline", 5s));

  tmux.keys({"q"});
  CHECK(tmux.shows("EXIT=0"));
}

TEST_CASE("watch -o json prints one event per line and filters them") {
  test::RpadProcess rpad({"--heartbeat-timeout", "60"});
  auto bot1 = test::registerRobot(rpad, "bot-1");
  auto bot2 = test::registerRobot(rpad, "bot-2");
  test::CommandResult all, busy_only;
  std::thread watchers([&] {
    std::thread second([&] {
      busy_only = test::runCommand(
          {"timeout", "4", "sh", "-c", rpactl(rpad, "watch -o json --status busy")});
    });
    all = test::runCommand({"timeout", "4", "sh", "-c", rpactl(rpad, "watch -o json")});
    second.join();
  });
  std::this_thread::sleep_for(2s);  // both watchers connected, also on a busy machine
  beat(rpad, bot1, "busy");
  beat(rpad, bot2, "idle");
  beat(rpad, bot2, "idle");  // no transition
  watchers.join();

  std::vector<json> events;
  std::istringstream lines(all.out);
  for (std::string line; std::getline(lines, line);) events.push_back(json::parse(line));
  REQUIRE(events.size() == 2);
  CHECK(events[0]["type"] == "CLIENT_CONNECTED");
  CHECK(events[0]["data"]["name"] == "bot-1");
  CHECK(events[1]["data"]["name"] == "bot-2");
  CHECK(events[1]["seq"] > events[0]["seq"]);

  std::istringstream busy(busy_only.out);
  std::string line;
  REQUIRE(std::getline(busy, line));
  CHECK(json::parse(line)["data"]["status"] == "busy");
  CHECK_FALSE(std::getline(busy, line));
}

TEST_CASE("wait exits 0 when the robot gets there and 8 when the timeout passes") {
  test::RpadProcess rpad({"--heartbeat-timeout", "60"});
  auto bot = test::registerRobot(rpad, "bot-1");
  test::CommandResult waited;
  std::thread waiter([&] {
    waited = test::runCommand(
        {"sh", "-c", rpactl(rpad, "wait client bot-1 --for status=busy --timeout 10s")});
  });
  std::this_thread::sleep_for(500ms);
  beat(rpad, bot, "idle");
  beat(rpad, bot, "busy");
  waiter.join();
  CHECK(waited.exit_code == 0);
  CHECK(waited.out == "client bot-1 is busy\n");

  // Already there: at once.
  auto now = test::runCommand(
      {"sh", "-c", rpactl(rpad, "wait client " + std::to_string(bot.id) + " --for status=busy")});
  CHECK(now.exit_code == 0);

  const auto start = std::chrono::steady_clock::now();
  auto late = test::runCommand(
      {"sh", "-c", rpactl(rpad, "wait client bot-1 --for status=offline --timeout 1s")});
  CHECK(late.exit_code == 8);
  CHECK(late.err.find("timed out after 1s") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < 3s);

  CHECK(test::runCommand({"sh", "-c", rpactl(rpad, "wait client bot-1 --for status=asleep")})
            .exit_code == 3);
  CHECK(test::runCommand({"sh", "-c", rpactl(rpad, "wait client nobody --for status=busy")})
            .exit_code == 5);
}

TEST_CASE("heartbeat send --ws acts as a robot over the WebSocket") {
  test::RpadProcess rpad;
  auto bot = test::registerRobot(rpad, "bot-1");
  auto ok = test::runCommand({RPACTL_BIN, "--server", rpad.url(), "--token", bot.token, "heartbeat",
                              "send", "--ws", "--client-id", std::to_string(bot.id), "--status",
                              "busy", "-o", "json"});
  CHECK(ok.exit_code == 0);
  CHECK(json::parse(ok.out)["status"] == "busy");
  auto other = test::runCommand({RPACTL_BIN, "--server", rpad.url(), "--token", bot.token,
                                 "heartbeat", "send", "--ws", "--client-id", "999"});
  CHECK(other.exit_code == 5);
  auto bad_token = test::runCommand({RPACTL_BIN, "--server", rpad.url(), "--token", "nope",
                                     "heartbeat", "send", "--ws", "--client-id", "1"});
  CHECK(bad_token.exit_code == 4);
}
