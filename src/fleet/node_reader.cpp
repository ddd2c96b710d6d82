#include "fleet/node_reader.hpp"

#include <fmt/format.h>

#include "fleet/json_stack.hpp"  // before RapidJSON's document.h
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "model/snapshot_fields.hpp"

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

// What a fleet report reads of a doctor document: the keys it picks in each object, nested. The types, and
// the keys' spelling, come from the model's field lists (model/snapshot_fields.hpp).
struct Pick {
  std::string_view key;
  std::vector<Pick> sub;  // an object, or an array of objects: the keys picked in it (empty: a scalar or strings)
  // For an array of objects: called with each element once its picked keys are read.
  void (*then)(const Obj&, void* element) = nullptr;
};

const Pick* find_pick(const std::vector<Pick>& picks, std::string_view key) {
  for (auto& p : picks)
    if (p.key == key) return &p;
  return nullptr;
}

// Reads the picked keys of one object through a type's field list.
struct PickedFields {
  const Obj& j;
  const std::vector<Pick>& picks;
  template <class T>
  void operator()(const char* key, T& v) const {
    if (auto* p = find_pick(picks, key)) read_value(j, key, v, *p);
  }
};

// A model type with a field list.
template <class T>
concept HasFields = requires(T& v) { fields(std::declval<const PickedFields&>(), v); };
// An array of objects of such a type.
template <class T>
constexpr bool kVectorOfFields = false;
template <class T>
constexpr bool kVectorOfFields<std::vector<T>> = HasFields<T>;

template <class T>
void read_value(const Obj& j, const char* key, T& v, const Pick& p) {
  if constexpr (std::is_same_v<T, std::string>) {
    j.str(key, v);
  } else if constexpr (std::is_same_v<T, bool>) {
    j.boolean(key, v);
  } else if constexpr (std::is_integral_v<T>) {
    j.integer(key, v);
  } else if constexpr (std::is_floating_point_v<T>) {
    j.number(key, v);
  } else if constexpr (std::is_same_v<T, ProbeStatus>) {
    j.status(key, v);
  } else if constexpr (std::is_same_v<T, Severity>) {
    std::string s;
    j.str(key, s);
    if (!parse_severity(s, v)) j.bad(key, "error, warning or info");
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    j.strings(key, v);
  } else if constexpr (kVectorOfFields<T>) {
    j.each(key, [&](const Obj& e) {
      typename T::value_type x;
      fields(PickedFields{e, p.sub}, x);
      if (p.then) p.then(e, &x);
      v.push_back(std::move(x));
    });
  } else if constexpr (HasFields<T>) {
    if (auto o = j.object(key)) fields(PickedFields{*o, p.sub}, v);
  } else {
    throw std::logic_error(std::string("node reader: no reader for the type of ") + key);  // a Pick of a new type
  }
}

// NVML's device list is only the fallback view when libcuda listed none: read apart, when needed.
const Pick kNvmlDevices{"devices", {{"index"}, {"name"}, {"uuid"}, {"pci_bus_id"}, {"cc_major"}, {"cc_minor"}}};

const std::vector<Pick>& snapshot_picks() {
  static const std::vector<Pick> picks = {
      {"schema_version"},
      {"tool_version"},
      {"created"},
      {"host", {{"hostname"}, {"os_id"}, {"os_pretty_name"}, {"os_version_id"}, {"kernel_release"}, {"arch"}, {"glibc_version"}}},
      {"kernel", {{"loaded"}, {"version"}, {"flavour"}}},
      {"cuda",
       {{"status"}, {"library_path"}, {"library_version"}, {"driver_version"}, {"init_result"}, {"device_count"},
        {"elapsed_ms"},
        {"devices", {{"index"}, {"name"}, {"cc_major"}, {"cc_minor"}, {"total_memory"}, {"uuid"}, {"pci_bus_id"}}}}},
      {"nvml", {{"status"}, {"library_version"}, {"driver_version"}, {"cuda_driver_version"}, {"elapsed_ms"}}},
      // Only what the fingerprint reads: the family, the version, and the soname or path when there is no
      // version (copying every path costs more than parsing).
      {"libraries",
       {{"copies",
         {{"name"}, {"version"}, {"stub"}},
         [](const Obj& c, void* e) {
           auto& v = *static_cast<LibraryCopy*>(e);
           if (!v.version.empty()) return;
           c.str("soname", v.soname);
           if (v.soname.empty()) c.str("path", v.path);
         }}}},
      {"python",
       {{"active"},
        {"interpreters",
         {{"path"},
          {"version"},
          {"kind"},
          {"frameworks",
           {{"name"}, {"version"}, {"location"}, {"distribution"}, {"cuda_build"}, {"cuda_version"},
            {"cudnn_version"}, {"variant"}, {"arch_list"}, {"shadowed_by"}}}}}}},
  };
  return picks;
}

void read_snapshot(const Obj& j, Snapshot& s) {
  fields(PickedFields{j, snapshot_picks()}, s);
  if (s.cuda.devices.empty())
    if (auto n = j.object("nvml")) read_value(*n, "devices", s.nvml.devices, kNvmlDevices);
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
  // Its work stacks are json_stack.hpp's (no arithmetic on a null pointer).
  rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>, JsonStackAllocator> root(&values);
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
    static const Pick findings{"findings", {{"id"}, {"severity"}, {"title"}, {"subject"}}, [](const Obj& f, void* e) {
      if (static_cast<Finding*>(e)->id.empty()) f.bad("id", "a check ID");
    }};
    read_value(j, "findings", doc.findings, findings);
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
