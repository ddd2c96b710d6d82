// Must NOT compile: checks may not use env (docs/architecture.md). The test "layering.forbidden_include_fails"
// builds this file against gpuenv_checks' include path and expects the build to fail.
#include "env/spec.hpp"
int main() { return 0; }
