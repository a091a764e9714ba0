// kill -9 of rpad under mixed load (registrations, heartbeats, applies, logins, users, tokens),
// at a random moment, round after round: after each restart the database is intact and every
// write rpad answered 2xx is there. Heartbeat timestamps newer than the flush interval are the
// one documented loss, and are not checked. RPA_CRASH_ROUNDS sets the rounds (make bench: 20).
#include <SQLiteCpp/Database.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "tests/support/rpad_process.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct Acknowledged {
  std::mutex mutex;
  std::vector<std::string> clients, flows, users, tokens;
  void add(std::vector<std::string>& list, std::string name) {
    std::lock_guard lock(mutex);
    list.push_back(std::move(name));
  }
};

json flowRepo(const std::string& name) {
  return {{"files",
           {{{"name", "repo/" + name + ".yaml"},
             {"content", "apiVersion: rpa/v1\nkind: Flow\nmetadata: {name: " + name +
                             "}\nspec:\n  steps: [{id: a, uses: log, with: {message: hi}}]\n"}}}}};
}

// Load until rpad goes away; every 2xx is recorded as acknowledged.
void load(const test::RpadProcess& rpad, int round, int worker, Acknowledged& acked,
          std::atomic<bool>& stop) {
  try {
    client::HttpClient admin(rpad.url(), rpad.adminToken(), 2s);
    for (int i = 0; !stop; ++i) {
      const std::string tag =
          std::to_string(round) + "-" + std::to_string(worker) + "-" + std::to_string(i);
      if (worker == 0) {
        auto r = admin.send("POST", "/api/v1/clients", {{"name", "bot-" + tag}});
        if (r.status == 201) {
          acked.add(acked.clients, "bot-" + tag);
          client::HttpClient bot(rpad.url(), r.body["token"].get<std::string>(), 2s);
          bot.send("POST", "/api/v1/client/heartbeat",
                   {{"client_id", r.body["id"]}, {"status", "online"}});
        }
      } else if (i % 3 == 0) {
        if (admin.send("POST", "/api/v1/apply", flowRepo("flow-" + tag)).status == 200)
          acked.add(acked.flows, "flow-" + tag);
      } else if (i % 3 == 1) {
        if (admin
                .send("POST", "/api/v1/users",
                      {{"username", "user-" + tag}, {"password", "password-" + tag}})
                .status == 201)
          acked.add(acked.users, "user-" + tag);
      } else {
        client::HttpClient anonymous(rpad.url(), "", 2s);
        auto login = anonymous.send(
            "POST", "/api/v1/auth/login",
            {{"username", "admin"}, {"password", test::RpadProcess::kAdminPassword}});
        if (login.status != 200) continue;
        client::HttpClient session(rpad.url(), login.body["access_token"].get<std::string>(), 2s);
        if (session.send("POST", "/api/v1/tokens", {{"name", "tok-" + tag}}).status == 201)
          acked.add(acked.tokens, "tok-" + tag);
      }
    }
  } catch (const std::exception&) {
    // rpad was killed: what it answered before is what counts.
  }
}

std::set<std::string> names(const json& items, const char* field) {
  std::set<std::string> out;
  for (const auto& item : items) out.insert(item[field].get<std::string>());
  return out;
}

json everyPage(client::HttpClient& http, const std::string& path) {
  json items = json::array();
  std::string cursor;
  do {
    auto r = http.send("GET", path + "?limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor));
    REQUIRE(r.status == 200);
    for (auto& item : r.body["items"]) items.push_back(item);
    cursor = r.body["next_cursor"].is_string() ? r.body["next_cursor"].get<std::string>() : "";
  } while (!cursor.empty());
  return items;
}

}  // namespace

TEST_CASE("kill -9 under load loses no acknowledged write and leaves the database intact") {
  const char* env = std::getenv("RPA_CRASH_ROUNDS");
  const int rounds = env ? std::atoi(env) : 3;
  test::TempDir dir;
  Acknowledged acked;
  std::mt19937 random(std::random_device{}());
  int clean = 0;
  for (int round = 0; round < rounds; ++round) {
    {
      test::RpadProcess rpad({}, {}, dir.path());
      std::atomic<bool> stop{false};
      std::vector<std::thread> threads;
      for (int w = 0; w < 2; ++w)
        threads.emplace_back([&, w] { load(rpad, round, w, acked, stop); });
      std::this_thread::sleep_for(std::chrono::milliseconds(200 + random() % 800));
      rpad.kill9();
      stop = true;
      for (auto& t : threads) t.join();
    }
    {
      SQLite::Database db((dir.path() / "rpad.db").string(), SQLite::OPEN_READONLY);
      const auto integrity = db.execAndGet("PRAGMA integrity_check").getString();
      INFO("round " << round);
      CHECK(integrity == "ok");
      clean += integrity == "ok";
    }
  }
  test::RpadProcess rpad({}, {}, dir.path());
  auto admin = rpad.admin();
  const auto clients = names(everyPage(admin, "/api/v1/clients"), "name");
  const auto users = names(everyPage(admin, "/api/v1/users"), "username");
  const auto tokens = names(everyPage(admin, "/api/v1/tokens"), "name");
  auto flows_json = everyPage(admin, "/api/v1/flows");
  std::set<std::string> flows;
  for (const auto& f : flows_json) flows.insert(f["metadata"]["name"].get<std::string>());
  size_t lost = 0, total = 0;
  auto expect = [&](const std::vector<std::string>& acked_names,
                    const std::set<std::string>& have) {
    for (const auto& n : acked_names) {
      ++total;
      if (!have.contains(n)) {
        ++lost;
        UNSCOPED_INFO("lost " << n);
      }
    }
  };
  expect(acked.clients, clients);
  expect(acked.users, users);
  expect(acked.tokens, tokens);
  expect(acked.flows, flows);
  INFO(clean << "/" << rounds << " restarts clean; " << lost << " of " << total
             << " acknowledged writes lost");
  CHECK(clean == rounds);
  CHECK(lost == 0);
  CHECK(total > 0);
}
