// /metrics: the text format, the histograms, and figures that follow what rpad did.
#include <catch2/catch.hpp>

#include "lib/core/metrics.hpp"
#include "tests/unit/api_fixture.hpp"

using namespace rpa;
using nlohmann::json;
using test::Api;

TEST_CASE("a histogram counts each observation in its bucket, cumulatively, with the sum") {
  const double bounds[] = {0.1, 1};
  core::Histogram h(bounds);
  for (double s : {0.05, 0.1, 0.5, 3.0}) h.observe(s);
  auto snap = h.snapshot();
  CHECK(snap.cumulative == std::vector<uint64_t>{2, 3, 4});
  CHECK(snap.sum == Approx(3.65));

  core::MetricsText m;
  m.family("x_seconds", "histogram", "Example.");
  m.histogram("x_seconds", {{"route", "/a/{id}"}}, snap);
  CHECK(m.take() ==
        "# HELP x_seconds Example.\n# TYPE x_seconds histogram\n"
        "x_seconds_bucket{route=\"/a/{id}\",le=\"0.1\"} 2\n"
        "x_seconds_bucket{route=\"/a/{id}\",le=\"1\"} 3\n"
        "x_seconds_bucket{route=\"/a/{id}\",le=\"+Inf\"} 4\n"
        "x_seconds_sum{route=\"/a/{id}\"} 3.65\n"
        "x_seconds_count{route=\"/a/{id}\"} 4\n");
}

TEST_CASE("label values are escaped as the text format requires") {
  core::MetricsText m;
  m.sample("x", {{"tenant", "a\"b\\c\nd"}}, 1);
  CHECK(m.take() == "x{tenant=\"a\\\"b\\\\c\\nd\"} 1\n");
}

namespace {

bool has(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE_METHOD(Api, "metrics follow heartbeats, clients, requests and events") {
  const auto admin = login();
  auto [id, token] = registerClient(admin, "bot-1");
  registerClient(admin, "bot-2");
  REQUIRE(heartbeat(token, {{"client_id", id}, {"status", "busy"}}).status == 200);
  CHECK(call("GET", "/api/v1/clients/999", "", admin).status == 404);
  CHECK(call("GET", "/no/such/path", "", admin).status == 404);

  auto r = call("GET", "/metrics", "", admin);
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "text/plain; version=0.0.4; charset=utf-8");
  const std::string text = "\n" + r.body;
  INFO(r.body);
  CHECK(has(text, "rpad_tenants 1"));
  CHECK(has(text, "rpad_clients{tenant=\"default\",status=\"busy\"} 1"));
  CHECK(has(text, "rpad_clients{tenant=\"default\",status=\"offline\"} 1"));
  CHECK(has(text, "rpad_heartbeats_total{transport=\"http\"} 1"));
  CHECK(has(text, "rpad_heartbeats_total{transport=\"websocket\"} 0"));
  CHECK(has(text,
            "rpad_http_requests_total{method=\"POST\",route=\"/api/v1/client/heartbeat\","
            "status=\"200\"} 1"));
  CHECK(has(text,
            "rpad_http_requests_total{method=\"GET\",route=\"/api/v1/clients/{id}\","
            "status=\"404\"} 1"));
  CHECK(has(text, "rpad_http_requests_total{method=\"\",route=\"unmatched\",status=\"404\"} 1"));
  CHECK(has(text,
            "rpad_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/"
            "client/heartbeat\"} 1"));
  // Registered, then online: two client_status events and one heartbeat event.
  CHECK(has(text, "rpad_events_published_total{topic=\"heartbeat\"} 1"));
  CHECK(has(text, "rpad_runs{state=\"queued\"} 0"));
  CHECK(text.find("rpad_store_flush_duration_seconds_count") != std::string::npos);
  CHECK(text.find("rpad_offline_detection_lag_seconds_count 0") != std::string::npos);

  // Offline detection: the lag is how late after the deadline the check ran.
  clock.advance(std::chrono::seconds(61));
  app->detector().check(clock.now());
  auto after = "\n" + call("GET", "/metrics", "", admin).body;
  CHECK(has(after, "rpad_clients{tenant=\"default\",status=\"offline\"} 2"));
  CHECK(has(after, "rpad_offline_detection_lag_seconds_count 1"));
  CHECK(has(after, "rpad_offline_detection_lag_seconds_bucket{le=\"1\"} 1"));
}

TEST_CASE_METHOD(Api, "metrics are for system admins and the metrics token only") {
  const auto admin = login();
  REQUIRE(call("POST", "/api/v1/users",
               R"({"username":"ada","role":"admin","password":"ada-password-1"})", admin)
              .status == 201);
  CHECK(call("GET", "/metrics", "", login("ada", "ada-password-1")).status == 403);
  CHECK(call("GET", "/metrics").status == 401);
  CHECK(call("GET", "/metrics", "", "not-the-metrics-token").status == 401);
  app->allowMetricsToken("0123456789abcdef0123");
  CHECK(call("GET", "/metrics", "", "0123456789abcdef0123").status == 200);
  // It opens nothing else.
  CHECK(call("GET", "/api/v1/clients", "", "0123456789abcdef0123").status == 403);
  CHECK(call("GET", "/api/v1/auth/me", "", "0123456789abcdef0123").status == 403);
}
