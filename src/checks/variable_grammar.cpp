#include "checks/variable_grammar.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <system_error>

#include <fmt/format.h>

#include "util/strings.hpp"

namespace gpuenv {

namespace {

using Status = VariableVerdict::Status;

std::string fill(std::string message, std::string_view value) {
  auto at = message.find("{value}");
  if (at != std::string::npos) message.replace(at, 7, value);
  return message;
}

bool one_of(const std::vector<std::string>& values, std::string_view v, bool nocase) {
  std::string lv = nocase ? to_lower(v) : std::string(v);
  return std::any_of(values.begin(), values.end(), [&](auto& x) { return (nocase ? to_lower(x) : x) == lv; });
}

std::string quoted_list(const std::vector<std::string>& values) {
  std::vector<std::string> q;
  for (auto& v : values) q.push_back(v.empty() ? "\"\"" : v);
  return join(q, ", ");
}

// A decimal number as Python's float() and C++'s stod read it (no hex, no inf/nan: nobody means those).
bool parse_number(std::string_view s, double& out) {
  s = trim(s);
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parse_unsigned(std::string_view s, std::uint64_t& out) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool power_of_two(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

VariableVerdict verdict(Status st, std::string problem, std::string message = "") {
  VariableVerdict v;
  v.status = st;
  v.problem = std::move(problem);
  v.message = std::move(message);
  return v;
}

// What a value outside the grammar leads to, from the row's on_invalid.
VariableVerdict invalid(const VariableRule& r, std::string problem, std::string_view shown) {
  Status st = r.on_invalid == "rejected" ? Status::Rejected
              : r.on_invalid == "ignored" ? Status::Ignored
                                          : Status::Undocumented;
  return verdict(st, std::move(problem), r.message.empty() ? "" : fill(r.message, shown));
}

// PyTorch's ConfigTokenizer: , : [ ] are tokens of their own, whitespace is dropped.
std::vector<std::string> torch_tokens(std::string_view env) {
  std::vector<std::string> out;
  std::string buf;
  for (char ch : env) {
    if (ch == ',' || ch == ':' || ch == '[' || ch == ']') {
      if (!buf.empty()) out.push_back(std::move(buf)), buf.clear();
      out.emplace_back(1, ch);
    } else if (!std::isspace(static_cast<unsigned char>(ch))) {
      buf += ch;
    }
  }
  if (!buf.empty()) out.push_back(std::move(buf));
  return out;
}

}  // namespace

VariableVerdict judge_torch_alloc_conf(const VariableFacts& facts, std::string_view value) {
  auto t = torch_tokens(value);
  auto bad = [&](std::string problem, std::string message = "") {
    return verdict(Status::Rejected, std::move(problem), std::move(message));
  };
  for (size_t i = 0; i < t.size(); ++i) {
    const std::string& key = t[i];
    auto* k = facts.torch_alloc_key(key);
    if (!k) {
      std::vector<std::string> names;
      for (auto& x : facts.torch_alloc_keys) names.push_back(x.name);
      std::string why = key.find('=') != std::string::npos ? "'" + key + "' is not a key (PyTorch writes key:value, not key=value)"
                                                           : "'" + key + "' is not a key PyTorch knows (" + join(names, ", ") + ")";
      return bad(why, "Unrecognized key '" + key + "' in CUDA allocator config.");
    }
    if (i + 1 >= t.size() || t[i + 1] != ":") return bad("'" + key + "' needs a value: " + key + ":VALUE");
    i += 2;
    if (i >= t.size()) return bad("'" + key + "' needs a value after the colon");
    const std::string& v = t[i];
    std::uint64_t n = 0;
    double d = 0;
    const std::string& kv = k->value;
    if (kv == "bool") {
      if (v != "True" && v != "False")
        return bad(key + ":" + v + ": PyTorch accepts only True or False (capitalised)",
                   "Expected 'True' or 'False' at index " + std::to_string(i) + " in ConfigTokenizer but got '" + v + "'");
    } else if (kv == "size_mb" || kv == "positive" || kv == "pow2") {
      if (!parse_unsigned(v, n)) return bad(key + ":" + v + ": not a whole number");
      bool ok = kv == "size_mb" ? n >= std::uint64_t(k->min)
                : kv == "positive" ? n > 0
                                   : power_of_two(n) && (k->max == 0 || n <= std::uint64_t(k->max));
      if (!ok) return bad(key + ":" + v + ": " + (k->message.empty() ? "out of range" : k->message), k->message);
    } else if (kv == "fraction_open" || kv == "fraction_closed") {
      if (!parse_number(v, d)) return bad(key + ":" + v + ": not a number");
      bool ok = kv == "fraction_open" ? d > 0 && d < 1 : d >= 0 && d <= 1;
      if (!ok) return bad(key + ":" + v + ": " + k->message, k->message);
    } else if (kv == "backend") {
      if (v != "native" && v != "cudaMallocAsync") return bad(key + ":" + v + ": " + k->message, k->message);
    } else if (kv == "roundup" || kv == "reserve_list") {
      if (v == "[") {
        // [boundary:divisions, ...] up to the closing bracket.
        size_t j = i + 1;
        while (j < t.size() && t[j] != "]") {
          if (j + 2 >= t.size() || t[j + 1] != ":") return bad(key + ": each entry of the list is NAME:VALUE");
          if (kv == "roundup") {
            std::uint64_t b = 0, div = 0;
            if (t[j] != ">" && (!parse_unsigned(t[j], b) || !power_of_two(b)))
              return bad(key + ": interval " + t[j] + " is not a power of 2", "For roundups, the intervals have to be power of 2");
            if (!parse_unsigned(t[j + 2], div) || (div != 0 && !power_of_two(div)))
              return bad(key + ": " + t[j + 2] + " divisions is not a power of 2 or 0",
                         "For roundups, the divisions has to be power of 2 or 0 to disable roundup");
          }
          j += 3;
          if (j < t.size() && t[j] == ",") ++j;
        }
        if (j >= t.size()) return bad(key + ": the list has no closing ']'");
        i = j;
      } else if (kv == "reserve_list") {
        return bad(key + " takes a list: " + key + ":[NAME:VALUE,...]");
      } else if (!parse_unsigned(v, n) || !power_of_two(n)) {
        return bad(key + ":" + v + ": " + k->message, k->message);
      }
    }  // reserve: PyTorch only warns about a bad value and keeps its default
    if (i + 1 < t.size()) {
      if (t[i + 1] != ",") return bad("expected ',' after " + key + "'s value, found '" + t[i + 1] + "'");
      ++i;
    }
  }
  return {};
}

std::vector<std::string> nccl_selected_interfaces(std::string_view spec, const std::vector<std::string>& interfaces) {
  std::string s(trim(spec));
  bool exclude = s.starts_with('^');
  if (exclude) s.erase(0, 1);
  std::vector<std::pair<std::string, bool>> patterns;  // prefix, exact
  for (auto& p : split(s, ',', false)) {
    std::string x(trim(p));
    bool exact = x.starts_with('=');
    if (exact) x.erase(0, 1);
    if (!x.empty()) patterns.emplace_back(x, exact);
  }
  std::vector<std::string> out;
  for (auto& name : interfaces) {
    bool hit = std::any_of(patterns.begin(), patterns.end(),
                           [&](auto& p) { return p.second ? name == p.first : name.starts_with(p.first); });
    if (hit != exclude) out.push_back(name);
  }
  return out;
}

VariableVerdict judge_variable(const VariableRule& r, const VariableFacts& facts, std::string_view value) {
  const bool nocase = r.case_insensitive;
  const std::string shown(value);
  auto cpu = [&](bool yes) { return yes ? verdict(Status::Cpu, r.cpu_effect) : VariableVerdict{}; };
  if (r.kind == "choice") {
    if (!one_of(r.values, value, nocase))
      return invalid(r, "\"" + shown + "\" is not one of " + quoted_list(r.values), shown);
    return cpu(one_of(r.cpu_values, value, nocase));
  }
  if (r.kind == "list") {
    std::vector<std::string> items;
    for (auto& item : split(value, r.separator.empty() ? ',' : r.separator[0], false)) {
      if (!one_of(r.values, item, nocase))
        return invalid(r, "\"" + item + "\" is not one of " + quoted_list(r.values) +
                              (trim(item) != item ? " (the spaces count)" : ""), item);
      items.push_back(item);
    }
    bool all_cpu = !items.empty() && !r.cpu_values.empty() &&
                   std::all_of(items.begin(), items.end(), [&](auto& x) { return one_of(r.cpu_values, x, nocase); });
    return cpu(all_cpu);
  }
  if (r.kind == "float") {
    double d = 0;
    if (!parse_number(value, d)) return invalid(r, "\"" + shown + "\" is not a number", shown);
    if ((r.has_min && d <= r.min) || (r.has_max && d > r.max))
      return verdict(Status::Undocumented, shown + " is outside (" + fmt::format("{:g}", r.min) + ", " + fmt::format("{:g}", r.max) + "]");
    return {};
  }
  if (r.kind == "bytes_or_percent") {
    std::string_view v = trim(value);
    std::uint64_t n = 0;
    double d = 0;
    bool ok = v.ends_with('%') ? parse_number(v.substr(0, v.size() - 1), d) && d >= 0 : parse_unsigned(v, n);
    if (!ok) return invalid(r, "\"" + shown + "\" is neither a number of bytes nor a percentage (\"80%\")", shown);
    return {};
  }
  if (r.kind == "torch_alloc_conf") return judge_torch_alloc_conf(facts, value);
  if (r.kind == "false_values") {
    if (one_of(r.values, value, false) || one_of(r.on_values, value, false)) return {};
    return verdict(Status::MeansOn, "\"" + shown + "\" is not one of " + quoted_list(r.values) + ": " + r.on_means);
  }
  if (r.kind == "device_list") {
    std::string v(trim(value));
    if (one_of(r.cpu_values, v, false)) return cpu(true);
    if (one_of(r.values, v, false)) return {};
    for (auto& item : split(v, ',', true)) {
      std::string x(trim(item));
      if (parse_int(x) && *parse_int(x) >= 0) continue;
      if (x.starts_with("GPU-") || x.starts_with("MIG-")) continue;
      return invalid(r, "\"" + x + "\" is neither an index, a GPU-/MIG- UUID nor one of " + quoted_list(r.values), x);
    }
    return {};
  }
  return {};  // interface_list, set_elsewhere: judged by their checks
}

}  // namespace gpuenv
