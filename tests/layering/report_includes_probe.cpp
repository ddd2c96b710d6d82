// Must NOT compile: report may not use probe (docs/architecture.md); see checks_includes_env.cpp.
#include "probe/snapshot.hpp"
int main() { return 0; }
