// gpuenv slurm healthcheck: a HealthCheckProgram for slurmd. Runs the doctor
// checks and drains this node with the failing check as the reason.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "cli/cli.hpp"
#include "fleet/slurm.hpp"
#include "util/strings.hpp"
#include "util/subprocess.hpp"

namespace gpuenv {

namespace {

struct SlurmArgs {
  DoctorInputs in;
  std::string node;
  bool dry_run = false;
  bool strict = false;
  bool no_resume = false;
  std::string scontrol = "scontrol";
};

struct Ran {
  int status = -1;  // exit code, -1 when it could not run or was killed
  std::string out;
};

// Runs a program (PATH lookup), capturing stdout and stderr together, killed after timeout_s.
Ran run_captured(const std::vector<std::string>& argv, double timeout_s) {
  ProcessSpec spec;
  spec.argv = argv;
  spec.search_path = true;
  spec.stderr_mode = ProcessSpec::Stderr::Merge;
  spec.timeout_s = timeout_s;
  auto ran = run_process(spec);
  Ran r;
  if (!ran.started()) return r;
  r.out = ran.exec_error.empty() ? ran.out : "cannot run " + argv[0] + "\n";
  if (!ran.timed_out) r.status = ran.exit_code;
  return r;
}

std::string this_node() {
  if (const char* n = std::getenv("SLURMD_NODENAME"); n && *n) return n;
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) return "";
  std::string h = host;
  return h.substr(0, h.find('.'));  // Slurm node names are usually the short host name
}

std::string shell_line(const std::string& program, const std::vector<std::string>& argv) {
  std::string s = shell_quote(program);
  for (auto& a : argv) s += " " + shell_quote(a);
  return s;
}

int run_healthcheck(const SlurmArgs& a) {
  HealthcheckOptions o;
  o.node = a.node.empty() ? this_node() : a.node;
  if (o.node.empty()) throw UsageError("cannot tell this node's name; pass --node NAME");
  o.strict = a.strict;
  o.resume = !a.no_resume;

  auto run = run_doctor_pipeline_here(a.in);

  // The node's current state decides between drain, resume and leaving it alone.
  SlurmNodeState state;
  auto shown = run_captured({a.scontrol, "show", "node", o.node}, 10);
  if (shown.status == 0) state = parse_scontrol_show_node(shown.out);
  else if (!a.dry_run)
    std::fprintf(stderr, "gpuenv: warning: '%s show node %s' failed (%s); assuming the node is not drained\n",
                 a.scontrol.c_str(), o.node.c_str(), std::string(trim(shown.out)).c_str());

  auto plan = plan_healthcheck(run.findings, state, o);
  int code = plan.reason.empty() ? kExitOk : kExitProblems;
  if (plan.action == HealthcheckPlan::Action::None) {
    std::printf("gpuenv: %s\n", plan.message.c_str());
    return code;
  }
  if (a.dry_run) {
    std::printf("gpuenv: %s\ngpuenv: dry run, would run: %s\n", plan.message.c_str(),
                shell_line(a.scontrol, plan.argv).c_str());
    return code;
  }
  std::vector<std::string> argv{a.scontrol};
  argv.insert(argv.end(), plan.argv.begin(), plan.argv.end());
  auto done = run_captured(argv, 30);
  if (done.status != 0) {
    std::fprintf(stderr, "gpuenv: error: %s failed%s: %s\n", shell_line(a.scontrol, plan.argv).c_str(),
                 done.status > 0 ? (" (exit " + std::to_string(done.status) + ")").c_str() : "",
                 std::string(trim(done.out)).c_str());
    return kExitUsage;
  }
  std::printf("gpuenv: %s\n", plan.message.c_str());
  return code;
}

}  // namespace

void add_slurm_command(Cli& cli) {
  static SlurmArgs a;
  auto* slurm = cli.app.add_subcommand("slurm", "Slurm integration: a HealthCheckProgram that drains broken GPU nodes");
  slurm->require_subcommand(1);
  auto* cmd = slurm->add_subcommand("healthcheck", "Run the checks; drain this node with the failing check as reason");
  cli.actions[cmd] = [] { return run_healthcheck(a); };
  cmd->description(
      "Run the doctor checks on this node. On an error, drain the node with the failing check as\n"
      "the reason (scontrol update nodename=NODE state=drain reason='gpuenv: CHECK: ...'). A node\n"
      "that gpuenv drained is resumed once it passes again; nodes drained by anyone else are left alone.\n\n"
      "In slurm.conf (docs/fleet.md):\n"
      "  HealthCheckProgram=/usr/local/sbin/gpuenv-healthcheck   (a script: exec gpuenv slurm healthcheck)\n"
      "  HealthCheckInterval=300\n\n"
      "Examples:\n"
      "  gpuenv slurm healthcheck --dry-run          show what it would do\n"
      "  gpuenv slurm healthcheck --node gpu017      name the node (default: $SLURMD_NODENAME, else the host name)\n"
      "  gpuenv slurm healthcheck --strict           drain on warnings too\n\n"
      "Exit codes: 0 healthy, 1 problems (drained), 2 usage error or scontrol failed.");
  add_doctor_inputs(cmd, a.in);
  cmd->add_option("--node", a.node, "Slurm node name (default: $SLURMD_NODENAME, else the short host name)");
  cmd->add_flag("-n,--dry-run", a.dry_run, "Print the scontrol command instead of running it");
  cmd->add_flag("--strict", a.strict, "Drain on warnings too");
  cmd->add_flag("--no-resume", a.no_resume, "Never resume a node, even one gpuenv drained");
  cmd->add_option("--scontrol", a.scontrol, "The scontrol program (default: scontrol on PATH)");
}

}  // namespace gpuenv
