#include "server/officer_ui.h"

#include <cstdint>

#include "audit/base64.h"
#include "privacy/sha256.h"
#include "server/officer_ui_assets.h"

namespace privet::server {
namespace {

std::string HexToBytes(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

void ReplaceOnce(std::string& text, const std::string& marker, const std::string& with) {
  const std::size_t at = text.find(marker);
  if (at != std::string::npos) text.replace(at, marker.size(), with);
}

}  // namespace

std::string CspHashSource(const std::string& text) {
  return "'sha256-" + audit::Base64Encode(HexToBytes(Sha256Hex(text))) + "'";
}

const StaticPage& OfficerPage() {
  static const StaticPage page = [] {
    const std::string css = ui_assets::kCss, js = ui_assets::kJs;
    StaticPage built;
    built.body = ui_assets::kHtml;
    // The hash covers the element's text exactly as written between its tags.
    ReplaceOnce(built.body, "@PRIVET_STYLE@", "<style>" + css + "</style>");
    ReplaceOnce(built.body, "@PRIVET_SCRIPT@", "<script>" + js + "</script>");
    const std::string policy = "default-src 'none'; script-src " + CspHashSource(js) +
                               "; style-src " + CspHashSource(css) +
                               "; connect-src 'self'; img-src 'none'; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'";
    built.headers = {
        {"Content-Security-Policy", policy}, {"X-Content-Type-Options", "nosniff"},
        {"X-Frame-Options", "DENY"},         {"Referrer-Policy", "no-referrer"},
        {"Cache-Control", "no-store"},       {"Cross-Origin-Opener-Policy", "same-origin"}};
    return built;
  }();
  return page;
}

}  // namespace privet::server
