#pragma once
// One field list per model type drives both directions of the JSON mapping:
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
  template <class T>
  void operator()(const char* key, const T& v) const { j[key] = v; }
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
    fields(::gpuenv::JsonWriter{j}, const_cast<Type&>(v));                        \
  }                                                                               \
  void from_json(const ::gpuenv::Json& j, Type& v) {                              \
    if (!j.is_object()) throw nlohmann::json::type_error::create(302, std::string("expected an object for ") + #Type, nullptr); \
    fields(::gpuenv::JsonReader{j}, v);                                           \
  }
