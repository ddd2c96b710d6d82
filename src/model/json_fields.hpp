#pragma once
// One field list per model type (model/snapshot_fields.hpp) drives both directions of the JSON mapping:
//   template <class F> void fields(F&& f, HostInfo& v) { f("hostname", v.hostname); ... }
//   GPUENV_JSON_DEFINE(HostInfo)
// Writing keeps the listed order (stable output); reading tolerates missing
// keys (older snapshots) and rejects wrong types with a message naming the key.
#include <nlohmann/json.hpp>
#include <string>

namespace gpuenv {

using Json = nlohmann::ordered_json;

struct JsonWriter {
  Json& j;
  // Appends without looking the key up: a field list names each key once, and ordered_json's
  // operator[] searches the object linearly (most of the cost of building a snapshot's document).
  template <class T>
  void operator()(const char* key, const T& v) const {
    auto& obj = j.get_ref<Json::object_t&>();
    obj.Json::object_t::Container::emplace_back(key, Json(v));
  }
};

// Counts a field list, so that the object is allocated once: ordered_json keeps its members in a vector
// of pair<const string, json>, whose growth copies (not moves) every member, whole subtrees included.
struct JsonFieldCounter {
  std::size_t& n;
  template <class T>
  void operator()(const char*, const T&) const { ++n; }
};

struct JsonReader {
  const Json& j;
  template <class T>
  void operator()(const char* key, T& v) const {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    try {
      it->get_to(v);
    } catch (const nlohmann::json::exception& e) {
      throw nlohmann::json::other_error::create(599, std::string("field '") + key + "': " + e.what(), nullptr);
    }
  }
};

}  // namespace gpuenv

#define GPUENV_JSON_DECLARE(Type)              \
  void to_json(::gpuenv::Json& j, const Type& v); \
  void from_json(const ::gpuenv::Json& j, Type& v);

#define GPUENV_JSON_DEFINE(Type)                                                  \
  void to_json(::gpuenv::Json& j, const Type& v) {                                \
    j = ::gpuenv::Json::object();                                                 \
    std::size_t n_ = 0;                                                           \
    fields(::gpuenv::JsonFieldCounter{n_}, const_cast<Type&>(v));                 \
    j.get_ref<::gpuenv::Json::object_t&>().reserve(n_);                           \
    fields(::gpuenv::JsonWriter{j}, const_cast<Type&>(v));                        \
  }                                                                               \
  void from_json(const ::gpuenv::Json& j, Type& v) {                              \
    if (!j.is_object()) throw nlohmann::json::type_error::create(302, std::string("expected an object for ") + #Type, nullptr); \
    fields(::gpuenv::JsonReader{j}, v);                                           \
  }
