// GET /metrics: Prometheus's text format. Every figure is a counter or histogram its owner keeps
// with atomic adds, or a count kept as things change (clients by status), so rendering reads
// them and never scans the fleet or the database; it runs on a worker all the same.
#include "lib/api/routes.hpp"

namespace rpa::api {

namespace {

using core::MetricsText;

void clients(MetricsText& m, const Services& s) {
  const auto names = s.directory.tenantNames();
  m.family("rpad_tenants", "gauge", "Tenants.");
  m.sample("rpad_tenants", {}, static_cast<double>(names.size()));
  m.family("rpad_clients", "gauge", "Registered robots by tenant and status.");
  for (const auto& [key, count] : s.registry.statusCounts()) {
    auto name = names.find(key.first);
    if (count == 0 || name == names.end()) continue;
    m.sample("rpad_clients",
             {{"tenant", name->second}, {"status", std::string(model::toString(key.second))}},
             static_cast<double>(count));
  }
  m.family("rpad_heartbeats_total", "counter", "Heartbeats received, by transport.");
  m.sample("rpad_heartbeats_total", {{"transport", "http"}},
           static_cast<double>(s.metrics.heartbeats_http.value()));
  m.sample("rpad_heartbeats_total", {{"transport", "websocket"}},
           static_cast<double>(s.metrics.heartbeats_websocket.value()));
  m.family("rpad_offline_detection_lag_seconds", "histogram",
           "How long after its deadline a silent robot was marked offline.");
  if (s.detection_lag)
    m.histogram("rpad_offline_detection_lag_seconds", {}, s.detection_lag->snapshot());
}

void http(MetricsText& m, const Services& s) {
  m.family("rpad_http_requests_total", "counter", "HTTP requests answered, by route and status.");
  for (const auto& r : s.metrics.routes)
    for (size_t i = 0; i < r.by_status.size(); ++i)
      if (const auto n = r.by_status[i].value())
        m.sample("rpad_http_requests_total",
                 {{"method", r.method}, {"route", r.route}, {"status", std::to_string(i + 100)}},
                 static_cast<double>(n));
  m.family("rpad_http_request_duration_seconds", "histogram",
           "Time from a request's dispatch to its answer, by route.");
  for (const auto& r : s.metrics.routes) {
    auto h = r.seconds.snapshot();
    if (h.cumulative.back() > 0)
      m.histogram("rpad_http_request_duration_seconds", {{"method", r.method}, {"route", r.route}},
                  h);
  }
  m.family("rpad_worker_queue_depth", "gauge", "Requests waiting for a worker thread.");
  m.sample("rpad_worker_queue_depth", {}, static_cast<double>(s.blocking.queued()));
  m.family("rpad_store_flush_duration_seconds", "histogram",
           "Time to commit one batch of heartbeat timestamps and transitions.");
  m.histogram("rpad_store_flush_duration_seconds", {}, s.writer.flushSeconds().snapshot());
}

void websocket(MetricsText& m, const Services& s) {
  m.family("rpad_websocket_connections", "gauge", "Open WebSocket connections.");
  m.sample("rpad_websocket_connections", {},
           static_cast<double>(s.metrics.websocket_connections.load()));
  m.family("rpad_websocket_slow_consumer_closes_total", "counter",
           "WebSocket connections closed with 1008 for reading too slowly.");
  m.sample("rpad_websocket_slow_consumer_closes_total", {},
           static_cast<double>(s.metrics.slow_consumer_closes.value()));
  m.family("rpad_events_published_total", "counter", "Events published, by topic.");
  for (auto t : live::kTopics)
    m.sample("rpad_events_published_total", {{"topic", std::string(live::toString(t))}},
             static_cast<double>(s.bus.published(t)));
  m.family("rpad_events_delivered_total", "counter",
           "Event frames queued to WebSocket subscribers, by topic.");
  for (auto t : live::kTopics)
    m.sample("rpad_events_delivered_total", {{"topic", std::string(live::toString(t))}},
             static_cast<double>(s.metrics.delivered[static_cast<size_t>(t)].value()));
}

void runs(MetricsText& m, const Services& s) {
  const auto& r = s.domain.runs;
  m.family("rpad_runs", "gauge", "Runs not yet ended, by state.");
  const auto active = r.activeByState();
  for (auto state : {model::RunState::kQueued, model::RunState::kAssigned,
                     model::RunState::kRunning, model::RunState::kCancelling}) {
    auto it = active.find(state);
    m.sample("rpad_runs", {{"state", std::string(model::toString(state))}},
             it == active.end() ? 0.0 : static_cast<double>(it->second));
  }
  m.family("rpad_runs_ended_total", "counter", "Runs ended since rpad started, by final state.");
  const auto ended = r.endedByState();
  for (auto state :
       {model::RunState::kSucceeded, model::RunState::kFailed, model::RunState::kCancelled,
        model::RunState::kTimedOut, model::RunState::kLost}) {
    auto it = ended.find(state);
    m.sample("rpad_runs_ended_total", {{"state", std::string(model::toString(state))}},
             it == ended.end() ? 0.0 : static_cast<double>(it->second));
  }
  m.family("rpad_run_dispatch_seconds", "histogram",
           "Time from a run's creation to its robot accepting it.");
  m.histogram("rpad_run_dispatch_seconds", {}, r.dispatchSeconds().snapshot());
}

}  // namespace

Handler metrics(Services& s) {
  return [&s](Call&) {
    MetricsText m;
    m.family("rpad_build_info", "gauge", "rpad's version, always 1.");
    m.sample("rpad_build_info", {{"version", RPA_VERSION}}, 1);
    clients(m, s);
    http(m, s);
    websocket(m, s);
    runs(m, s);
    Response r;
    r.body = m.take();
    r.content_type = std::string(MetricsText::kContentType);
    return r;
  };
}

}  // namespace rpa::api
