#include "fleet/fleet.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>
#include <thread>
#include <tuple>
#include <variant>

#include <fmt/format.h>

#include "fleet/node_reader.hpp"
#include "model/readiness.hpp"
#include "util/strings.hpp"

namespace gpuenv {

NodeRecord summarize_node(std::string file, const Snapshot& s, const std::vector<Finding>& findings, StackCache* cache) {
  NodeRecord n;
  n.node = s.host.hostname;
  if (n.node.empty()) {
    n.node = base_name(file);
    if (n.node.ends_with(".json")) n.node.resize(n.node.size() - 5);
  }
  n.file = std::move(file);
  auto fp = stack_fingerprint(s);
  if (cache) {
    auto [it, fresh] = cache->try_emplace(fp.digest);
    if (fresh) it->second = std::make_shared<const StackFingerprint>(std::move(fp));
    n.stack = it->second;
  } else {
    n.stack = std::make_shared<const StackFingerprint>(std::move(fp));
  }

  std::map<std::string, int> models;
  for (auto& g : visible_gpus(s)) models[fmt::format("{} ({})", g.name, g.compute_capability())]++;
  std::vector<std::string> parts;
  for (auto& [m, count] : models) parts.push_back(fmt::format("{}x {}", count, m));
  n.gpus = parts.empty() ? "none" : join(parts, ", ");

  n.os = s.host.os_pretty_name.empty() ? s.host.os_id : s.host.os_pretty_name;
  if (!s.host.kernel_release.empty()) n.os += (n.os.empty() ? "kernel " : ", kernel ") + s.host.kernel_release;

  for (auto& f : findings) {
    if (f.severity == Severity::Error) n.errors++;
    else if (f.severity == Severity::Warning) n.warnings++;
    else continue;
    auto it = std::find_if(n.failing.begin(), n.failing.end(), [&](auto& x) { return x.id == f.id; });
    if (it == n.failing.end()) n.failing.push_back({f.id, f.severity, f.title});
    else if (f.severity == Severity::Error) it->severity = Severity::Error;
  }
  return n;
}

size_t FleetReport::outlier_count() const {
  size_t n = 0;
  for (size_t i = 1; i < groups.size(); ++i) n += groups[i].nodes.size();
  return n;
}

bool FleetReport::problems(bool strict) const {
  if (!skipped.empty() || groups.size() > 1) return true;
  for (auto& f : failing)
    if (f.severity == Severity::Error || strict) return true;
  return false;
}

static std::vector<Difference> diff(const StackFingerprint& majority, const StackFingerprint& other) {
  std::vector<Difference> out;
  auto a = majority.components.begin(), ae = majority.components.end();
  auto b = other.components.begin(), be = other.components.end();
  while (a != ae || b != be) {
    if (b == be || (a != ae && a->first < b->first)) {
      out.push_back({a->first, a->second, ""});
      ++a;
    } else if (a == ae || b->first < a->first) {
      out.push_back({b->first, "", b->second});
      ++b;
    } else {
      if (a->second != b->second) out.push_back({a->first, a->second, b->second});
      ++a, ++b;
    }
  }
  return out;
}

static int rank(Severity s) { return s == Severity::Error ? 0 : s == Severity::Warning ? 1 : 2; }

FleetReport build_fleet_report(std::vector<NodeRecord> nodes, std::vector<SkippedFile> skipped) {
  FleetReport r;
  r.skipped = std::move(skipped);
  std::stable_sort(nodes.begin(), nodes.end(), [](auto& a, auto& b) { return a.node < b.node; });
  r.nodes = std::move(nodes);

  std::map<std::string, size_t> by_digest;
  std::map<std::string, std::vector<std::string>> files_by_name;
  for (size_t i = 0; i < r.nodes.size(); ++i) {
    auto& n = r.nodes[i];
    files_by_name[n.node].push_back(n.file);
    auto [it, fresh] = by_digest.emplace(n.stack->digest, r.groups.size());
    if (fresh) r.groups.push_back({*n.stack, {}, {}, {}});
    r.groups[it->second].nodes.push_back(i);
  }
  for (auto& [name, files] : files_by_name)
    if (files.size() > 1) r.duplicates.push_back({name, files});

  // Largest group first; ties broken by the digest so the output is stable.
  std::sort(r.groups.begin(), r.groups.end(), [](auto& a, auto& b) {
    if (a.nodes.size() != b.nodes.size()) return a.nodes.size() > b.nodes.size();
    return a.stack.digest < b.stack.digest;
  });
  r.majority_tied = r.groups.size() > 1 && r.groups[0].nodes.size() == r.groups[1].nodes.size();
  for (auto& g : r.groups) {
    std::map<std::string, size_t> gpus;
    for (auto i : g.nodes) gpus[r.nodes[i].gpus]++;
    g.gpus.assign(gpus.begin(), gpus.end());
    std::sort(g.gpus.begin(), g.gpus.end(), [](auto& a, auto& b) { return a.second > b.second; });
    if (&g != &r.groups[0]) g.differs = diff(r.groups[0].stack, g.stack);
  }

  std::map<std::string, size_t> by_check;
  for (size_t i = 0; i < r.nodes.size(); ++i)
    for (auto& f : r.nodes[i].failing) {
      auto [it, fresh] = by_check.emplace(f.id, r.failing.size());
      if (fresh) r.failing.push_back({f.id, f.severity, f.title, {}});
      auto& fc = r.failing[it->second];
      if (rank(f.severity) < rank(fc.severity)) fc.severity = f.severity;
      fc.nodes.push_back(i);
    }
  std::sort(r.failing.begin(), r.failing.end(), [](auto& a, auto& b) {
    if (rank(a.severity) != rank(b.severity)) return rank(a.severity) < rank(b.severity);
    if (a.nodes.size() != b.nodes.size()) return a.nodes.size() > b.nodes.size();
    return a.id < b.id;
  });
  return r;
}

std::vector<std::string> expand_fleet_inputs(const std::vector<std::string>& inputs, std::vector<SkippedFile>& skipped) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (auto& in : inputs) {
    std::error_code ec;
    auto st = fs::status(in, ec);
    if (ec || !fs::exists(st)) {
      skipped.push_back({in, "does not exist"});
    } else if (fs::is_directory(st)) {
      std::vector<std::string> found;
      for (auto it = fs::directory_iterator(in, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        auto name = it->path().filename().string();
        if (name.ends_with(".json") && !name.starts_with(".") && it->is_regular_file(ec)) found.push_back(it->path().string());
      }
      if (ec) skipped.push_back({in, "cannot list: " + ec.message()});
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(in);
    }
  }
  return files;
}

FleetReport read_fleet(const std::vector<std::string>& files, std::vector<SkippedFile> skipped, unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = unsigned(std::min<size_t>(threads, std::max<size_t>(1, files.size() / 16)));
  std::vector<std::variant<NodeRecord, SkippedFile>> results(files.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    NodeReader reader;
    StackCache cache;
    for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < files.size();) {
      auto doc = reader.read_file(files[i]);
      if (doc) results[i] = summarize_node(files[i], doc->snapshot, doc->findings, &cache);
      else results[i] = SkippedFile{files[i], doc.error()};
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();

  std::vector<NodeRecord> nodes;
  nodes.reserve(files.size());
  for (auto& r : results) {
    if (auto* n = std::get_if<NodeRecord>(&r)) nodes.push_back(std::move(*n));
    else skipped.push_back(std::move(std::get<SkippedFile>(r)));
  }
  return build_fleet_report(std::move(nodes), std::move(skipped));
}

std::string compress_hostlist(std::vector<std::string> names, size_t max_ranges) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  // prefix -> (digit width, numbers); names without a numeric suffix stand alone.
  struct Key {
    std::string prefix;
    size_t width;
    bool operator<(const Key& o) const { return std::tie(prefix, width) < std::tie(o.prefix, o.width); }
  };
  std::map<Key, std::vector<long long>> numbered;  // width 0: not zero-padded
  std::vector<std::string> items;
  for (auto& n : names) {
    size_t d = n.size();
    while (d > 0 && n[d - 1] >= '0' && n[d - 1] <= '9') --d;
    size_t digits = n.size() - d;
    auto num = digits > 0 && digits <= 18 ? parse_int(std::string_view(n).substr(d)) : std::nullopt;
    if (!num) {
      items.push_back(n);
      continue;
    }
    numbered[{n.substr(0, d), digits > 1 && n[d] == '0' ? digits : 0}].push_back(*num);
  }
  // "gpu100" belongs with "gpu001": a number as wide as the padded group's width joins it.
  for (auto it = numbered.begin(); it != numbered.end(); ++it) {
    if (it->first.width == 0) continue;
    auto natural = numbered.find({it->first.prefix, 0});
    if (natural == numbered.end()) continue;
    auto& from = natural->second;
    for (auto n = from.begin(); n != from.end();) {
      if (std::to_string(*n).size() == it->first.width) {
        it->second.push_back(*n);
        n = from.erase(n);
      } else {
        ++n;
      }
    }
  }
  size_t ranges = 0, left = 0;
  std::vector<std::string> out;
  for (auto& [key, nums] : numbered) {
    std::sort(nums.begin(), nums.end());
    std::vector<std::string> rs;
    for (size_t i = 0; i < nums.size();) {
      size_t j = i;
      while (j + 1 < nums.size() && nums[j + 1] == nums[j] + 1) ++j;
      if (max_ranges && ranges >= max_ranges) {
        left += j - i + 1;
      } else {
        auto a = fmt::format("{:0{}}", nums[i], key.width);
        rs.push_back(i == j ? a : a + "-" + fmt::format("{:0{}}", nums[j], key.width));
        ++ranges;
      }
      i = j + 1;
    }
    if (rs.empty()) continue;
    if (nums.size() == 1 && rs.size() == 1) out.push_back(key.prefix + rs[0]);
    else out.push_back(key.prefix + "[" + join(rs, ",") + "]");
  }
  for (auto& i : items) {
    if (max_ranges && ranges >= max_ranges) {
      ++left;
      continue;
    }
    out.push_back(i);
    ++ranges;
  }
  auto s = join(out, ",");
  if (left) s += fmt::format(" ... ({} more)", left);
  return s;
}

}  // namespace gpuenv
