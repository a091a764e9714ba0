#include "lib/live/client_registry.hpp"

#include <algorithm>
#include <cctype>

#include "lib/auth/secrets.hpp"

namespace rpa::live {

using model::ClientStatus;
using model::EventKind;

namespace {

bool containsIgnoringCase(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return std::tolower(a) == std::tolower(b); });
  return it != haystack.end();
}

bool matches(const model::Client& c, const ClientFilter& f) {
  if (f.status && c.live.status != *f.status) return false;
  if (f.online_only && !model::isOnline(c.live.status)) return false;
  for (const auto& [k, v] : f.labels) {
    auto it = c.labels.find(k);
    if (it == c.labels.end() || it->second != v) return false;
  }
  return f.search.empty() || containsIgnoringCase(c.name, f.search);
}

}  // namespace

void logTransition(core::Logger& log, const model::ClientEvent& e) {
  log.info("client " + std::string(model::toString(e.kind)), {{"client", e.client_id},
                                                              {"tenant", e.tenant_id},
                                                              {"from", model::toString(e.from)},
                                                              {"to", model::toString(e.to)},
                                                              {"reason", e.reason}});
}

void ClientRegistry::setDeadline(int64_t id, std::optional<core::TimePoint>& slot,
                                 std::optional<core::TimePoint> deadline) {
  if (slot) deadlines_.erase({*slot, id});
  slot = deadline;
  if (slot) deadlines_.insert({*slot, id});
}

void ClientRegistry::load(std::vector<model::Client> clients, core::TimePoint now) {
  std::lock_guard lock(mutex_);
  clients_.clear();
  deadlines_.clear();
  by_token_hash_.clear();
  counts_.clear();
  for (auto& c : clients) {
    const int64_t id = c.id;
    count(c, +1);
    by_token_hash_[c.token_hash] = id;
    const bool online = model::isOnline(c.live.status);
    auto& entry = clients_[id] = Entry{std::move(c), std::nullopt};
    if (online) setDeadline(id, entry.deadline, now + timeout_);
  }
}

void ClientRegistry::add(model::Client client) {
  std::lock_guard lock(mutex_);
  const int64_t id = client.id;
  by_token_hash_[client.token_hash] = id;
  if (auto old = clients_.find(id); old != clients_.end()) count(old->second.client, -1);
  count(client, +1);
  clients_[id] = Entry{std::move(client), std::nullopt};
}

bool ClientRegistry::remove(int64_t tenant_id, int64_t id) {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(id);
  if (it == clients_.end() || it->second.client.tenant_id != tenant_id) return false;
  setDeadline(id, it->second.deadline, std::nullopt);
  count(it->second.client, -1);
  by_token_hash_.erase(it->second.client.token_hash);
  clients_.erase(it);
  return true;
}

bool ClientRegistry::update(int64_t tenant_id, int64_t id, const model::Labels& labels,
                            int capacity) {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(id);
  if (it == clients_.end() || it->second.client.tenant_id != tenant_id) return false;
  it->second.client.labels = labels;
  it->second.client.capacity = capacity;
  return true;
}

std::optional<model::Client> ClientRegistry::get(int64_t tenant_id, int64_t id) const {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(id);
  if (it == clients_.end() || it->second.client.tenant_id != tenant_id) return std::nullopt;
  return it->second.client;
}

std::vector<model::Client> ClientRegistry::list(int64_t tenant_id,
                                                const ClientFilter& filter) const {
  std::lock_guard lock(mutex_);
  std::vector<model::Client> out;
  for (auto it = clients_.upper_bound(filter.after_id);
       it != clients_.end() && out.size() < filter.limit; ++it) {
    const auto& c = it->second.client;
    if (c.tenant_id == tenant_id && matches(c, filter)) out.push_back(c);
  }
  return out;
}

// The lookup is keyed by a SHA-256 digest, which a caller cannot steer, so its timing reveals
// nothing about valid tokens; the final comparison is constant-time all the same.
std::optional<std::pair<int64_t, int64_t>> ClientRegistry::findByToken(
    const std::string& token_hash) const {
  std::lock_guard lock(mutex_);
  auto it = by_token_hash_.find(token_hash);
  if (it == by_token_hash_.end()) return std::nullopt;
  const auto& client = clients_.at(it->second).client;
  if (!auth::constantTimeEquals(client.token_hash, token_hash)) return std::nullopt;
  return std::pair{client.id, client.tenant_id};
}

std::optional<Touch> ClientRegistry::touch(int64_t tenant_id, const model::Heartbeat& hb,
                                           std::string_view peer_ip, core::TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(hb.client_id);
  if (it == clients_.end() || it->second.client.tenant_id != tenant_id) return std::nullopt;
  auto& entry = it->second;
  auto& live = entry.client.live;

  const ClientStatus before = live.status;
  const bool version_changed = hb.version && *hb.version != live.version;
  setStatus(entry.client, hb.status);
  live.last_heartbeat = now;
  if (hb.version) live.version = *hb.version;
  live.ip_address = hb.ip_address ? *hb.ip_address : std::string(peer_ip);
  live.clock_skew_ms.reset();
  if (hb.timestamp)
    live.clock_skew_ms = std::chrono::duration_cast<core::Millis>(*hb.timestamp - now).count();
  setDeadline(hb.client_id, entry.deadline,
              model::isOnline(hb.status) ? std::optional(now + timeout_) : std::nullopt);

  Touch result{entry.client.name, live, std::nullopt};
  auto event = [&](EventKind kind, std::string reason) {
    result.event = model::ClientEvent{hb.client_id, tenant_id, entry.client.name, kind,
                                      before,       hb.status, std::move(reason), now};
  };
  if (!model::isOnline(before) && model::isOnline(hb.status))
    event(EventKind::kConnected, "heartbeat");
  else if (model::isOnline(before) && !model::isOnline(hb.status))
    event(EventKind::kDisconnected, "graceful");
  else if (before != hb.status)
    event(EventKind::kStatusUpdate, "status");
  else if (model::isOnline(before) && version_changed)
    event(EventKind::kStatusUpdate, "version");
  return result;
}

std::vector<Transition> ClientRegistry::expire(core::TimePoint now) {
  std::lock_guard lock(mutex_);
  std::vector<Transition> out;
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const auto [deadline, id] = *deadlines_.begin();
    deadlines_.erase(deadlines_.begin());
    auto& entry = clients_.at(id);
    entry.deadline.reset();
    auto& live = entry.client.live;
    model::ClientEvent e{
        id,          entry.client.tenant_id, entry.client.name, EventKind::kDisconnected,
        live.status, ClientStatus::kOffline, "timeout",         now};
    setStatus(entry.client, ClientStatus::kOffline);
    out.push_back({std::move(e), live, deadline});
  }
  return out;
}

std::optional<core::TimePoint> ClientRegistry::nextDeadline() const {
  std::lock_guard lock(mutex_);
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.begin()->first;
}

std::map<std::pair<int64_t, model::ClientStatus>, int64_t> ClientRegistry::statusCounts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

size_t ClientRegistry::size() const {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

}  // namespace rpa::live
