// rpactl agent: act as a robot and execute the runs rpad offers it (SPEC §10).
#include <signal.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/commands/commands.hpp"
#include "cli/exit_codes.hpp"
#include "lib/agent/agent.hpp"
#include "lib/core/error.hpp"
#include "lib/core/time.hpp"

namespace rpa::cli {

namespace {

std::string readTokenFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw core::Error(core::ErrorCode::kInvalidArgument, "cannot read --token-file " + path);
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  return token;
}

std::chrono::milliseconds duration(const std::string& text, const char* flag) {
  auto d = core::parseDuration(text);
  if (!d)
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      std::string(flag) + " \"" + text + "\" is not a duration like 10s or 5m");
  return std::chrono::milliseconds(d->count());
}

}  // namespace

void addAgentCommand(CLI::App& app, Globals& g) {
  struct Options {
    int64_t client_id = 0;
    std::string token_file;
    std::string workdir = "rpa-agent";
    std::string kill_grace = "10s";
    std::string drain = "60s";
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "agent",
      "act as robot --client-id: heartbeat on the WebSocket, take the runs rpad offers, execute "
      "their steps (shell, http, sleep, log) and stream their events and logs back");
  cmd->add_option("--client-id", o->client_id, "the robot's id (rpactl client register)")
      ->required();
  cmd->add_option("--token-file", o->token_file,
                  "read the robot's token from this file (else --token, else RPA_CLIENT_TOKEN)");
  cmd->add_option("--workdir", o->workdir,
                  "each run gets its own directory run-ID under this one (default: ./rpa-agent)");
  cmd->add_option("--kill-grace", o->kill_grace,
                  "after SIGTERM to a cancelled step's process group, SIGKILL after this (10s)");
  cmd->add_option("--drain-timeout", o->drain,
                  "on SIGTERM: let running runs finish this long, then cancel them (60s)");
  cmd->footer(
      "The agent reconnects by itself and its runs go on while rpad restarts; what it could "
      "not send is sent again. SIGTERM or SIGINT: it takes no new runs, finishes or cancels "
      "the ones it has, says offline and exits 0. See rpactl-agent(1).");
  cmd->callback([&g, o] {
    agent::AgentOptions opts;
    opts.server = g.resolve(false).server;
    if (!o->token_file.empty())
      opts.token = readTokenFile(o->token_file);
    else if (!g.token.empty())
      opts.token = g.token;
    else if (const char* env = std::getenv("RPA_CLIENT_TOKEN"); env && *env)
      opts.token = env;
    if (opts.token.empty())
      throw core::Error(core::ErrorCode::kUnauthenticated,
                        "the agent needs the robot's token: --token-file F, --token T or "
                        "RPA_CLIENT_TOKEN (rpactl client register prints it once)");
    opts.client_id = o->client_id;
    opts.workdir = std::filesystem::absolute(o->workdir);
    opts.version = RPA_VERSION;
    opts.kill_grace = duration(o->kill_grace, "--kill-grace");
    opts.drain_timeout = duration(o->drain, "--drain-timeout");
    std::filesystem::create_directories(opts.workdir);

    // SIGTERM and SIGINT are taken by one thread; every other thread, and so every step's
    // process (whose mask the launcher resets), never sees them blocked by surprise.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    agent::StopSignal stop;
    std::atomic<bool> done{false};
    std::thread waiter([&] {
      const timespec tick{0, 200'000'000};
      while (!done.load())
        if (sigtimedwait(&signals, nullptr, &tick) > 0) stop.stop();
    });
    core::Logger log(core::LogFormat::kText,
                     [](std::string_view line) { std::cerr << line << std::flush; });
    int code = 0;
    try {
      agent::Agent robot(opts, log);
      code = robot.run(stop);
    } catch (...) {
      done.store(true);
      waiter.join();
      throw;
    }
    done.store(true);
    waiter.join();
    if (code != 0) throw ExitStatus(code);
  });
}

}  // namespace rpa::cli
