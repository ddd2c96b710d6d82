#include "fleet/node_reader.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace gpuenv {

namespace {

using JValue = rapidjson::Value;

struct SchemaError {
  std::string message;
};

// A JSON object with the path that led to it, for error messages.
struct Obj {
  const JValue* o;
  std::string path;

  // The value at key, or nullptr when absent or null.
  const JValue* at(const char* key) const {
    auto it = o->FindMember(key);
    if (it == o->MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
  }
  [[noreturn]] void bad(const char* key, const char* expected) const {
    throw SchemaError{fmt::format("field {}{}{}: expected {}", path, path.empty() ? "" : ".", key, expected)};
  }
  void str(const char* key, std::string& out) const {
    auto e = at(key);
    if (!e) return;
    if (!e->IsString()) bad(key, "a string");
    out.assign(e->GetString(), e->GetStringLength());
  }
  template <class Int>
  void integer(const char* key, Int& out) const {
    auto e = at(key);
    if (!e) return;
    if (e->IsInt64()) out = Int(e->GetInt64());
    else if (e->IsUint64()) out = Int(e->GetUint64());
    else bad(key, "an integer");
  }
  void status(const char* key, ProbeStatus& out) const {
    if (!at(key)) return;
    std::string s;
    str(key, s);
    auto v = probe_status_from_string(s);
    if (!v) bad(key, "a probe status (docs/schema.md)");
    out = *v;
  }
  void number(const char* key, double& out) const {
    auto e = at(key);
    if (!e) return;
    if (!e->IsNumber()) bad(key, "a number");
    out = e->GetDouble();
  }
  void boolean(const char* key, bool& out) const {
    auto e = at(key);
    if (!e) return;
    if (!e->IsBool()) bad(key, "true or false");
    out = e->GetBool();
  }
  void strings(const char* key, std::vector<std::string>& out) const {
    auto e = at(key);
    if (!e) return;
    if (!e->IsArray()) bad(key, "an array");
    for (auto& x : e->GetArray()) {
      if (!x.IsString()) bad(key, "an array of strings");
      out.emplace_back(x.GetString(), x.GetStringLength());
    }
  }
  std::optional<Obj> object(const char* key) const {
    auto e = at(key);
    if (!e) return std::nullopt;
    if (!e->IsObject()) bad(key, "an object");
    return Obj{e, path.empty() ? key : path + "." + key};
  }
  // Each element of an array of objects. The element's path is only spelled
  // out when an error needs it (see Obj::bad).
  template <class F>
  void each(const char* key, F&& f) const {
    auto e = at(key);
    if (!e) return;
    if (!e->IsArray()) bad(key, "an array");
    size_t i = 0;
    for (auto& x : e->GetArray()) {
      if (!x.IsObject()) bad(key, "an array of objects");
      try {
        f(Obj{&x, ""});
      } catch (SchemaError& err) {
        // Prefix the element's path: "field copies[3].name" -> "field snapshot.libraries.copies[3].name".
        auto where = fmt::format("{}{}{}[{}]", path, path.empty() ? "" : ".", key, i);
        if (err.message.starts_with("field ")) err.message.insert(6, where + ".");
        throw;
      }
      ++i;
    }
  }
};

void read_snapshot(const Obj& j, Snapshot& s) {
  j.integer("schema_version", s.schema_version);
  j.str("tool_version", s.tool_version);
  j.str("created", s.created);
  if (auto h = j.object("host")) {
    h->str("hostname", s.host.hostname);
    h->str("os_id", s.host.os_id);
    h->str("os_pretty_name", s.host.os_pretty_name);
    h->str("os_version_id", s.host.os_version_id);
    h->str("kernel_release", s.host.kernel_release);
    h->str("arch", s.host.arch);
    h->str("glibc_version", s.host.glibc_version);
  }
  if (auto k = j.object("kernel")) {
    k->boolean("loaded", s.kernel.loaded);
    k->str("version", s.kernel.version);
    k->str("flavour", s.kernel.flavour);
  }
  if (auto c = j.object("cuda")) {
    c->status("status", s.cuda.status);
    c->str("library_path", s.cuda.library_path);
    c->str("library_version", s.cuda.library_version);
    c->integer("driver_version", s.cuda.driver_version);
    c->integer("init_result", s.cuda.init_result);
    c->integer("device_count", s.cuda.device_count);
    c->number("elapsed_ms", s.cuda.elapsed_ms);
    c->each("devices", [&](const Obj& d) {
      CudaDevice v;
      d.integer("index", v.index);
      d.str("name", v.name);
      d.integer("cc_major", v.cc_major);
      d.integer("cc_minor", v.cc_minor);
      d.integer("total_memory", v.total_memory);
      d.str("uuid", v.uuid);
      d.str("pci_bus_id", v.pci_bus_id);
      s.cuda.devices.push_back(std::move(v));
    });
  }
  if (auto n = j.object("nvml")) {
    n->status("status", s.nvml.status);
    n->str("library_version", s.nvml.library_version);
    n->str("driver_version", s.nvml.driver_version);
    n->integer("cuda_driver_version", s.nvml.cuda_driver_version);
    n->number("elapsed_ms", s.nvml.elapsed_ms);
    // NVML's device list is only the fallback view when libcuda listed none.
    if (s.cuda.devices.empty()) n->each("devices", [&](const Obj& d) {
      NvmlDevice v;
      d.integer("index", v.index);
      d.str("name", v.name);
      d.str("uuid", v.uuid);
      d.str("pci_bus_id", v.pci_bus_id);
      d.integer("cc_major", v.cc_major);
      d.integer("cc_minor", v.cc_minor);
      s.nvml.devices.push_back(std::move(v));
    });
  }
  if (auto l = j.object("libraries")) {
    // Only what the fingerprint reads: the family, the version, and the soname
    // or path when there is no version (copying every path costs more than parsing).
    l->each("copies", [&](const Obj& c) {
      LibraryCopy v;
      c.str("name", v.name);
      c.str("version", v.version);
      c.boolean("stub", v.stub);
      if (v.version.empty()) {
        c.str("soname", v.soname);
        if (v.soname.empty()) c.str("path", v.path);
      }
      s.libraries.copies.push_back(std::move(v));
    });
  }
  if (auto p = j.object("python")) {
    p->integer("active", s.python.active);
    p->each("interpreters", [&](const Obj& i) {
      Interpreter in;
      i.str("path", in.path);
      i.str("version", in.version);
      i.str("kind", in.kind);
      i.each("frameworks", [&](const Obj& f) {
        Framework fw;
        f.str("name", fw.name);
        f.str("version", fw.version);
        f.str("location", fw.location);
        f.str("distribution", fw.distribution);
        f.boolean("cuda_build", fw.cuda_build);
        f.str("cuda_version", fw.cuda_version);
        f.str("cudnn_version", fw.cudnn_version);
        f.str("variant", fw.variant);
        f.strings("arch_list", fw.arch_list);
        f.str("shadowed_by", fw.shadowed_by);
        in.frameworks.push_back(std::move(fw));
      });
      s.python.interpreters.push_back(std::move(in));
    });
  }
}

int schema_version_of(const Obj& j) {
  auto e = j.at("schema_version");
  if (!e) throw SchemaError{"no schema_version: this is not a gpuenv doctor document"};
  if (!e->IsInt64()) throw SchemaError{"schema_version is not an integer"};
  int64_t v = e->GetInt64();
  if (v > kSchemaVersion)
    throw SchemaError{fmt::format("schema {} is newer than this gpuenv understands ({}); upgrade gpuenv", v, kSchemaVersion)};
  if (v < 1) throw SchemaError{fmt::format("invalid schema_version {}", v)};
  return int(v);
}

}  // namespace

struct NodeReader::Impl {
  std::vector<char> buffer;  // file contents + a terminating NUL, parsed in place
  // The DOM's memory, reused for every document (a malloc per value costs more than the parse).
  std::vector<char> pool = std::vector<char>(8 << 20);
  Result<NodeDocument> parse_buffer(char* data, size_t size);
};

NodeReader::NodeReader() : impl_(std::make_unique<Impl>()) {}
NodeReader::~NodeReader() = default;

// data[size] must be '\0'; the text is parsed in place (strings are unescaped into it).
Result<NodeDocument> NodeReader::Impl::parse_buffer(char* data, size_t size) {
  rapidjson::MemoryPoolAllocator<> values(pool.data(), pool.size());
  rapidjson::Document root(&values);
  // The whole document is validated (a truncated file is an error, trailing garbage too).
  // Iterative: a deeply nested document (a million '[') is an error or a deep DOM, never a stack overflow.
  // Normal precision: RapidJSON 1.1.0's full-precision number parser (internal/diyfp.h) has undefined
  // behaviour on some inputs (clz of 0, a cached-power index past its table), found by fuzzing; the fields a
  // fleet report reads are integers and strings, and two probe durations (elapsed_ms) it never prints.
  root.ParseInsitu<rapidjson::kParseIterativeFlag>(data);
  if (root.HasParseError())
    return make_error(fmt::format("not valid JSON (truncated or damaged): {} at byte {}",
                                  rapidjson::GetParseError_En(root.GetParseError()), root.GetErrorOffset()));
  (void)size;
  if (!root.IsObject()) return make_error("expected a JSON object (a gpuenv doctor --json document)");
  try {
    Obj j{&root, ""};
    std::string tool;
    j.str("tool", tool);
    if (!tool.empty() && tool != "gpuenv") throw SchemaError{"written by '" + tool + "', not gpuenv"};
    schema_version_of(j);
    auto snap = j.object("snapshot");
    if (!snap || !j.at("findings"))
      throw SchemaError{"a bare snapshot without findings; collect nodes with 'gpuenv doctor --json'"};
    NodeDocument doc;
    schema_version_of(*snap);
    read_snapshot(*snap, doc.snapshot);
    j.each("findings", [&](const Obj& f) {
      Finding v;
      f.str("id", v.id);
      if (v.id.empty()) f.bad("id", "a check ID");
      std::string sev;
      f.str("severity", sev);
      if (!parse_severity(sev, v.severity)) f.bad("severity", "error, warning or info");
      f.str("title", v.title);
      f.str("subject", v.subject);
      doc.findings.push_back(std::move(v));
    });
    return doc;
  } catch (const SchemaError& e) {
    return make_error(e.message);
  }
}

Result<NodeDocument> NodeReader::parse(std::string_view text) {
  std::vector<char> copy(text.begin(), text.end());
  copy.push_back('\0');
  return impl_->parse_buffer(copy.data(), text.size());
}

Result<NodeDocument> NodeReader::read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(std::string("cannot read: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error("cannot read: not a regular file");
  }
  // One buffer per reader, grown as needed: a fresh allocation per file costs more than parsing it.
  size_t size = size_t(st.st_size);
  auto& buf = impl_->buffer;
  if (buf.size() < size + 1) buf.resize(size + 1);
  size_t off = 0;
  int err = 0;
  while (off < size) {
    ssize_t n = ::read(fd, buf.data() + off, size - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) err = errno;
    if (n <= 0) break;
    off += size_t(n);
  }
  ::close(fd);
  if (off != size) return make_error(std::string("cannot read: ") + (err ? std::strerror(err) : "the file shrank while reading"));
  if (size == 0) return make_error("empty file");
  buf[size] = '\0';
  return impl_->parse_buffer(buf.data(), size);
}

}  // namespace gpuenv
