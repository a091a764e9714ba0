// The Flow spec's YAML decoder and canonical encoder; internal to lib/model (resource.cpp).
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "lib/model/flow.hpp"
#include "lib/model/yaml_decoder.hpp"

namespace rpa::model {

/// Decodes a Flow's spec, noting every problem: structure, actions' inputs, step graph
/// (duplicate ids, unknown needs, cycles), cron, time zone, durations and param references.
/// `secret_refs` gets each secret the steps refer to, with where it is first named.
FlowSpec decodeFlowSpec(YamlDecoder& d, const YAML::Node& spec,
                        std::map<std::string, SourceLocation>& secret_refs);

/// The canonical JSON of a spec: fixed field order, defaults written out.
nlohmann::ordered_json encodeFlowSpec(const FlowSpec& spec);

}  // namespace rpa::model
