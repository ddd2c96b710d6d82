// Two invariants of the GPU wheels a framework is packaged with:
//  - library.wrong-version: every CUDA library a framework loads is the release its nvidia-* wheels pin
//    (Requires-Dist), of the SONAME major its binaries ask for, whatever path led the loader to another copy;
//  - python.wheel-incomplete: the files an installed GPU distribution's RECORD lists are all there, with the
//    listed sizes (and sha256 under --deep).
// Each fix acts on the cause the loader's chain of reasons names: a preload entry, an LD_LIBRARY_PATH entry,
// an emptied wheel (reinstall it), or a wheel of another version.
#include <algorithm>
#include <map>
#include <optional>

#include "checks/check.hpp"
#include "checks/facts.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

namespace gpuenv {

namespace {


// The lowest version a specifier set allows: "==9.19.0.56" -> 9.19.0.56, ">=9.8,<10.0" -> 9.8.
std::optional<Version> lowest_allowed(const std::string& spec) {
  std::optional<Version> out;
  for (auto& part : split(spec, ',', false)) {
    std::string p(trim(part));
    for (const char* op : {"===", "==", "~=", ">="}) {
      if (!p.starts_with(op)) continue;
      auto text = std::string(trim(p.substr(std::string(op).size())));
      if (text.ends_with(".*")) text.resize(text.size() - 2);
      if (auto v = Version::parse(text); v && (!out || *out < *v)) out = v;
      break;
    }
  }
  return out;
}


bool preloaded(const Resolution& r) {
  return r.reason.starts_with("LD_PRELOAD") || r.reason.starts_with("/etc/ld.so.preload");
}

// The file the framework expects: the path in the pinned wheel the loader tried and did not find.
std::string expected_path(const Resolution& r, const WheelPin& pin) {
  if (!pin.installed) return "";
  for (auto& c : r.considered)
    if (c.starts_with(pin.installed->location + "/")) return c;
  return "";
}

struct Wrong {
  const Resolution* r;
  std::string problem;  // "cuDNN 9.14.0, the pin needs 9.19 or a newer 9.x", "SONAME libcudnn.so.8"
};

std::string major_minor(const Version& v) { return std::to_string(v.major()) + "." + std::to_string(v.minor()); }

}  // namespace

void wrong_version(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  for (auto& c : s.libraries.consumers) {
    auto pins = wheel_pins(s, c);
    if (pins.empty()) continue;
    std::map<std::string, std::vector<Wrong>> by_family;
    std::map<std::string, std::string> seen;  // name -> path: one line per request
    for (auto& r : c.loads) {
      if (r.path.empty() || !r.damage.empty() || r.family.empty() || (r.reused && !preloaded(r))) continue;
      auto* fam = in.know.library_family(r.family);
      if (!fam || fam->driver || !in.know.pin_rule(r.family)) continue;
      auto* pin = pin_for_family(pins, *fam);
      if (!pin || !pin->installed) continue;  // framework.wheels-missing names a wheel that is not installed
      if (newer_wheel_copy(s, r)) continue;   // library.ld-library-path-shadows-wheel names that cause
      if (!seen.emplace(r.name, r.path).second) continue;
      std::string problem;
      const LibraryCopy* copy = nullptr;
      for (auto& cp : s.libraries.copies)
        if (cp.realpath == r.realpath) copy = &cp;
      auto want_major = soname_major(r.name);
      if (copy && !want_major.empty() && !soname_major(copy->soname).empty() && soname_major(copy->soname) != want_major)
        problem = "its SONAME is " + copy->soname + ", not " + r.name;
      auto have = Version::parse(r.version);
      auto want = lowest_allowed(pin->spec);
      if (problem.empty() && have && want && (have->major() != want->major() || have->minor() < want->minor()))
        problem = fam->display + " " + r.version + "; " + pin->name + pin->spec + " needs " + major_minor(*want) +
                  " or a newer " + std::to_string(want->major()) + ".x";
      if (!problem.empty()) by_family[r.family].push_back({&r, problem});
    }
    for (auto& [family, wrongs] : by_family) {
      auto* fam = in.know.library_family(family);
      auto* rule = in.know.pin_rule(family);
      auto* pin = pin_for_family(pins, *fam);
      auto& lead = *wrongs.front().r;
      bool skip_check = family == "cudnn" && c.name == "torch" &&
                        s.getenv("PYTORCH_SKIP_CUDNN_COMPATIBILITY_CHECK") &&
                        *s.getenv("PYTORCH_SKIP_CUDNN_COMPATIBILITY_CHECK") == "1";
      auto sev = rule->severity == "error" && !skip_check ? Severity::Error : Severity::Warning;
      auto& f = e.emit(c.name + " would load " + fam->display + " from " + lead.path + " (" +
                           (lead.version.empty() ? wrongs.front().problem : lead.version) + "), not the " +
                           pin->installed->name + " " + pin->installed->version + " it is packaged with",
                       sev);
      f.subject = c.name;
      for (auto& w : wrongs) f.add(w.r->name, w.r->path + " via " + w.r->reason + ": " + w.problem);
      f.add("packaged with", pin->name + pin->spec + " (" + c.name + "'s Requires-Dist), installed " +
                                 pin->installed->version + " in " + pin->installed->location);
      auto expected = expected_path(lead, *pin);
      if (!expected.empty()) f.add("expected", expected + " (missing)");
      if (!lead.considered.empty()) f.add("searched before", join(lead.considered, ", "));
      auto& rec = pin->installed->record;
      if (rec.missing_count > 0)
        f.add("wheel files", std::to_string(rec.missing_count) + " of " + std::to_string(rec.entries) +
                                 " files its RECORD lists are missing");
      std::string reinstall = pip_reinstall(pin->interpreter->path, pin->installed->name, pin->installed->version,
                                            pin->installed->installer);
      bool wheel_emptied = !expected.empty() || rec.missing_count > 0;
      auto want = lowest_allowed(pin->spec);
      auto have_wheel = Version::parse(pin->installed->version);
      bool wheel_wrong = want && have_wheel && (have_wheel->major() != want->major() || *have_wheel < *want);
      std::string consequence = " " + rule->why + ".";
      if (skip_check) consequence += " PYTORCH_SKIP_CUDNN_COMPATIBILITY_CHECK=1 hides torch's own check, not the mismatch.";
      if (preloaded(lead)) {
        auto pre = preloads_of(s, "", lead.path);
        f.cause = "The copy is preloaded (" + lead.reason + "): it is in the process before the loader searches any "
                  "path, and every later request of " + lead.name + " gets it." + consequence;
        f.fix = pre.empty() ? "Take " + lead.path + " out of LD_PRELOAD and /etc/ld.so.preload." : preload_without(s, pre);
      } else if (lead.reason.starts_with("LD_LIBRARY_PATH")) {
        f.cause = "LD_LIBRARY_PATH puts " + dir_name(lead.path) + " before the wheel's directory" +
                  (wheel_emptied ? ", and the wheel's own file is missing" : "") + "." + consequence;
        f.fix = off_loader_path(s, lead.path) + (wheel_emptied ? "\n" + reinstall + "   # its files are missing" : "");
      } else if (wheel_emptied) {
        f.cause = "The files of " + pin->installed->name + " are gone while its dist-info is still there, so pip "
                  "thinks it installed; the loader, finding nothing where " + c.name + "'s RPATH points, goes on to " +
                  lead.path + " (" + lead.reason + ")." + consequence;
        f.fix = reinstall;
      } else if (wheel_wrong) {
        f.cause = "The installed " + pin->installed->name + " " + pin->installed->version + " is not the release " +
                  c.name + " requires (" + pin->spec + ")." + consequence;
        f.fix = pin->interpreter->path + " -m pip install " + shell_quote(pin->name + pin->spec);
      } else {
        f.cause = "The loader reaches " + lead.path + " (" + lead.reason + ") before the wheel's copy." + consequence;
        f.fix = off_loader_path(s, lead.path);
      }
    }
  }
}

// Is this RECORD path a shared library (the files whose loss breaks a framework)?
static bool library_file(const std::string& p) { return p.ends_with(".so") || contains(p, ".so."); }

void wheel_incomplete(const CheckInput& in, Emitter& e) {
  auto& s = in.snap;
  for (auto* py : framework_interpreters(s))
    for (auto& d : py->distributions) {
      auto& rec = d.record;
      if (rec.entries < 0 || !d.shadowed_by.empty() || rec.missing_count + rec.changed_count == 0) continue;
      bool libs = std::any_of(rec.missing.begin(), rec.missing.end(), library_file) ||
                  std::any_of(rec.changed.begin(), rec.changed.end(), library_file);
      std::string what;
      if (rec.missing_count) what = std::to_string(rec.missing_count) + " of its " + std::to_string(rec.entries) + " files are missing";
      if (rec.changed_count)
        what += (what.empty() ? "" : ", ") + std::to_string(rec.changed_count) +
                (rec.changed_count == 1 ? " differs" : " differ") + " from what was installed";
      auto& f = e.emit(d.name + " " + d.version + " is " + (rec.missing_count ? "partly deleted" : "overwritten") +
                           ": " + what,
                       libs ? Severity::Error : Severity::Warning);
      f.subject = d.metadata;
      f.add("distribution", d.name + " " + d.version + " in " + d.location + (d.installer.empty() ? "" : " (" + d.installer + ")"));
      f.add("checked", std::to_string(rec.entries) + " files of " + d.metadata + "/RECORD, by size" +
                           (rec.hashed ? " and sha256" : " (sha256 with --deep)"));
      for (std::size_t i = 0; i < rec.missing.size() && i < 5; ++i) f.add("missing", rec.missing[i]);
      for (std::size_t i = 0; i < rec.changed.size() && i < 5; ++i) f.add("changed", rec.changed[i]);
      f.cause = std::string(rec.missing_count ? "Files were deleted from the install (a cleanup, an interrupted upgrade, "
                                                "another package removing a shared directory)"
                                              : "Files were overwritten after the install (a copy over them, an "
                                                "interrupted upgrade, a full disk)") +
                " while its dist-info stayed: pip counts it as installed, so `pip install` changes nothing" +
                (!libs ? "."
                 : rec.missing_count ? "; the loader goes on to whatever other copy it finds, or fails."
                                     : "; the loader loads the replaced library, of another build than the rest.");
      f.fix = pip_reinstall(py->path, d.name, d.version, d.installer);
    }
}

}  // namespace gpuenv
