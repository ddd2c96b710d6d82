#include "cli/cli.hpp"

int main(int argc, char** argv) { return gpuenv::run_cli(argc, argv); }
