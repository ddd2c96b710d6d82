#include "knowledge/messages.hpp"

#include <fmt/format.h>

#include <map>
#include <set>
#include <regex>
#include <stdexcept>
#include <toml++/toml.h>

#include "util/strings.hpp"

namespace gpuenv {

struct CompiledPattern {
  std::regex re;
};

namespace {

std::vector<std::string> string_list(const toml::node_view<const toml::node>& n) {
  std::vector<std::string> out;
  if (auto* a = n.as_array())
    for (auto& x : *a)
      if (auto v = x.value<std::string>()) out.push_back(*v);
  return out;
}

// Lines longer than this are matched only around the needle: std::regex recurses per character and a
// multi-megabyte progress-bar line must not exhaust the stack.
constexpr size_t kWindowBefore = 512, kWindowAfter = 1024;
constexpr size_t kMaxShownText = 300;

std::string strip_ansi(std::string_view s) {
  if (s.find('\x1b') == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b' && i + 1 < s.size() && s[i + 1] == '[') {
      size_t j = i + 2;
      while (j < s.size() && !(s[j] >= '@' && s[j] <= '~')) ++j;
      i = j;
      continue;
    }
    out += s[i];
  }
  return out;
}

std::string format_cudnn(const std::string& v) {
  auto n = parse_int(v);
  if (!n || *n <= 0) return v;
  long long x = *n;
  // cuDNN 8 and older: major*1000 + minor*100 + patch; cuDNN 9+: major*10000 + minor*100 + patch.
  if (x >= 90000) return fmt::format("{}.{}.{}", x / 10000, (x % 10000) / 100, x % 100);
  return fmt::format("{}.{}.{}", x / 1000, (x % 1000) / 100, x % 100);
}

}  // namespace

const std::vector<MessageFact>& Knowledge::messages() const {
  ensure_messages();
  return messages_;
}

void Knowledge::ensure_messages() const {
  std::call_once(messages_once_, [&] {
    auto* t = file("messages");
    if (!t) return;
    auto* arr = (*t)["message"].as_array();
    if (!arr) return;
    std::vector<MessageFact> all;  // assigned only when every entry is valid (a throw leaves nothing half-read)
    for (auto& node : *arr) {
      auto* e = node.as_table();
      if (!e) continue;
      const toml::table& x = *e;
      MessageFact m;
      m.id = x["id"].value_or<std::string>("");
      m.check = x["check"].value_or<std::string>("");
      m.related = string_list(x["related"]);
      m.superseded_by = string_list(x["superseded_by"]);
      m.severity = x["severity"].value_or<std::string>("error");
      m.emitter = x["emitter"].value_or<std::string>("");
      m.needle = to_lower(x["needle"].value_or<std::string>(""));
      m.pattern = x["pattern"].value_or<std::string>("");
      m.captures = string_list(x["captures"]);
      m.lines = int(x["lines"].value_or<int64_t>(1));
      m.title = x["title"].value_or<std::string>("");
      m.cause = x["cause"].value_or<std::string>("");
      m.fix = x["fix"].value_or<std::string>("");
      m.narrow = x["narrow"].value_or<std::string>("");
      m.source = x["source"].value_or<std::string>("");
      if (m.id.empty() || m.pattern.empty() || m.needle.empty() || m.title.empty())
        throw std::runtime_error("knowledge file messages.toml: entry '" + m.id + "' needs id, needle, pattern and title");
      if (m.lines < 1 || m.lines > 20)
        throw std::runtime_error("knowledge file messages.toml: entry '" + m.id + "': lines must be 1..20");
      auto c = std::make_shared<CompiledPattern>();
      try {
        c->re = std::regex(m.pattern, std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
      } catch (const std::regex_error& err) {
        throw std::runtime_error("knowledge file messages.toml: entry '" + m.id + "': invalid pattern: " + err.what());
      }
      if (c->re.mark_count() != m.captures.size())
        throw std::runtime_error(fmt::format("knowledge file messages.toml: entry '{}': {} groups but {} capture names",
                                             m.id, c->re.mark_count(), m.captures.size()));
      m.compiled = std::move(c);
      all.push_back(std::move(m));
    }
    messages_ = std::move(all);
  });
}

std::string MessageMatch::capture(const std::string& name) const {
  for (auto& [k, v] : captures)
    if (k == name) return v;
  return "";
}

static std::string expand_plain(const std::string& tmpl, const std::vector<std::pair<std::string, std::string>>& captures,
                                bool* missing);

std::string expand_message_template(const std::string& tmpl, const std::vector<std::pair<std::string, std::string>>& captures) {
  // <<optional clause>>: dropped when a placeholder inside it has no value.
  std::string out;
  size_t i = 0;
  while (true) {
    size_t open = tmpl.find("<<", i);
    size_t close = open == std::string::npos ? std::string::npos : tmpl.find(">>", open + 2);
    if (close == std::string::npos) {
      out += expand_plain(tmpl.substr(i), captures, nullptr);
      break;
    }
    out += expand_plain(tmpl.substr(i, open - i), captures, nullptr);
    bool missing = false;
    std::string clause = expand_plain(tmpl.substr(open + 2, close - open - 2), captures, &missing);
    if (!missing) out += clause;
    i = close + 2;
  }
  return out;
}

static std::string expand_plain(const std::string& tmpl, const std::vector<std::pair<std::string, std::string>>& captures,
                                bool* missing) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t open = tmpl.find('{', i);
    if (open == std::string::npos) break;
    size_t close = tmpl.find('}', open);
    if (close == std::string::npos) break;
    std::string key = tmpl.substr(open + 1, close - open - 1);
    // Only {word} and {word|filter} are placeholders; other braces (shell ${VAR}) stay.
    bool placeholder = !key.empty() && key.find_first_not_of("abcdefghijklmnopqrstuvwxyz_0123456789|") == std::string::npos;
    if (!placeholder) {
      out.append(tmpl, i, close + 1 - i);
      i = close + 1;
      continue;
    }
    out.append(tmpl, i, open - i);
    std::string filter;
    if (auto bar = key.find('|'); bar != std::string::npos) {
      filter = key.substr(bar + 1);
      key.resize(bar);
    }
    std::string value;
    for (auto& [k, v] : captures)
      if (k == key) value = v;
    if (value.empty()) {
      value = "?";
      if (missing) *missing = true;
    }
    else if (filter == "cuda" || filter == "cudatag") {
      if (auto n = parse_int(value); n && *n > 0) {
        value = filter == "cuda" ? fmt::format("{}.{}", *n / 1000, (*n % 1000) / 10) : fmt::format("{}{}", *n / 1000, (*n % 1000) / 10);
      }
    } else if (filter == "cudnn") {
      value = format_cudnn(value);
    }
    out += value;
    i = close + 1;
  }
  out.append(tmpl, i, std::string::npos);
  return out;
}

