#pragma once
// The command tree as `gpuenv --help` shows it (hidden options and commands left out): what the shell
// completion scripts (gpuenv completions) and the man page (gpuenv man) are generated from, so a new
// command or option appears in them without further work.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace gpuenv {

// The first sentence of a description's first paragraph, on one line, cut at a word (with "...")
// when longer than `max` characters: what command lists show.
std::string first_sentence(const std::string& description, size_t max = 90);

struct CliOption {
  std::vector<std::string> names;    // "-o", "--output"; empty for a positional
  std::string positional;            // the positional's name ("files"), empty for an option
  std::string description;
  bool takes_value = false;
  std::string value_type;            // "TEXT", "INT", "FLOAT", ... (CLI11's type name without validators)
  std::vector<std::string> choices;  // the values an IsMember check accepts
};

struct CliCommand {
  std::string name;  // "report"; "gpuenv" for the root
  std::string path;  // "fleet report"; empty for the root
  std::string description, footer;
  std::vector<CliOption> options;  // in help order, positionals included
  std::vector<CliCommand> commands;
};

CliCommand command_tree(const CLI::App& app);

// Every command path of the tree below `root` ("doctor", "fleet", "fleet report", ...), depth first.
std::vector<const CliCommand*> all_commands(const CliCommand& root);

}  // namespace gpuenv
