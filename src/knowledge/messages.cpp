#include "knowledge/messages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <regex>
#include <stdexcept>
#include "util/tomlpp.hpp"

#include "knowledge/toml_read.hpp"
#include "util/strings.hpp"

namespace gpuenv {

struct CompiledPattern {
  std::regex re;
  // How many characters of a match can precede the needle: the regex is tried anchored at each of
  // these positions before the needle only (0 when the pattern begins with the needle).
  size_t lead = 0;
  std::bitset<256> first;  // the lower-cased characters a match can begin with
};

namespace {

// A line is matched only around its needle: std::regex backtracks (and recurses per character), so the
// text it sees is bounded whatever the line's length (a 1.5 KB line or a multi-megabyte progress bar).
constexpr size_t kWindowBefore = 256, kWindowAfter = 768;
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

// The (lower-cased) characters a match of `pattern` can begin with; all 256 when that is not simple
// to tell (a class, a quantified first item, an escape such as \w). Top-level alternatives and leading
// groups are followed.
std::bitset<256> first_chars(std::string_view pat) {
  std::bitset<256> all;
  all.set();
  // Split at top-level '|'.
  std::vector<std::string_view> alts;
  int depth = 0;
  bool in_class = false;
  size_t from = 0;
  for (size_t i = 0; i < pat.size(); ++i) {
    char c = pat[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth == 0) {
      alts.push_back(pat.substr(from, i - from));
      from = i + 1;
    }
  }
  alts.push_back(pat.substr(from));
  std::bitset<256> out;
  auto quantified = [](std::string_view rest) { return !rest.empty() && std::strchr("?*+{", rest[0]); };
  for (auto a : alts) {
    if (a.empty()) return all;
    if (a[0] == '(') {
      int d = 0;
      size_t close = std::string_view::npos;
      for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] == '\\') ++i;
        else if (a[i] == '(') ++d;
        else if (a[i] == ')' && --d == 0) { close = i; break; }
      }
      if (close == std::string_view::npos || quantified(a.substr(close + 1))) return all;
      auto inner = a.substr(1, close - 1);
      if (inner.starts_with("?:")) inner.remove_prefix(2);
      else if (inner.starts_with("?")) return all;  // lookaround
      out |= first_chars(inner);
      continue;
    }
    size_t len = 1;
    unsigned char c = static_cast<unsigned char>(a[0]);
    if (c == '\\') {
      if (a.size() < 2 || std::isalnum(static_cast<unsigned char>(a[1]))) return all;
      c = static_cast<unsigned char>(a[1]);
      len = 2;
    } else if (std::strchr("[.^$)", char(c))) {
      return all;
    }
    if (quantified(a.substr(len))) return all;
    out.set(static_cast<unsigned char>(std::tolower(c)));
  }
  return out;
}

