// RECORD, the list of files an installer wrote for a distribution (PyPA "Recording installed projects":
// a CSV file of path, hash, size, read with Python's csv module defaults), and the comparison of the GPU
// distributions' files on disk with it.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "probe/python.hpp"
#include "util/hash.hpp"
#include "util/strings.hpp"

namespace gpuenv {

Result<std::vector<RecordEntry>> parse_record(std::string_view text, std::size_t max_rows) {
  // The csv module's "excel" dialect: fields separated by ',', a field may be quoted with '"' (then it may hold
  // ',', a line break, and '""' for one '"'); rows end at "\n" or "\r\n".
  std::vector<RecordEntry> out;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, was_quoted = false;
  auto end_row = [&]() -> bool {
    row.push_back(std::move(field));
    field.clear();
    was_quoted = false;
    if (!(row.size() == 1 && row[0].empty())) {  // a blank line is no row
      if (out.size() >= max_rows) return false;
      RecordEntry e;
      e.path = row[0];
      if (row.size() > 1) e.hash = row[1];
      if (row.size() > 2 && !row[2].empty()) {
        auto n = parse_int(row[2]);
        e.size = n && *n >= 0 ? *n : -2;  // -2: a size that is not a number
      }
      out.push_back(std::move(e));
    }
    row.clear();
    return true;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c != '"') field += c;
      else if (i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
      else quoted = false;
      continue;
    }
    if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (!end_row()) return make_error("more than " + std::to_string(max_rows) + " rows");
    } else {
      field += c;  // the csv module keeps text after a closing quote too
    }
  }
  if (quoted) return make_error("a quoted field is not closed");
  if (!field.empty() || !row.empty())
    if (!end_row()) return make_error("more than " + std::to_string(max_rows) + " rows");
  return out;
}

namespace {

constexpr std::size_t kMaxRecordBytes = 16u << 20;  // torch's RECORD is about 2 MB
constexpr std::size_t kMaxRecordRows = 200000;
constexpr std::size_t kListed = 20;  // paths kept per kind in the snapshot

// RECORD's hash value: urlsafe base64 of the digest, without '=' padding.
std::string b64url_of_hex(const std::string& hex) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) bytes += char(std::stoi(hex.substr(i, 2), nullptr, 16));
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    unsigned v = unsigned(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size()) v |= unsigned(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) v |= unsigned(static_cast<unsigned char>(bytes[i + 2]));
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    if (i + 1 < bytes.size()) out += abc[(v >> 6) & 63];
    if (i + 2 < bytes.size()) out += abc[v & 63];
  }
  return out;
}

// The distributions whose loss of files breaks GPU work: nvidia-* wheels and the frameworks' own.
bool gpu_distribution(const Interpreter& py, const Distribution& d) {
  auto n = normalize_dist_name(d.name);
  if (n.starts_with("nvidia-") || n.starts_with("jax-cuda") || n.starts_with("cupy-cuda")) return true;
  for (auto& fw : py.frameworks)
    for (auto& part : split(fw.distribution, '+', false))
      if (normalize_dist_name(trim(part)) == n) return true;
  return false;
}

struct Parsed {
  std::vector<RecordEntry> entries;
  std::string error;
};

Parsed read_record(const ProbeContext& ctx, const Distribution& d) {
  Parsed p;
  auto text = ctx.fs.read(d.metadata + "/RECORD", kMaxRecordBytes);
  if (!text) {
    p.error = text.error();
    return p;
  }
  auto entries = parse_record(*text, kMaxRecordRows);
  if (!entries) p.error = d.metadata + "/RECORD: " + entries.error();
  else p.entries = std::move(entries).value();
  return p;
}

// What the RECORDs of all GPU distributions in one directory say of a path: several wheels may ship the same
// file (a namespace package's __init__.py, a shared directory), and the last one installed wins.
struct Listed {
  std::set<long long> sizes;
  std::set<std::string> hashes;
};

RecordCheck compare(const ProbeContext& ctx, const Distribution& d, const Parsed& p,
                    const std::map<std::string, Listed>& listed) {
  RecordCheck rc;
  if (!p.error.empty()) {
    rc.error = p.error;
    return rc;
  }
  auto& fs = ctx.fs;
  rc.entries = 0;
  rc.hashed = ctx.hash_files;
  for (auto& e : p.entries) {
    // Files outside the install directory (scripts in bin/), bytecode the interpreter rewrites, and the
    // entries without a size (RECORD itself, INSTALLER) are not compared.
    if (e.size == -1 || e.path.empty() || e.path.starts_with("/") || e.path.starts_with("../") ||
        e.path.ends_with(".pyc") || contains(e.path, "/__pycache__/"))
      continue;
    ++rc.entries;
    auto path = d.location + "/" + e.path;
    auto st = fs.stat(path);
    if (st.kind != FileKind::Regular) {
      if (rc.missing_count++ < int(kListed)) rc.missing.push_back(e.path);
      continue;
    }
    auto it = listed.find(path);
    std::string changed;
    if (e.size == -2) changed = e.path + ": RECORD's size is not a number";
    else if (st.size != std::uint64_t(e.size) && (it == listed.end() || !it->second.sizes.count((long long)st.size)))
      changed = e.path + ": " + std::to_string(st.size) + " bytes, RECORD says " + std::to_string(e.size);
    else if (ctx.hash_files && e.hash.starts_with("sha256=") && st.size == std::uint64_t(e.size)) {
      auto h = sha256_file(fs.host_path(path));
      auto got = h ? "sha256=" + b64url_of_hex(*h) : std::string();
      if (h && got != e.hash && (it == listed.end() || !it->second.hashes.count(got)))
        changed = e.path + ": sha256 differs from RECORD's";
    }
    if (!changed.empty() && rc.changed_count++ < int(kListed)) rc.changed.push_back(changed);
  }
  return rc;
}

}  // namespace

void check_records(const ProbeContext& ctx, Interpreter& py, std::map<std::string, RecordCheck>& done) {
  std::vector<Distribution*> todo;
  for (auto& d : py.distributions) {
    if (!d.metadata.ends_with(".dist-info") || d.installer == "debian" || d.installer == "conda") continue;
    if (!gpu_distribution(py, d)) continue;
    if (auto it = done.find(d.metadata); it != done.end()) d.record = it->second;
    else todo.push_back(&d);
  }
  if (todo.empty()) return;
  std::vector<Parsed> parsed;
  std::map<std::string, Listed> listed;  // location/path -> what the GPU distributions there list for it
  for (auto& d : py.distributions)
    if (d.metadata.ends_with(".dist-info") && gpu_distribution(py, d)) {
      bool wanted = std::find(todo.begin(), todo.end(), &d) != todo.end();
      auto p = read_record(ctx, d);
      for (auto& e : p.entries) {
        auto& l = listed[d.location + "/" + e.path];
        l.sizes.insert(e.size);
        if (!e.hash.empty()) l.hashes.insert(e.hash);
      }
      if (wanted) parsed.push_back(std::move(p));
    }
  for (std::size_t i = 0; i < todo.size(); ++i) {
    todo[i]->record = compare(ctx, *todo[i], parsed[i], listed);
    done.emplace(todo[i]->metadata, todo[i]->record);
  }
}

}  // namespace gpuenv
