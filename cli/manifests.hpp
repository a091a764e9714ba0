#pragma once

#include <string>
#include <vector>

#include "lib/model/resource.hpp"

// The YAML files that `apply`, `diff` and `flow validate` read (-f PATH), and their checking
// before anything is sent.
namespace rpa::cli {

/// One input file: its path as the user gave it (or "<stdin>") and its text.
struct Manifest {
  std::string name;
  std::string content;
};

/// The files behind `paths`: a file as is, a directory's *.yaml and *.yml files sorted by path
/// (with `recursive` its subdirectories' too, else only its top level), "-" for stdin. Throws
/// core::Error{kInvalidArgument} for a path that does not exist or a directory without any.
std::vector<Manifest> readManifests(const std::vector<std::string>& paths, bool recursive);

/// Every document of `files`, decoded strictly as the server will (model::decodeResources),
/// plus a problem for each object defined twice.
model::Decoded decodeManifests(const std::vector<Manifest>& files);

/// Prints every problem on stderr, one per line, then throws core::Error{kInvalidArgument}
/// (exit 3) saying how many there were and that `consequence`; nothing when there are none.
void failOnProblems(const std::vector<model::Problem>& problems, const std::string& consequence);

/// "12 documents valid (6 flows, 2 tenants, 3 users, 1 client)".
std::string validSummary(const std::vector<model::Resource>& resources);

/// The apply set a batch from `path` gets by default: its last component without a trailing
/// '/' and a .yaml/.yml extension ("flows-examples/" → "flows-examples"), made a DNS label
/// (lower case, other characters as '-'). Empty for stdin or when nothing is left.
std::string defaultApplySet(const std::string& path);

}  // namespace rpa::cli