// Whether `pattern` begins with `needle` literally (case-insensitive; escaped punctuation counts as
// the character) and has no alternation, so that every match starts where the needle does.
bool pattern_starts_with(const std::string& pattern, const std::string& needle) {
  if (pattern.find('|') != std::string::npos) return false;
  size_t p = 0;
  for (char want : needle) {
    if (p >= pattern.size()) return false;
    char c = pattern[p];
    if (c == '\\') {
      if (p + 1 >= pattern.size() || std::isalnum(static_cast<unsigned char>(pattern[p + 1]))) return false;
      c = pattern[++p];
    } else if (std::strchr("()[]{}?*+.^$", c)) {
      return false;
    }
    if (std::tolower(static_cast<unsigned char>(c)) != want) return false;
    ++p;
  }
  return p >= pattern.size() || !std::strchr("?*+{", pattern[p]);
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
      m.related = toml_strings(x["related"]);
      m.superseded_by = toml_strings(x["superseded_by"]);
      m.severity = x["severity"].value_or<std::string>("error");
      m.emitter = x["emitter"].value_or<std::string>("");
      m.needle = to_lower(x["needle"].value_or<std::string>(""));
      m.pattern = x["pattern"].value_or<std::string>("");
      m.context = toml_strings(x["context"]);
      for (auto& c : m.context) c = to_lower(c);
      m.elsewhere = x["elsewhere"].value_or<std::string>("");
      m.wrap = x["wrap"].value_or(false);
      m.captures = toml_strings(x["captures"]);
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
      c->lead = pattern_starts_with(m.pattern, m.needle) ? 0 : size_t(x["lead"].value_or<int64_t>(int64_t(kWindowBefore)));
      c->first = first_chars(m.pattern);
      if (c->lead > kWindowBefore)
        throw std::runtime_error("knowledge file messages.toml: entry '" + m.id + "': lead must be <= 256");
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

namespace {

// The log, prepared once: ANSI codes stripped, lower-cased byte for byte (offsets stay), split into lines
// on \n, \r\n and lone \r (progress bars).
struct PreparedLog {
  std::string clean, lower;
  std::vector<std::string_view> lines, lower_lines;
  std::vector<size_t> starts;  // offset of each line in clean/lower
  // For entries that are often hard-wrapped: the lower-cased text without line breaks, and where each
  // line starts in it.
  std::string flat;
  std::vector<size_t> flat_starts;

  explicit PreparedLog(std::string_view log) : clean(strip_ansi(log)) {
    size_t start = 0;
    while (start <= clean.size()) {
      size_t i = clean.find_first_of("\r\n", start);
      if (i == std::string::npos) i = clean.size();
      starts.push_back(start);
      lines.emplace_back(clean.data() + start, i - start);
      if (i + 1 < clean.size() && clean[i] == '\r' && clean[i + 1] == '\n') ++i;
      start = i + 1;
    }
    while (!lines.empty() && lines.back().empty()) {
      lines.pop_back();
      starts.pop_back();
    }
    lower = to_lower(clean);
    for (size_t i = 0; i < lines.size(); ++i) lower_lines.push_back(std::string_view(lower).substr(starts[i], lines[i].size()));
  }
  void ensure_flat() {
    if (!flat_starts.empty() || lines.empty()) return;
    flat.reserve(lower.size());
    for (auto l : lower_lines) {
      flat_starts.push_back(flat.size());
      flat.append(l);
    }
  }
  size_t line_of(const std::vector<size_t>& s, size_t pos) const {
    return size_t(std::upper_bound(s.begin(), s.end(), pos) - s.begin()) - 1;
  }
};

// How often each byte occurs in a text: a needle is searched by its rarest byte (memchr, then a
// comparison around each hit), which on real logs skips almost everything at memchr's speed.
struct ByteCounts {
  std::array<size_t, 256> n{};
  explicit ByteCounts(std::string_view s) {
    for (unsigned char c : s) ++n[c];
  }
};

// Every offset where `needle` occurs in `hay`, in order; `f` returns where to go on (past the line).
template <class F>
void for_each_occurrence(std::string_view hay, const std::string& needle, const ByteCounts& counts, F&& f) {
  if (needle.empty() || hay.size() < needle.size()) return;
  size_t k = 0;  // the needle's rarest byte in this text
  for (size_t i = 1; i < needle.size(); ++i)
    if (counts.n[static_cast<unsigned char>(needle[i])] < counts.n[static_cast<unsigned char>(needle[k])]) k = i;
  if (counts.n[static_cast<unsigned char>(needle[k])] == 0) return;
  const char rare = needle[k];
  size_t from = k;  // where the rare byte of the first possible occurrence can be
  while (from < hay.size()) {
    const void* hit = std::memchr(hay.data() + from, rare, hay.size() - from);
    if (!hit) return;
    size_t at = size_t(static_cast<const char*>(hit) - hay.data());
    size_t start = at - k;
    if (start + needle.size() <= hay.size() && hay.compare(start, needle.size(), needle) == 0) {
      size_t next = f(start);
      if (next <= start) next = start + 1;
      from = next + k;
    } else {
      from = at + 1;
    }
  }
}

// The token (a path) around offset `pos` of `text`: up to whitespace, quotes, brackets and a trailing ':'.
std::string token_at(std::string_view text, size_t pos, size_t len) {
  auto stop = [](char c) { return std::isspace(static_cast<unsigned char>(c)) || c == '\'' || c == '"' || c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == ',' || c == '='; };
  size_t b = pos, e = pos + len;
  while (b > 0 && pos - b < 512 && !stop(text[b - 1])) --b;
  while (e < text.size() && e - pos < 512 && !stop(text[e])) ++e;
  while (e > pos + len && (text[e - 1] == ':' || text[e - 1] == '.' || text[e - 1] == ';')) --e;
  return std::string(text.substr(b, e - b));
}

}  // namespace

std::vector<MessageMatch> match_messages(const Knowledge& k, std::string_view log) {
  const auto& facts = k.messages();
  PreparedLog L(log);
  const size_t nlines = L.lines.size();

  // 1. Candidates: for every entry, the lines its needle occurs on (each line once); entries whose
  //    context literal occurs nowhere in the log are skipped. Linear in the log's size per entry.
  const ByteCounts counts(L.lower);
  std::optional<ByteCounts> flat_counts;
  std::map<std::string, bool> context_found;
  // line -> (entry index, where its needle starts in the line), for the entries whose needle is on it
  std::vector<std::vector<std::pair<size_t, size_t>>> per_line(nlines);
  for (size_t fi = 0; fi < facts.size(); ++fi) {
    const MessageFact& f = facts[fi];
    if (!f.context.empty()) {
      bool any = false;
      for (auto& c : f.context) {
        auto it = context_found.find(c);
        if (it == context_found.end()) {
          bool found = false;
          for_each_occurrence(L.lower, c, counts, [&](size_t) {
            found = true;
            return L.lower.size();
          });
          it = context_found.emplace(c, found).first;
        }
        any = any || it->second;
      }
      if (!any) continue;
    }
    if (f.wrap) {
      L.ensure_flat();
      if (!flat_counts) flat_counts.emplace(L.flat);
      for_each_occurrence(L.flat, f.needle, *flat_counts, [&](size_t pos) {
        size_t li = L.line_of(L.flat_starts, pos);
        per_line[li].emplace_back(fi, pos - L.flat_starts[li]);
        return li + 1 < nlines ? L.flat_starts[li + 1] : L.flat.size();
      });
    } else {
      for_each_occurrence(L.lower, f.needle, counts, [&](size_t pos) {
        size_t li = L.line_of(L.starts, pos);
        per_line[li].emplace_back(fi, pos - L.starts[li]);
        return li + 1 < nlines ? L.starts[li + 1] : L.lower.size();
      });
    }
  }

  // 2. Per line, in order: the first entry (in file order) whose pattern matches wins.
  std::vector<MessageMatch> out;
  std::map<std::string, size_t> seen;  // entry id + captured values -> index in out
  std::map<std::string, std::string> evidence_cache;  // expanded `elsewhere` -> the path found ("" none)
  size_t consumed_until = 0;           // lines already part of a multi-line match
  for (size_t li = 0; li < nlines; ++li) {
    if (li < consumed_until || per_line[li].empty()) continue;
    auto& cands = per_line[li];
    std::sort(cands.begin(), cands.end());
    for (auto [fi, needle_pos] : cands) {
      const MessageFact& f = facts[fi];
      // The text to match: this line around the needle (a bounded window keeps the regex's work
      // bounded), plus the following lines (joined without a separator for wrapped messages).
      // Anchored attempts at each position from `lead` characters before the needle up to it find
      // the leftmost match that contains this needle, at a cost bounded by the window, not the line;
      // when the needle occurs several times on the line, the next few occurrences are tried too.
      const size_t lead = f.compiled->lead;
      const auto& first_char = f.compiled->first;
      std::string text;
      std::vector<size_t> line_ends;
      std::smatch m;
      bool hit = false;
      size_t pos = needle_pos;
      for (int occurrence = 0; occurrence < 8 && !hit && pos != std::string_view::npos; ++occurrence) {
        size_t offset = pos > lead ? pos - lead : 0;
        text.assign(L.lines[li].substr(offset, (pos - offset) + kWindowAfter));
        line_ends.assign(1, text.size());
        for (int extra = 1; extra < f.lines && li + size_t(extra) < nlines; ++extra) {
          if (!f.wrap) text += '\n';
          text.append(L.lines[li + size_t(extra)].substr(0, kWindowAfter));
          line_ends.push_back(text.size());
        }
        for (size_t start = 0; start <= pos - offset && start < text.size() && !hit; ++start)
          if (first_char.test(static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(text[start])))))
            hit = std::regex_search(text.cbegin() + std::ptrdiff_t(start), text.cend(), m, f.compiled->re,
                                    start ? std::regex_constants::match_continuous | std::regex_constants::match_prev_avail
                                          : std::regex_constants::match_continuous);
        if (!hit) pos = f.wrap ? std::string_view::npos : L.lower_lines[li].find(f.needle, pos + 1);
      }
      if (!hit) continue;
      const size_t mstart = size_t(m[0].first - text.cbegin());
      MessageMatch mm;
      mm.fact = &f;
      mm.line = int(li) + 1;
      for (size_t g = 0; g < f.captures.size(); ++g)
        mm.captures.emplace_back(f.captures[g], m[g + 1].matched ? std::string(trim(m[g + 1].str())) : std::string());
      size_t end = mstart + size_t(m.length(0));
      size_t last_line = li;
      for (size_t j = 0; j < line_ends.size(); ++j)
        if (end > line_ends[j]) last_line = li + j + 1;
      if (!f.elsewhere.empty()) {
        // The evidence must be outside the lines of the message itself.
        std::string want = to_lower(expand_message_template(f.elsewhere, mm.captures));
        std::string key = want + '\x1f' + std::to_string(li) + '\x1f' + std::to_string(last_line);
        auto it = evidence_cache.find(key);
        if (it == evidence_cache.end()) {
          std::string found;
          size_t lo = L.starts[li], hi = last_line + 1 < nlines ? L.starts[last_line + 1] : L.lower.size();
          for_each_occurrence(L.lower, want, counts, [&](size_t p) {
            if (p >= lo && p < hi) return hi;
            if (found.empty()) found = token_at(L.clean, p, want.size());
            return L.lower.size();
          });
          it = evidence_cache.emplace(key, found).first;
        }
        if (it->second.empty()) continue;
        mm.captures.emplace_back("found_at", it->second);
      }
      std::string shown = m.str(0);
      for (auto& ch : shown)
        if (ch == '\n') ch = ' ';
      if (shown.size() > kMaxShownText) shown = shown.substr(0, kMaxShownText) + "...";
      mm.text = shown;
      // A match that reaches into the following lines consumes them.
      if (last_line > li) consumed_until = std::max(consumed_until, last_line + 1);
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
