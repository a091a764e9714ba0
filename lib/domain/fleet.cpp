#include "lib/domain/fleet.hpp"

#include "lib/core/error.hpp"
#include "lib/flows/apply.hpp"

namespace rpa::domain {

using core::Error;
using core::ErrorCode;

std::vector<model::Client> Clients::list(int64_t tenant_id,
                                         const live::ClientFilter& filter) const {
  return c_.registry.list(tenant_id, filter);
}

std::optional<model::Client> Clients::find(int64_t tenant_id, int64_t id) const {
  return c_.registry.get(tenant_id, id);
}

model::Client Clients::create(const Actor& actor, model::Client client, const Note& note) {
  try {
    client = c_.store.createClient(client);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kConflict) throw;
    throw Error(ErrorCode::kConflict,
                "a client named \"" + client.name + "\" already exists in tenant " + client.tenant);
  }
  committed(actor, client, Change::kCreated, note);
  return client;
}

std::optional<model::Client> Clients::update(const Actor& actor, int64_t tenant_id, int64_t id,
                                             const std::function<void(model::Client&)>& edit,
                                             const Note& note) {
  auto known = c_.registry.get(tenant_id, id);
  if (!known) return std::nullopt;
  // Read, edited and written in one transaction, so an apply of the same robot commits wholly
  // before or after this edit, never between its read and its write.
  std::optional<model::Client> changed;
  c_.store.transaction([&] {
    auto stored = c_.store.client(tenant_id, known->name);
    if (!stored || stored->id != id) return;
    edit(*stored);
    if (c_.store.updateClient(*stored)) changed = std::move(stored);
  });
  if (!changed) return std::nullopt;
  committed(actor, *changed, Change::kUpdated, note);
  return c_.registry.get(tenant_id, id);
}

bool Clients::remove(const Actor& actor, int64_t tenant_id, int64_t id, const Note& note) {
  auto client = c_.registry.get(tenant_id, id);
  if (!client || !c_.store.deleteClient(tenant_id, id)) return false;
  committed(actor, *client, Change::kRemoved, note);
  return true;
}

void Clients::committed(const Actor& actor, const model::Client& client, Change change,
                        const Note& note) {
  switch (change) {
    case Change::kCreated:
      c_.registry.add(client);
      c_.log.info("client registered",
                  {{"client", client.id}, {"name", client.name}, {"tenant", client.tenant}});
      break;
    case Change::kUpdated:
      // What the database holds now, not this caller's copy: a PATCH and an apply of the same
      // robot, told in either order, leave the registry as the database.
      if (auto stored = c_.store.client(client.tenant_id, client.name))
        c_.registry.update(client.tenant_id, client.id, stored->labels, stored->capacity);
      break;
    case Change::kRemoved:
      c_.registry.remove(client.tenant_id, client.id);
      c_.close_sessions([id = client.id](const auth::Principal& p) {
        return p.isClient() && p.subject_id == id;
      });
      c_.log.info("client deleted", {{"client", client.id}, {"tenant", client.tenant_id}});
      break;
  }
  c_.robot_changed(client.tenant_id, client.id, change == Change::kRemoved);
  audit(c_, actor, note, "client/" + std::to_string(client.id));
}

std::vector<model::Flow> Flows::list(int64_t tenant_id, const store::Page& page) const {
  return c_.store.flows(tenant_id, page);
}

std::optional<model::Flow> Flows::find(int64_t tenant_id, std::string_view name) const {
  return c_.store.flow(tenant_id, name);
}

std::vector<model::FlowRevision> Flows::revisions(int64_t tenant_id, std::string_view name,
                                                  const store::Page& page) const {
  return c_.store.flowRevisions(tenant_id, name, page);
}

model::Flow Flows::rollback(const Actor& actor, int64_t tenant_id, std::string_view name,
                            int64_t to, std::optional<int64_t> expected, const Note& note) {
  flows::ApplyEngine engine(c_.store, c_.clock);
  auto flow = engine.rollback(tenant_id, std::string(name), to, expected, actor.name);
  committed(actor, flow, "rolled_back", note);
  return flow;
}

std::optional<model::Flow> Flows::remove(const Actor& actor, int64_t tenant_id,
                                         std::string_view name, const Note& note) {
  auto flow = c_.store.flow(tenant_id, name);
  if (!flow || !c_.store.deleteFlow(tenant_id, name)) return std::nullopt;
  committed(actor, *flow, "deleted", note);
  return flow;
}

void Flows::committed(const Actor& actor, const model::Flow& flow, std::string_view event,
                      const Note& note) {
  c_.bus.publish(live::Topic::kFlows, "FLOW_UPDATED", flow.tenant_id,
                 {{"flow", flow.name},
                  {"tenant", flow.tenant},
                  {"action", event},
                  {"revision", flow.current.number},
                  {"author", actor.name}});
  c_.flow_changed(flow, event == "deleted");
  Note noted = note;
  noted.details["revision"] = flow.current.number;
  audit(c_, actor, noted, "flow/" + flow.name);
}

}  // namespace rpa::domain