std::vector<MessageMatch> match_messages(const Knowledge& k, std::string_view log) {
  const auto& facts = k.messages();
  std::string clean = strip_ansi(log);
  // Lines: \n, \r\n and lone \r (progress bars) all end a line.
  std::vector<std::string_view> lines;
  {
    size_t start = 0;
    while (start <= clean.size()) {
      size_t i = clean.find_first_of("\r\n", start);
      if (i == std::string::npos) i = clean.size();
      lines.emplace_back(clean.data() + start, i - start);
      if (i + 1 < clean.size() && clean[i] == '\r' && clean[i + 1] == '\n') ++i;
      start = i + 1;
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
  }
  // Lower-case once (byte for byte, so offsets stay), then view each line in it.
  std::string lower_all = to_lower(clean);
  std::vector<std::string_view> lower(lines.size());
  for (size_t i = 0; i < lines.size(); ++i)
    lower[i] = std::string_view(lower_all).substr(size_t(lines[i].data() - clean.data()), lines[i].size());

  std::vector<MessageMatch> out;
  std::map<std::string, size_t> seen;  // entry id + captured values -> index in out
  size_t consumed_until = 0;           // lines already part of a multi-line match
  for (size_t li = 0; li < lines.size(); ++li) {
    if (li < consumed_until) continue;
    for (auto& f : facts) {
      size_t pos = lower[li].find(f.needle);
      // A message spanning lines may have its needle on the first line only (checked here) - the
      // needle is always in the part that starts the message.
      if (pos == std::string::npos) continue;
      // The text to match: this line (around the needle when it is huge), plus the following lines.
      std::string text;
      size_t offset = 0;
      std::string_view first = lines[li];
      if (first.size() > kWindowBefore + kWindowAfter) {
        offset = pos > kWindowBefore ? pos - kWindowBefore : 0;
        first = first.substr(offset, kWindowBefore + kWindowAfter);
      }
      text.assign(first);
      size_t first_len = text.size();
      std::vector<size_t> line_ends{first_len};
      for (int extra = 1; extra < f.lines && li + size_t(extra) < lines.size(); ++extra) {
        auto next = lines[li + size_t(extra)];
        text += '\n';
        text.append(next.substr(0, kWindowAfter));
        line_ends.push_back(text.size());
      }
      std::smatch m;
      if (!std::regex_search(text, m, f.compiled->re)) continue;
      MessageMatch mm;
      mm.fact = &f;
      mm.line = int(li) + 1;
      for (size_t g = 0; g < f.captures.size(); ++g)
        mm.captures.emplace_back(f.captures[g], m[g + 1].matched ? std::string(trim(m[g + 1].str())) : std::string());
      std::string shown = m.str(0);
      for (auto& ch : shown)
        if (ch == '\n') ch = ' ';
      if (shown.size() > kMaxShownText) shown = shown.substr(0, kMaxShownText) + "...";
      mm.text = shown;
      // A match that reaches into the following lines consumes them.
      size_t end = size_t(m.position(0) + m.length(0));
      for (size_t j = 0; j < line_ends.size(); ++j)
        if (end > line_ends[j]) consumed_until = std::max(consumed_until, li + j + 2);
      std::string key = f.id;
      for (auto& [n, v] : mm.captures) key += '\x1f' + v;
      if (auto it = seen.find(key); it != seen.end()) {
        out[it->second].lines.push_back(mm.line);
      } else {
        mm.lines.push_back(mm.line);
        seen[key] = out.size();
        out.push_back(std::move(mm));
      }
      break;  // first entry wins on this line
    }
  }
  // An entry that only restates what a more specific one in the same log explains is dropped
  // (JAX prints "a CUDA-enabled jaxlib is not installed" after every failed plugin initialisation).
  std::set<std::string> ids;
  for (auto& mm : out) ids.insert(mm.fact->id);
  std::erase_if(out, [&](const MessageMatch& mm) {
    for (auto& by : mm.fact->superseded_by)
      if (ids.count(by)) return true;
    return false;
  });
  return out;
}

}  // namespace gpuenv
