// The static Python probe over a site-packages of 2,000 distributions generated
// here (issue 4: goal under 30 ms, peak RSS under 20 MB). Prints the scan time
// next to a floor measured in the same run: a bare readdir + open/read/close of
// every METADATA (what any scan must at least do), as a ratio. Peak RSS comes
// from a fresh child process (this binary re-executed) via wait4's rusage,
// beside the RSS of a child that does nothing.
// Usage: bench_python_scan [N_DISTRIBUTIONS] [REPEAT]
#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "probe/python.hpp"

using namespace gpuenv;
namespace fsys = std::filesystem;

static double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

// A Python 3.12 prefix with N distributions, each METADATA with a description body like real ones.
static void make_tree(const std::string& root, int n) {
  auto site = root + "/lib/python3.12/site-packages";
  fsys::create_directories(root + "/bin");
  std::ofstream(root + "/bin/python3.12") << "ELF";
  fsys::create_directories(root + "/lib/python3.12/lib-dynload");
  fsys::create_directories(site);
  std::string body(3000, 'x');
  for (int i = 0; i < n; ++i) {
    auto name = "package_" + std::to_string(i);
    auto d = site + "/" + name + "-1.0." + std::to_string(i) + ".dist-info";
    fsys::create_directories(d);
    std::ofstream m(d + "/METADATA");
    m << "Metadata-Version: 2.1\nName: " << name << "\nVersion: 1.0." << i << "\nSummary: a package\n"
      << "Requires-Dist: numpy>=1.26\nRequires-Dist: requests; extra == \"http\"\n\n" << body << "\n";
    std::ofstream(d + "/INSTALLER") << "pip\n";
    std::ofstream(d + "/RECORD") << name << "/__init__.py,,\n";
    fsys::create_directories(site + "/" + name);
    std::ofstream(site + "/" + name + "/__init__.py");
  }
  // One framework among them.
  fsys::create_directories(site + "/torch");
  std::ofstream(site + "/torch/__init__.py");
  std::ofstream(site + "/torch/version.py") << "__version__ = '2.11.0+cu130'\ncuda = '13.0'\nhip = None\n";
}

static size_t scan_once(const std::string& root) {
  ProbeContext ctx{Fs("/"), {{"HOME", "/nonexistent"}}};
  auto py = inspect_interpreter(ctx.fs, root + "/bin/python3.12");
  SiteScanCache cache;
  compute_sys_path(ctx, py, &cache);
  scan_distributions(ctx, py, cache);
  return py.distributions.size() + py.frameworks.size();
}

static size_t floor_once(const std::string& root) {
  auto site = root + "/lib/python3.12/site-packages";
  size_t bytes = 0;
  DIR* d = opendir(site.c_str());
  if (!d) return 0;
  char buf[4096];
  while (auto* e = readdir(d)) {
    size_t len = std::strlen(e->d_name);
    if (len < 10 || std::strcmp(e->d_name + len - 10, ".dist-info") != 0) continue;
    auto p = site + "/" + e->d_name + "/METADATA";
    int fd = open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) bytes += size_t(n);
    close(fd);
  }
  closedir(d);
  return bytes;
}

static long child_maxrss_kb(const char* self, const std::vector<std::string>& args) {
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv{const_cast<char*>(self)};
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(self, argv.data());
    _exit(127);
  }
  int status = 0;
  struct rusage ru {};
  if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return ru.ru_maxrss;
}

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "--child") return scan_once(argv[2]) > 0 ? 0 : 1;
  if (argc >= 2 && std::string(argv[1]) == "--child-idle") return 0;
  int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  int repeat = argc > 2 ? std::atoi(argv[2]) : 21;
  char tmpl[] = "/tmp/gpuenv-bench-py-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  std::string root = tmpl;
  make_tree(root, n);
  size_t found = scan_once(root);  // warm the page cache for both
  floor_once(root);
  std::vector<double> scan, base;
  for (int i = 0; i < repeat; ++i) {  // interleaved, so drift hits both alike
    double t0 = now_ms();
    floor_once(root);
    double t1 = now_ms();
    scan_once(root);
    double t2 = now_ms();
    base.push_back(t1 - t0);
    scan.push_back(t2 - t1);
  }
  long rss = child_maxrss_kb(argv[0], {"--child", root});
  long idle = child_maxrss_kb(argv[0], {"--child-idle"});
  std::printf("python scan of %d distributions (+1 framework): %zu found\n", n, found - 1);
  std::printf("  scan (inspect + sys.path + METADATA headers + frameworks): median %.2f ms, best %.2f ms  (goal < 30 ms)\n",
              median(scan), *std::min_element(scan.begin(), scan.end()));
  std::printf("  floor (readdir + open/read 4 KiB/close of each METADATA): median %.2f ms -> ratio %.2fx\n",
              median(base), median(scan) / std::max(median(base), 1e-6));
  std::printf("  peak RSS of a scanning child: %.1f MB (idle child of this binary: %.1f MB)  (goal < 20 MB)\n",
              rss / 1024.0, idle / 1024.0);
  fsys::remove_all(root);
  return 0;
}
