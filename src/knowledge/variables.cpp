// variables.toml: the grammar and effect of the variables the GPU stack reads (knowledge/variables.hpp).
#include <cstdint>
#include <stdexcept>
#include "util/tomlpp.hpp"

#include "knowledge/knowledge.hpp"
#include "knowledge/toml_read.hpp"
#include "knowledge/variables.hpp"

namespace gpuenv {

namespace {

std::string text(const toml::table& t, const char* key) { return t[key].value_or<std::string>(""); }

}  // namespace

const VariableRule* VariableFacts::rule(const std::string& name) const {
  for (auto& v : variables)
    if (v.name == name) return &v;
  return nullptr;
}

const TorchAllocKey* VariableFacts::torch_alloc_key(const std::string& name) const {
  for (auto& k : torch_alloc_keys)
    if (k.name == name) return &k;
  return nullptr;
}

const VariableFacts& Knowledge::variables() const {
  std::call_once(variables_once_, [&] {
    auto facts = std::make_shared<VariableFacts>();
    if (auto* t = file("variables")) {
      if (auto* arr = (*t)["variable"].as_array())
        for (auto& n : *arr)
          if (auto* x = n.as_table()) {
            VariableRule r;
            r.name = text(*x, "name");
            r.framework = text(*x, "framework");
            r.kind = text(*x, "kind");
            r.values = toml_strings((*x)["values"]);
            r.on_values = toml_strings((*x)["on_values"]);
            r.separator = text(*x, "separator");
            r.case_insensitive = (*x)["case_insensitive"].value_or(false);
            if (auto v = (*x)["min"].value<double>()) r.has_min = true, r.min = *v;
            if (auto v = (*x)["max"].value<double>()) r.has_max = true, r.max = *v;
            r.on_invalid = text(*x, "on_invalid");
            r.message = text(*x, "message");
            r.effect = text(*x, "effect");
            r.on_means = text(*x, "on_means");
            r.cpu_values = toml_strings((*x)["cpu_values"]);
            r.cpu_effect = text(*x, "cpu_effect");
            r.conflicts_with = text(*x, "conflicts_with");
            r.conflict_message = text(*x, "conflict_message");
            r.source = text(*x, "source");
            if (r.name.empty() || r.kind.empty() || r.framework.empty() || r.source.empty())
              throw std::runtime_error("knowledge file variables.toml: a [[variable]] needs name, framework, kind and source");
            facts->variables.push_back(std::move(r));
          }
      if (auto* arr = (*t)["torch_alloc_key"].as_array())
        for (auto& n : *arr)
          if (auto* x = n.as_table()) {
            TorchAllocKey k;
            k.name = text(*x, "name");
            k.value = text(*x, "value");
            k.min = (*x)["min"].value_or<std::int64_t>(0);
            k.max = (*x)["max"].value_or<std::int64_t>(0);
            k.message = text(*x, "message");
            k.source = text(*x, "source");
            if (k.name.empty() || k.value.empty() || k.source.empty())
              throw std::runtime_error("knowledge file variables.toml: a [[torch_alloc_key]] needs name, value and source");
            facts->torch_alloc_keys.push_back(std::move(k));
          }
    }
    variables_ = std::move(facts);
  });
  return *variables_;
}

}  // namespace gpuenv
