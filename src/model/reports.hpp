#pragma once
// Report models: what each command's pipeline fills and its renderers (src/report/) read.
// One struct per command; the renderers compute nothing a check or a pipeline should decide.
#include <string>
#include <vector>

#include "model/activation.hpp"
#include "model/finding.hpp"
#include "model/gpu_target.hpp"
#include "model/libraries.hpp"
#include "model/snapshot.hpp"

namespace gpuenv {

// A registered check that ran, with its registered severity (exporters list passing checks too).
struct CheckRun {
  std::string id;
  Severity severity = Severity::Error;  // the registered severity
};

// What --only/--skip chose. Empty `skipped`: every registered check ran (a full run).
struct CheckSelection {
  std::vector<std::string> only, skip;  // as given, comma lists split
  std::vector<std::string> skipped;     // registered check IDs that did not run, in registry order
  bool partial() const { return !skipped.empty(); }
};

enum class CheckStatus { Passed, Failed, Skipped };
const char* check_status_name(CheckStatus s);  // passed, failed, skipped
struct CheckOutcome {
  std::string id;
  CheckStatus status = CheckStatus::Passed;
};

// gpuenv doctor (and the commands that reuse its pipeline: explain --here, which-build, nix, slurm).
struct DoctorReport {
  Snapshot snap;
  std::vector<Finding> findings;
  std::vector<CheckRun> checks;  // the checks that ran (after --only/--skip), in registry order
  CheckSelection selection;
};
// Every registered check: the ones that ran (passed, or failed: a finding with its ID), then the skipped
// ones, each in registry order.
std::vector<CheckOutcome> check_outcomes(const DoctorReport& r);

// gpuenv checks: the registry.
struct CheckListReport {
  struct Entry {
    std::string id;
    Severity severity = Severity::Error;
    std::string summary;
  };
  std::vector<Entry> checks;
};

// A change between two stacks (a lock and this machine, or two snapshots/locks), with its impact.
enum class Impact { Fine, Risky, Breaks };
const char* impact_name(Impact i);  // fine, risky, breaks
struct LockChange {
  std::string subject;  // "driver", "cuDNN (libcudnn.so) for torch", "python", "torch", "GPU 0"
  std::string before, after;
  Impact impact = Impact::Risky;
  std::string reason;  // "still runs CUDA 13.0", "torch needs libcudnn.so.9"
};

// gpuenv diff A B.
struct DiffReport {
  std::string a, b;  // the two inputs as given
  std::vector<LockChange> changes;
};
// gpuenv verify.
struct VerifyReport {
  std::string lock_path;
  std::vector<LockChange> changes;
};

// gpuenv which-build: per framework, the build that runs here (checks/recommend.hpp's advice) and what it
// was asked for.
struct WhichBuildReport {
  struct Entry {
    std::string framework;
    bool found = false, gpu = false;
    std::string release, variant, cuda;
    bool minor_compat = false;
    std::string command, reason;
    // The query answered.
    std::string driver;
    int driver_cuda = 0;
    std::vector<std::string> ccs;
    std::string python, env_kind;
  };
  std::vector<Entry> entries;
};

// gpuenv ldd: per file, the loads its dependency tree needs (a Consumer of kind "file").
// A GPU that `ldd --fatbin` judges the GPU code for: one the driver reports, or one asked for with --cc.
struct LddGpu {
  std::string label;     // "GPU 0 (NVIDIA H200)", "--cc 8.0"
  ComputeCapability cc;
};

// Can a GPU run a file's code: SASS for it, only PTX that the driver JIT-compiles, or nothing.
struct FatbinVerdict {
  std::string path;
  std::size_t file = 0;           // index into the kernels judged
  std::size_t gpu = 0;            // index into LddReport::gpus
  TargetCoverage coverage = TargetCoverage::None;
  std::vector<std::string> runs;  // the targets that cover it (sm_90, or compute_80 when only PTX)
};

// The verdicts for every file with GPU code in `kernels` and every GPU, in that order (files without code, or
// with an unreadable fatbin, are left out). model/gpu_target.hpp's covers() rules.
std::vector<FatbinVerdict> judge_fatbins(const std::vector<FatbinInfo>& kernels, const std::vector<LddGpu>& gpus);

struct LddReport {
  struct Entry {
    std::string file;  // absolute
    Consumer consumer;
    std::vector<FatbinVerdict> verdicts;  // --fatbin with GPUs to judge for
  };
  std::vector<Entry> files;
  bool all = false;  // -a: also libraries already loaded higher up and system libraries
  bool fatbin = false;            // --fatbin
  std::vector<LddGpu> gpus;       // the GPUs the verdicts are for (empty: none known, no verdict)
  std::string no_gpu_reason;      // why `gpus` is empty
  bool any_unrunnable() const;    // a GPU can run none of some file's code
};

// gpuenv env: the changes activation makes, as statements for `shell` (bash, zsh, sh, fish) or JSON.
struct EnvReport {
  std::string spec_path;  // "" without a gpuenv.toml
  Activation activation;
  std::string shell = "bash";
  int verbose = 0;  // -v: each change and its reason as comments before the statements
};

}  // namespace gpuenv
