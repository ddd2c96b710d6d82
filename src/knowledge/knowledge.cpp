#include "knowledge/knowledge.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <toml++/toml.h>

#include "knowledge/embedded.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace gpuenv {

Knowledge::Knowledge() = default;
Knowledge::~Knowledge() = default;

void Knowledge::add_file(const std::string& name, const std::string& text) {
  try {
    auto tbl = toml::parse(text, name);
    files_[name.substr(0, name.rfind(".toml"))] = std::make_unique<toml::table>(std::move(tbl));
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << "knowledge file " << name << " is malformed: " << e.description() << " (line " << e.source().begin.line
       << ", column " << e.source().begin.column << ")";
    throw std::runtime_error(os.str());
  }
}

static void load_errors(const toml::table* t, const char* key, std::map<int, ErrorFact>& out) {
  if (!t) return;
  auto* arr = (*t)[key].as_array();
  if (!arr) return;
  for (auto& node : *arr) {
    auto* e = node.as_table();
    if (!e) continue;
    ErrorFact f;
    f.code = int((*e)["code"].value_or<int64_t>(0));
    f.name = (*e)["name"].value_or<std::string>("");
    f.meaning = (*e)["meaning"].value_or<std::string>("");
    f.cause = (*e)["cause"].value_or<std::string>("");
    f.fix = (*e)["fix"].value_or<std::string>("");
    f.source = (*e)["source"].value_or<std::string>("");
    out[f.code] = std::move(f);
  }
}

void Knowledge::index() {
  load_errors(file("cuda_errors"), "cuda", cuda_errors_);
  load_errors(file("cuda_errors"), "nvml", nvml_errors_);
}

std::unique_ptr<Knowledge> Knowledge::load_embedded() {
  auto k = std::make_unique<Knowledge>();
  for (auto& f : knowledge::embedded_files()) k->add_file(f.name, f.content);
  k->index();
  return k;
}

std::unique_ptr<Knowledge> Knowledge::load_from_dir(const std::string& dir) {
  auto k = std::make_unique<Knowledge>();
  Fs fs;
  for (auto& name : fs.list(dir)) {
    if (!name.ends_with(".toml")) continue;
    auto text = fs.read(path_join(dir, name));
    if (!text) throw std::runtime_error("cannot read knowledge file " + text.error());
    k->add_file(name, *text);
  }
  k->index();
  return k;
}

const Knowledge& Knowledge::get() {
  static const std::unique_ptr<Knowledge> instance = [] {
    const char* dir = std::getenv("GPUENV_KNOWLEDGE_DIR");
    return (dir && *dir) ? load_from_dir(dir) : load_embedded();
  }();
  return *instance;
}

const ErrorFact* Knowledge::cuda_error(int code) const {
  auto it = cuda_errors_.find(code);
  return it == cuda_errors_.end() ? nullptr : &it->second;
}
const ErrorFact* Knowledge::nvml_error(int code) const {
  auto it = nvml_errors_.find(code);
  return it == nvml_errors_.end() ? nullptr : &it->second;
}

const toml::table* Knowledge::file(const std::string& name) const {
  auto it = files_.find(name);
  return it == files_.end() ? nullptr : it->second.get();
}

std::vector<std::string> Knowledge::file_names() const {
  std::vector<std::string> out;
  for (auto& [k, v] : files_) out.push_back(k);
  return out;
}

}  // namespace gpuenv
