// Must compile: checks may use model. The control case of the layering tests (the include path works).
#include "model/snapshot.hpp"
int main() { return 0; }
