// Fleet node files (fleet/node_reader, RapidJSON), then the fleet report of that one node.
#include "fleet/fleet.hpp"
#include "fleet/node_reader.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpuenv;
  static NodeReader reader;
  auto doc = reader.parse(fuzz::as_text(data, size));
  if (!doc) return 0;
  std::vector<NodeRecord> nodes;
  nodes.push_back(summarize_node("node.json", doc->snapshot, doc->findings));
  auto report = build_fleet_report(std::move(nodes), {});
  (void)render_fleet_json(report);
  (void)render_fleet_markdown(report);
  return 0;
}
