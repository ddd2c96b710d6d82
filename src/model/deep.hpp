#pragma once
// `gpuenv doctor --deep`: each framework the Python probe found, imported by its own interpreter in a
// child process that runs one tiny GPU operation (src/probe/deep.cpp). docs/schema.md, "deep".
#include <string>
#include <vector>

namespace gpuenv {

struct DeepResult {
  std::string interpreter;     // the interpreter run (as found: a venv's bin/python, not its target)
  std::string framework;       // torch, tensorflow, jax, cupy
  // ok: imported and, with a GPU seen, the GPU operation gave the right answer;
  // failed: the import or the GPU operation raised, the process crashed, or it could not start;
  // timeout: killed (with its process group) after timeout_s.
  std::string status;
  std::string stage;           // last stage reached: start, import, devices, op, done
  std::string version;         // the framework's __version__
  std::string location;        // directory of the imported package (__file__)
  std::string cuda_version;    // CUDA the framework reports (torch.version.cuda, TF build info, CuPy runtime)
  std::string cudnn_version;
  std::string driver_cuda;     // CUDA version the driver supports, as the framework reports it ("" unknown)
  bool cuda_build = false;     // the framework says it was built with CUDA
  int device_count = -1;       // GPUs the framework sees; -1 when it did not get that far
  std::vector<std::string> devices;  // their names
  std::string op_result;       // the GPU operation's answer ("4.0"), "" when not run
  std::string error;           // the exception ("RuntimeError: ...") or how the process ended
  std::string stderr_tail;     // the last lines of the child's stderr (at most 8 KiB)
  int exit_code = -1;          // -1 when killed by a signal or not started
  int signal = 0;
  double duration_ms = 0;
};

struct DeepProbe {
  bool ran = false;            // doctor --deep was given
  double timeout_s = 0;        // per framework
  std::vector<DeepResult> results;
};

}  // namespace gpuenv
