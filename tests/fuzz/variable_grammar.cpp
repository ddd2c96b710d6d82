// The variable grammar (checks/variable_grammar.hpp) on arbitrary values: every variables.toml rule judges the
// input, PyTorch's allocator configuration is tokenised, and NCCL_SOCKET_IFNAME selects among fixed interfaces.
#include "checks/variable_grammar.hpp"
#include "fuzz_support.hpp"
#include "knowledge/knowledge.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpuenv;
  if (size > 16 * 1024) return 0;  // environment values are short
  auto value = fuzz::as_text(data, size);
  auto& facts = Knowledge::get().variables();
  for (auto& rule : facts.variables) {
    auto v = judge_variable(rule, facts, value);
    if (v.status != VariableVerdict::Status::Ok && v.status != VariableVerdict::Status::Cpu && v.problem.empty())
      __builtin_trap();  // every verdict that is not Ok says why
  }
  (void)judge_torch_alloc_conf(facts, value);
  (void)nccl_selected_interfaces(value, {"docker0", "eno1", "ib0", "lo"});
  return 0;
}
