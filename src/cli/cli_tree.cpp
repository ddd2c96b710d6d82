#include "cli/cli_tree.hpp"

namespace gpuenv {

std::string first_sentence(const std::string& description, size_t max) {
  std::string d = description.substr(0, description.find("\n\n"));
  std::string line;
  for (char c : d) {
    if (c == '\n') c = ' ';
    if (c == ' ' && !line.empty() && line.back() == ' ') continue;
    line += c;
  }
  if (auto dot = line.find(". "); dot != std::string::npos) line.resize(dot + 1);
  if (line.size() > max) {
    line.resize(line.rfind(' ', max - 3));
    line += "...";
  }
  return line;
}

namespace {

// "TEXT:{text,json,md}" -> "TEXT" and the values between the braces.
void split_type(const std::string& full, CliOption& o) {
  o.value_type = full.substr(0, full.find(':'));
  auto open = full.rfind(":{");
  if (open == std::string::npos || full.back() != '}') return;
  std::string set = full.substr(open + 2, full.size() - open - 3);
  for (size_t start = 0; start <= set.size();) {
    size_t comma = set.find(',', start);
    if (comma == std::string::npos) comma = set.size();
    if (comma > start) o.choices.push_back(set.substr(start, comma - start));
    start = comma + 1;
  }
}

CliCommand walk(const CLI::App& app, const std::string& path) {
  CliCommand c;
  c.name = app.get_name();
  c.path = path;
  c.description = app.get_description();
  c.footer = app.get_footer();
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden (tests only)
    CliOption o;
    for (auto& s : opt->get_snames()) o.names.push_back("-" + s);
    for (auto& l : opt->get_lnames()) o.names.push_back("--" + l);
    if (!opt->nonpositional()) o.positional = opt->get_name(true);
    o.description = opt->get_description();
    o.takes_value = opt->get_items_expected_max() > 0;  // flags expect no value
    if (o.takes_value) split_type(opt->get_type_name(), o);
    c.options.push_back(std::move(o));
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); }))
    c.commands.push_back(walk(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name()));
  return c;
}

void collect(const CliCommand& c, std::vector<const CliCommand*>& out) {
  for (auto& sub : c.commands) {
    out.push_back(&sub);
    collect(sub, out);
  }
}

}  // namespace

CliCommand command_tree(const CLI::App& app) { return walk(app, ""); }

std::vector<const CliCommand*> all_commands(const CliCommand& root) {
  std::vector<const CliCommand*> out;
  collect(root, out);
  return out;
}

}  // namespace gpuenv
