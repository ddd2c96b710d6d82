// Views of gpuenv which-build's answers (text, JSON).
#include <fmt/format.h>

#include <stdexcept>

#include "model/json.hpp"
#include "model/json_fields.hpp"
#include "report/formats.hpp"
#include "util/strings.hpp"

namespace gpuenv {

std::string render(const WhichBuildReport& r, Format f, const RenderOptions&) {
  if (f == Format::Json) {
    Json out = Json::array();
    for (auto& e : r.entries)
      out.push_back(Json{{"framework", e.framework},
                         {"found", e.found},
                         {"gpu", e.gpu},
                         {"release", e.release},
                         {"variant", e.variant},
                         {"cuda", e.cuda},
                         {"minor_compat", e.minor_compat},
                         {"command", e.command},
                         {"reason", e.reason},
                         {"query", Json{{"driver", e.driver},
                                        {"driver_cuda", e.driver_cuda},
                                        {"compute_capabilities", e.ccs},
                                        {"python", e.python},
                                        {"env", e.env_kind}}}});
    return json_text(out) + "\n";
  }
  if (f != Format::Text) throw std::logic_error(std::string("which-build has no ") + format_name(f) + " renderer");
  std::string text;
  for (auto& e : r.entries) {
    text += fmt::format("{}: {}\n", e.framework,
                        e.found ? (e.release.empty() ? "" : e.release + " ") + e.variant +
                                      (e.cuda.empty() ? "" : " (CUDA " + e.cuda + ")")
                                : std::string("no build fits"));
    if (!e.command.empty())
      for (auto& line : split(e.command, '\n', false)) text += "  " + line + "\n";
    text += "  why: " + e.reason + "\n";
  }
  return text;
}

}  // namespace gpuenv
