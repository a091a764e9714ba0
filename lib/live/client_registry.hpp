#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lib/core/clock.hpp"
#include "lib/core/log.hpp"
#include "lib/model/client.hpp"
#include "lib/model/heartbeat.hpp"

namespace rpa::live {

/// Which clients a list returns: literal status, every label, name substring, id > after_id.
struct ClientFilter {
  std::optional<model::ClientStatus> status;
  bool online_only = false;  // online, idle or busy
  model::Labels labels;
  std::string search;
  int64_t after_id = 0;
  size_t limit = 100;
};

/// A change of a client's state: the event to record and publish, and the liveness to store.
struct Transition {
  model::ClientEvent event;
  model::Liveness live;
  core::TimePoint deadline{};  // when it was due (an expiry's lag is event.at - deadline)
};

/// One log line per transition, the same whether a heartbeat or the timer caused it.
void logTransition(core::Logger& log, const model::ClientEvent& event);

/// What a heartbeat did to its client.
struct Touch {
  std::string name;
  model::Liveness live;
  std::optional<model::ClientEvent> event;
};

/// Every registered client in memory, with a deadline index ordered by time so that finding the
/// clients whose heartbeats stopped costs O(expired · log n), never a scan. Thread-safe.
class ClientRegistry {
 public:
  explicit ClientRegistry(core::Seconds timeout) : timeout_(timeout) {}

  /// Replaces the contents with `clients` as stored. Clients that were online get one full
  /// timeout of grace from `now` (rpad was down; their silence is not their fault).
  void load(std::vector<model::Client> clients, core::TimePoint now);
  void add(model::Client client);
  bool remove(int64_t tenant_id, int64_t id);
  /// Takes new labels and capacity; false when no such client exists in the tenant.
  bool update(int64_t tenant_id, int64_t id, const model::Labels& labels, int capacity);

  std::optional<model::Client> get(int64_t tenant_id, int64_t id) const;
  /// Clients of the tenant matching `filter`, by id, at most filter.limit.
  std::vector<model::Client> list(int64_t tenant_id, const ClientFilter& filter) const;
  /// (client id, tenant id) of the client whose token hashes to `token_hash`.
  std::optional<std::pair<int64_t, int64_t>> findByToken(const std::string& token_hash) const;

  /// Applies a heartbeat received at `now` from `peer_ip`. nullopt when no client `hb.client_id`
  /// exists in the tenant.
  std::optional<Touch> touch(int64_t tenant_id, const model::Heartbeat& hb,
                             std::string_view peer_ip, core::TimePoint now);
  /// Marks offline every client whose deadline is at or before `now`.
  std::vector<Transition> expire(core::TimePoint now);
  /// The earliest deadline, if any client is online.
  std::optional<core::TimePoint> nextDeadline() const;
  size_t size() const;
  /// How many clients each tenant has in each status; kept as they change, so reading it costs
  /// nothing like a scan of the fleet.
  std::map<std::pair<int64_t, model::ClientStatus>, int64_t> statusCounts() const;

 private:
  void count(const model::Client& c, int delta) { counts_[{c.tenant_id, c.live.status}] += delta; }
  /// Moves `c` to `status`, keeping the counts; nothing to do for the usual beat that keeps it.
  void setStatus(model::Client& c, model::ClientStatus status) {
    if (c.live.status == status) return;
    count(c, -1);
    c.live.status = status;
    count(c, +1);
  }
  void setDeadline(int64_t id, std::optional<core::TimePoint>& slot,
                   std::optional<core::TimePoint> deadline);

  struct Entry {
    model::Client client;
    std::optional<core::TimePoint> deadline;
  };

  const core::Seconds timeout_;
  mutable std::mutex mutex_;
  std::map<int64_t, Entry> clients_;
  std::set<std::pair<core::TimePoint, int64_t>> deadlines_;
  std::unordered_map<std::string, int64_t> by_token_hash_;
  std::map<std::pair<int64_t, model::ClientStatus>, int64_t> counts_;
};

}  // namespace rpa::live
