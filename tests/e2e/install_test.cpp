// Installing gpuenv: the commit in --version, the shell completions and the man page the binary makes,
// `cmake --install` of a build directory and the .deb CPack makes of it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <set>

#include "run.hpp"

namespace fs = std::filesystem;
using gpuenv::test::base_env;
using gpuenv::test::read_text;
using gpuenv::test::run_program;
using gpuenv::test::RunResult;

namespace {

const std::string kSource = GPUENV_SOURCE_DIR;
const std::string kBuild = GPUENV_BINARY_DIR;

RunResult gpuenv_cli(std::vector<std::string> args) {
  args.insert(args.begin(), GPUENV_BINARY);
  return run_program(args, base_env());
}

RunResult sh(const std::string& script, double timeout_s = 120) { return run_program({"/bin/sh", "-c", script}, base_env(), "", timeout_s); }

// The path of a program on PATH, or "" (run_program needs a path).
std::string which(const std::string& tool) {
  auto r = sh("command -v " + tool);
  return r.exit_code == 0 && !r.out.empty() ? r.out.substr(0, r.out.size() - 1) : "";
}
bool have(const std::string& tool) { return !which(tool).empty(); }

void write_text(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr) << path;
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

struct TempDir {
  std::string path = gpuenv::test::temp_dir("gpuenv-install");
  ~TempDir() { fs::remove_all(path); }
};

// The command names a help text lists under "Subcommands:" (CLI11's layout), read independently of the generators.
std::vector<std::string> listed_commands(const std::string& help) {
  std::vector<std::string> out;
  auto at = help.find("Subcommands:\n");
  if (at == std::string::npos) return out;
  std::regex line(R"(^  ([a-z][a-z-]*)\s)");
  std::string rest = help.substr(at + 13);  // after "Subcommands:\n"
  for (size_t p = 0; p < rest.size();) {
    size_t e = rest.find('\n', p);
    std::string l = rest.substr(p, e == std::string::npos ? std::string::npos : e - p);
    std::smatch m;
    if (std::regex_search(l, m, line)) out.push_back(m[1]);
    else if (!l.empty() && l[0] != ' ') break;
    p = e == std::string::npos ? rest.size() : e + 1;
  }
  return out;
}

// Every command path: "doctor", ..., "fleet report", "nix shell", ...
std::vector<std::vector<std::string>> every_command() {
  std::vector<std::vector<std::string>> out;
  for (auto& c : listed_commands(gpuenv_cli({"--help"}).out)) {
    out.push_back({c});
    for (auto& sub : listed_commands(gpuenv_cli({c, "--help"}).out)) out.push_back({c, sub});
  }
  return out;
}

// The source tree is the top of a git work tree (not a tarball, nor one unpacked inside another repository).
bool source_is_git_top() {
  return sh("test \"$(git -C '" + kSource + "' rev-parse --show-toplevel 2>/dev/null)\" -ef '" + kSource + "'").exit_code == 0;
}

std::string commit_of(const std::string& dir, const std::string& extra = "") {
  TempDir t;
  auto r = run_program({GPUENV_CMAKE, "-DSOURCE_DIR=" + dir, "-DOUT=" + t.path + "/c.cpp", "-DCOMMIT=" + extra, "-P",
                        kSource + "/cmake/build-commit.cmake"},
                       base_env());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  std::string text = read_text(t.path + "/c.cpp");
  return std::regex_search(text, m, std::regex(R"re(return "([^"]*)")re")) ? std::string(m[1]) : "(none)";
}

}  // namespace

TEST(Install, EveryCommandIsFound) {
  auto all = every_command();
  EXPECT_GE(all.size(), 20u);
  std::set<std::string> names;
  for (auto& p : all) names.insert(p.back());
  for (const char* n : {"doctor", "run", "fleet", "report", "slurm", "healthcheck", "completions", "man"})
    EXPECT_TRUE(names.count(n)) << n;
}

TEST(Install, VersionNamesTheCommitItWasBuiltFrom) {
  auto v = gpuenv_cli({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  std::smatch m;
  ASSERT_TRUE(std::regex_match(v.out, m, std::regex(R"(gpuenv \d+\.\d+\.\d+ \(commit ([A-Za-z0-9._+-]+)\)\n)"))) << v.out;
  // A commit of this repository (the build may be older than HEAD), or "unknown" outside git.
  std::string hash = std::regex_replace(std::regex_replace(std::string(m[1]), std::regex("-dirty$"), ""),
                                        std::regex(R"(^.*-g([0-9a-f]+)$)"), "$1");
  if (source_is_git_top()) {
    EXPECT_EQ(sh("git -C '" + kSource + "' cat-file -e '" + hash + "^{commit}'").exit_code, 0) << v.out;
  }
}

TEST(Install, BuildCommitIsGitDescribeOrUnknown) {
  auto head = sh("git -C '" + kSource + "' rev-parse HEAD 2>/dev/null");
  auto here = commit_of(kSource);
  if (head.exit_code == 0 && source_is_git_top()) {
    std::string hash = std::regex_replace(here, std::regex("-dirty$"), "");
    hash = std::regex_replace(hash, std::regex(R"(^.*-g([0-9a-f]+)$)"), "$1");
    ASSERT_GE(hash.size(), 7u) << here;
    EXPECT_EQ(head.out.substr(0, hash.size()), hash) << here;
  } else {
    EXPECT_EQ(here, "unknown");
  }
  TempDir outside;  // not a git work tree (nor the top of one)
  EXPECT_EQ(commit_of(outside.path), "unknown");
  EXPECT_EQ(commit_of(outside.path, "v1.2.3-4-gabcdef0"), "v1.2.3-4-gabcdef0");  // -DGPUENV_COMMIT=
}

TEST(Install, BashCompletionCompletesEveryCommand) {
  auto script = gpuenv_cli({"completions", "bash"});
  ASSERT_EQ(script.exit_code, 0) << script.err;
  TempDir t;
  std::string file = t.path + "/gpuenv.bash";
  write_text(file, script.out);
  auto syntax = run_program({which("bash"), "-n", file}, base_env());
  EXPECT_EQ(syntax.exit_code, 0) << syntax.err;
  // What bash offers for the words typed so far (the last word is the one being completed).
  auto complete = [&](const std::string& words) {
    auto r = run_program({which("bash"), "-c",
                          "source '" + file + "'; COMP_WORDS=(" + words + "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
                          "_gpuenv; printf '%s\\n' \"${COMPREPLY[@]}\""},
                         base_env());
    EXPECT_EQ(r.exit_code, 0) << words << ": " << r.err;
    std::set<std::string> offered;
    for (size_t p = 0; p < r.out.size();) {
      size_t e = r.out.find('\n', p);
      if (e > p) offered.insert(r.out.substr(p, e - p));
      p = e + 1;
    }
    return offered;
  };
  for (auto& path : every_command()) {
    std::string before = "gpuenv";
    for (size_t i = 0; i + 1 < path.size(); ++i) before += " " + path[i];
    EXPECT_TRUE(complete(before + " ''").count(path.back())) << before << " does not offer " << path.back();
    EXPECT_NE(script.out.find(path.back()), std::string::npos);
  }
  EXPECT_EQ(complete("gpuenv fl"), (std::set<std::string>{"fleet"}));
  EXPECT_TRUE(complete("gpuenv doctor --js").count("--json"));
  EXPECT_TRUE(complete("gpuenv doctor --format ''").count("prometheus"));
  EXPECT_TRUE(complete("gpuenv -v fleet report --format ''").count("markdown"));
  EXPECT_EQ(complete("gpuenv completions ''"), (std::set<std::string>{"bash", "zsh", "fish", "-o", "--output", "-h", "--help"}));
  EXPECT_TRUE(complete("gpuenv doctor --from ''").empty());  // a file name: bash's own completion (-o default)
  EXPECT_TRUE(complete("gpuenv run -- doc").empty());        // the command's words
  auto env_options = complete("gpuenv env --");
  EXPECT_TRUE(env_options.count("--shell"));
  EXPECT_FALSE(env_options.count("--root")) << "hidden options stay hidden";
}

TEST(Install, ZshAndFishCompletionNameEveryCommand) {
  auto zsh = gpuenv_cli({"completions", "zsh"});
  auto fish = gpuenv_cli({"completions", "fish"});
  ASSERT_EQ(zsh.exit_code, 0);
  ASSERT_EQ(fish.exit_code, 0);
  EXPECT_EQ(zsh.out.rfind("#compdef gpuenv\n", 0), 0u);
  for (auto& path : every_command()) {
    std::string fn = "_gpuenv";
    for (auto& p : path) fn += "_" + std::regex_replace(p, std::regex("-"), "_");
    EXPECT_NE(zsh.out.find("\n" + fn + "() {"), std::string::npos) << fn;
    EXPECT_NE(zsh.out.find("'" + path.back() + ":"), std::string::npos) << path.back();
    std::string parent;
    for (size_t i = 0; i + 1 < path.size(); ++i) parent += "/" + path[i];
    EXPECT_NE(fish.out.find("-n '__gpuenv_at \\'" + parent + "\\'' -a '" + path.back() + "'"), std::string::npos) << path.back();
  }
  EXPECT_NE(zsh.out.find("'*--format=[Output format: text, json, markdown, prometheus"), std::string::npos);
  EXPECT_NE(zsh.out.find(":TEXT:(text json markdown md prometheus nfd)'"), std::string::npos);
  EXPECT_NE(fish.out.find("-l format -x -a 'text json markdown md prometheus nfd'"), std::string::npos);
  TempDir t;
  for (auto& [shell, text] : {std::pair{std::string("zsh"), zsh.out}, std::pair{std::string("fish"), fish.out}}) {
    if (!have(shell)) continue;  // the text checks above still hold
    std::string file = t.path + "/script." + shell;
    write_text(file, text);
    auto syntax = run_program({which(shell), "-n", file}, base_env());
    EXPECT_EQ(syntax.exit_code, 0) << shell << ": " << syntax.err;
    if (shell != "fish") continue;
    // fish completes a command line on request (complete -C): what a user gets on Tab.
    auto offered = [&](const std::string& line) {
      auto r = run_program({which("fish"), "--no-config", "-c", "source '" + file + "'; complete -C '" + line + "'"}, base_env());
      EXPECT_EQ(r.exit_code, 0) << r.err;
      return r.out;
    };
    EXPECT_EQ(offered("gpuenv fl").rfind("fleet\t", 0), 0u) << offered("gpuenv fl");
    EXPECT_EQ(offered("gpuenv fleet ").rfind("report\t", 0), 0u);
    EXPECT_NE(offered("gpuenv doctor --format ").find("prometheus\t"), std::string::npos);
    EXPECT_NE(offered("gpuenv doctor --js").find("--json\t"), std::string::npos);
    EXPECT_EQ(offered("gpuenv env --r").find("--root"), std::string::npos) << "hidden options stay hidden";
  }
}

TEST(Install, ManPageRendersEveryCommandAndTheExitCodes) {
  auto page = gpuenv_cli({"man"});
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_EQ(page.out.find(".TH GPUENV 1 "), page.out.find('\n') + 1) << page.out.substr(0, 200);
  TempDir t;
  std::string file = t.path + "/gpuenv.1";
  write_text(file, page.out);
  std::string text = page.out;
  if (have("groff")) {
    auto warn = sh("groff -man -Tutf8 -ww -z '" + file + "'");
    EXPECT_EQ(warn.exit_code, 0);
    EXPECT_EQ(warn.err, "") << "groff warnings";
  }
  if (have("man")) {
    auto shown = sh("MANWIDTH=120 man -P cat -l '" + file + "'");
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    text.clear();
    for (char c : shown.out) {  // overstrike (bold, underline) off
      if (c == '\b') {
        if (!text.empty()) text.pop_back();
        continue;
      }
      text += c;
    }
    text = std::regex_replace(text, std::regex("\x1b\\[[0-9;]*m"), "");
    for (const char* section : {"NAME", "SYNOPSIS", "OPTIONS", "COMMANDS", "EXIT STATUS", "REPORTING BUGS"})
      EXPECT_NE(text.find(std::string("\n") + section + "\n"), std::string::npos) << section;
    EXPECT_NE(text.find("--format {text,json,markdown,md,prometheus,nfd}"), std::string::npos);
    EXPECT_NE(std::regex_replace(text, std::regex("\\s+"), " ").find("\"Reporting problems\" of gpuenv's README"),
              std::string::npos);
  }
  for (auto& path : every_command()) {
    std::string cmd = "gpuenv";
    for (auto& p : path) cmd += " " + p;
    EXPECT_NE(text.find(have("man") ? cmd : std::regex_replace(cmd, std::regex("-"), "\\-")), std::string::npos) << cmd;
  }
  // The build made the same page (what cmake --install installs).
  EXPECT_EQ(read_text(kBuild + "/generated/gpuenv.1"), page.out);
}

namespace {
const std::vector<std::string> kInstalled = {
    "bin/gpuenv",
    "sbin/gpuenv-healthcheck",
    "share/man/man1/gpuenv.1",
    "share/bash-completion/completions/gpuenv",
    "share/zsh/site-functions/_gpuenv",
    "share/fish/vendor_completions.d/gpuenv.fish",
    "share/gpuenv/direnv/gpuenv.sh",
    "share/gpuenv/deploy/kubernetes/gpuenv-daemonset.yaml",
    "share/gpuenv/deploy/Containerfile",
    "share/doc/gpuenv/README.md",
    "share/doc/gpuenv/fleet.md",
    "share/doc/gpuenv/LICENSE",
    "share/doc/gpuenv/copyright",
};
}  // namespace

TEST(Install, CmakeInstallLaysOutEveryFile) {
  TempDir t;
  auto r = run_program({GPUENV_CMAKE, "--install", kBuild, "--prefix", t.path}, base_env(), "", 120);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (auto& f : kInstalled) EXPECT_TRUE(fs::is_regular_file(t.path + "/" + f)) << f;
  EXPECT_EQ(access((t.path + "/bin/gpuenv").c_str(), X_OK), 0);
  EXPECT_EQ(access((t.path + "/sbin/gpuenv-healthcheck").c_str(), X_OK), 0);
  EXPECT_EQ(read_text(t.path + "/share/bash-completion/completions/gpuenv"), gpuenv_cli({"completions", "bash"}).out);
  // The Slurm wrapper finds the binary installed next to it (../bin), without GPUENV set.
  auto wrapped = run_program({t.path + "/sbin/gpuenv-healthcheck", "--help"}, base_env());
  EXPECT_EQ(wrapped.exit_code, 0) << wrapped.err;
  EXPECT_NE(wrapped.out.find("healthcheck"), std::string::npos) << wrapped.out;
}

TEST(Install, DebianPackageHoldsTheToolItsPageAndCompletions) {
  if (!have("dpkg-deb")) GTEST_SKIP() << "dpkg-deb is not installed";
  TempDir t;
  auto made = run_program({GPUENV_CPACK, "--config", kBuild + "/CPackConfig.cmake", "-G", "DEB", "-B", t.path}, base_env(),
                          "", 300);
  ASSERT_EQ(made.exit_code, 0) << made.out << made.err;
  std::string deb;
  for (auto& e : fs::directory_iterator(t.path))
    if (e.path().extension() == ".deb") deb = e.path();
  ASSERT_FALSE(deb.empty()) << made.out;
  EXPECT_NE(deb.find("gpuenv_"), std::string::npos) << deb;
  auto field = [&](const std::string& name) { return sh("dpkg-deb -f '" + deb + "' " + name).out; };
  EXPECT_EQ(field("Package"), "gpuenv\n");
  EXPECT_TRUE(std::regex_match(field("Version"), std::regex(R"(\d+\.\d+\.\d+\n)"))) << field("Version");
  EXPECT_NE(field("Maintainer"), "");
  EXPECT_NE(field("Description").find("reproducible"), std::string::npos);
  EXPECT_NE(field("Depends").find("libc6"), std::string::npos) << field("Depends");
  auto listing = sh("dpkg-deb -c '" + deb + "'");
  for (auto& f : kInstalled) EXPECT_NE(listing.out.find("./usr/" + f + "\n"), std::string::npos) << f;
  ASSERT_EQ(sh("dpkg-deb -x '" + deb + "' '" + t.path + "/root'").exit_code, 0);
  auto v = run_program({t.path + "/root/usr/bin/gpuenv", "--version"}, base_env());
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out, gpuenv_cli({"--version"}).out);
  EXPECT_EQ(read_text(t.path + "/root/usr/share/man/man1/gpuenv.1"), gpuenv_cli({"man"}).out);
  // The license, as Debian's machine-readable copyright file and in full.
  auto copyright = read_text(t.path + "/root/usr/share/doc/gpuenv/copyright");
  EXPECT_NE(copyright.find("\nLicense: Apache-2.0\n"), std::string::npos) << copyright;
  EXPECT_EQ(read_text(t.path + "/root/usr/share/doc/gpuenv/LICENSE"),
            read_text(std::string(GPUENV_SOURCE_DIR) + "/LICENSE"));
}

TEST(Install, RpmPackageHoldsTheSameFiles) {
  if (!have("rpmbuild") || !have("rpm")) GTEST_SKIP() << "rpmbuild is not installed (Debian: rpm)";
  TempDir t;
  auto made = run_program({GPUENV_CPACK, "--config", kBuild + "/CPackConfig.cmake", "-G", "RPM", "-B", t.path}, base_env(),
                          "", 300);
  ASSERT_EQ(made.exit_code, 0) << made.out << made.err;
  std::string rpm;
  for (auto& e : fs::directory_iterator(t.path))
    if (e.path().extension() == ".rpm") rpm = e.path();
  ASSERT_FALSE(rpm.empty()) << made.out;
  auto info = sh("rpm -qp --queryformat '%{NAME} %{VERSION} %{LICENSE}\\n' '" + rpm + "'");
  EXPECT_TRUE(std::regex_match(info.out, std::regex(R"(gpuenv \d+\.\d+\.\d+ Apache-2.0\n)"))) << info.out << info.err;
  EXPECT_NE(sh("rpm -qip '" + rpm + "'").out.find("reproducible"), std::string::npos);
  auto listing = sh("rpm -qlp '" + rpm + "'");
  for (auto& f : kInstalled) EXPECT_NE(listing.out.find("/usr/" + f + "\n"), std::string::npos) << f;
  EXPECT_NE(sh("rpm -qRp '" + rpm + "'").out.find("libc.so.6"), std::string::npos);
}
