#include "lib/model/client.hpp"

#include <cctype>

namespace rpa::model {

std::string_view toString(ClientStatus status) {
  switch (status) {
    case ClientStatus::kOnline:
      return "online";
    case ClientStatus::kIdle:
      return "idle";
    case ClientStatus::kBusy:
      return "busy";
    case ClientStatus::kOffline:
      return "offline";
  }
  return "offline";
}

std::optional<ClientStatus> parseClientStatus(std::string_view text) {
  for (auto s :
       {ClientStatus::kOnline, ClientStatus::kIdle, ClientStatus::kBusy, ClientStatus::kOffline})
    if (toString(s) == text) return s;
  return std::nullopt;
}

std::string_view toString(EventKind kind) {
  switch (kind) {
    case EventKind::kConnected:
      return "connected";
    case EventKind::kDisconnected:
      return "disconnected";
    case EventKind::kStatusUpdate:
      return "status_update";
  }
  return "status_update";
}

std::string checkClientName(std::string_view name) {
  if (name.empty() || name.size() > 63) return "must be 1 to 63 characters long";
  if (!std::isalnum(static_cast<unsigned char>(name[0])))
    return "must start with a letter or digit";
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return "may contain only letters, digits, '-', '_' and '.'";
  return {};
}

}  // namespace rpa::model
