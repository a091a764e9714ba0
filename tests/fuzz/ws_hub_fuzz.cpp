// WebSocket session frames (SPEC §3.3): a viewer and a robot send whatever they like; every
// answer is a JSON frame, every session survives or is closed with a code.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>

#include "lib/api/ws_hub.hpp"
#include "tests/support/in_memory_app.hpp"

namespace {

using namespace rpa;

// Tasks come from the heartbeat writer's thread; the fuzzing thread is the loop that runs them.
struct NullTransport : api::WsTransport {
  std::mutex mutex;
  std::vector<std::function<void()>> tasks;
  void wantsWrite(uint64_t) override {}
  void closing(uint64_t) override {}
  void post(std::function<void()> task) override {
    std::lock_guard lock(mutex);
    tasks.push_back(std::move(task));
  }
  void run() {
    std::unique_lock lock(mutex);
    auto ready = std::exchange(tasks, {});
    lock.unlock();
    for (auto& t : ready) t();
  }
};

struct World : test::InMemoryApp {
  NullTransport transport;
  std::unique_ptr<api::WsHub> hub;
  auth::Principal viewer, robot;

  World() {
    hub = std::make_unique<api::WsHub>(app->services(), app->bus());
    hub->attach(&transport);
    model::Client c;
    c.tenant_id = 1;
    c.tenant = "default";
    c.name = "bot";
    c.token_hash = "h";
    c = store.createClient(c);
    app->registry().add(c);
    viewer.tenant_id = robot.tenant_id = 1;
    viewer.tenant = robot.tenant = "default";
    viewer.subject_id = 1;
    viewer.name = "admin";
    robot.kind = auth::Principal::Kind::kClient;
    robot.subject_id = c.id;
  }
};

void drain(World& w, uint64_t id) {
  for (;;) {
    auto out = w.hub->take(id, 1 << 20);
    for (const auto& f : out.frames)
      if (nlohmann::json::parse(*f, nullptr, false).is_discarded()) std::abort();
    if (!out.more) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World w;
  FuzzedDataProvider in(data, size);
  {
    std::lock_guard lock(w.log_mutex);  // each input's log only
    w.log_text.clear();
  }
  w.transport.run();
  const uint64_t ids[] = {w.hub->open(w.viewer, "10.0.0.1"), w.hub->open(w.robot, "10.0.0.2")};
  while (in.remaining_bytes() > 0) {
    const uint64_t id = ids[in.ConsumeBool()];
    const bool final = in.ConsumeBool();
    const bool binary = in.ConsumeProbability<float>() < 0.05f;
    const auto message = in.ConsumeRandomLengthString(4096);
    w.hub->receive(id, message, final, binary);
    if (in.ConsumeBool()) w.hub->deliver();
    drain(w, id);
  }
  w.transport.run();  // acks of transitions committed meanwhile
  for (uint64_t id : ids) {
    drain(w, id);
    w.hub->close(id);
  }
  return 0;
}
