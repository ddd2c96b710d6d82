#pragma once
// The explain corpus (tests/explain-corpus/*.toml): real reports from public threads, each with the
// entries of messages.toml that answer it. Loaded by the corpus test and by the coverage check of
// explain_test.cpp.
#include <string>
#include <utility>
#include <vector>

namespace gpuenv::testing {

struct CorpusCase {
  std::string file, source, cause, log;
  std::vector<std::string> expect;  // entry ids that are a right answer (any of them)
  bool setup = true;                // false: out of memory, a bug in the user's code, noise
};

// Every case of every file in tests/explain-corpus, in file order. Throws on a malformed file.
std::vector<CorpusCase> load_explain_corpus();

// Short messages as the programs print them, one per entry that the corpus has no report for
// (explain_samples_test.cpp): {text, entry id}.
const std::vector<std::pair<std::string, std::string>>& explain_message_samples();

}  // namespace gpuenv::testing
