// The officer's page, GET /ui (docs/officer.md, "The officer's page"): one self-contained
// HTML document with its style and script inline, served without a token because it holds no
// data; the script asks for the officer's token and calls the /v1 API with it.
//
// Its Content-Security-Policy allows nothing by default and then exactly this page's one
// <style> and one <script>, by their SHA-256 (CSP Level 3, "hash-source"), and fetches to the
// service's own origin: no external load, no inline handler, no eval, no plug-in, no framing.
#ifndef PRIVET_SERVER_OFFICER_UI_H_
#define PRIVET_SERVER_OFFICER_UI_H_

#include <string>
#include <utility>
#include <vector>

namespace privet::server {

struct StaticPage {
  std::string body;  // text/html; charset=utf-8
  // Every response header the page is served with, the CSP among them.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Built once (the hashes are computed from the embedded bytes), then shared.
const StaticPage& OfficerPage();

// 'sha256-<base64 of SHA-256(text)>', a CSP hash-source for an inline element's text.
std::string CspHashSource(const std::string& text);

}  // namespace privet::server

#endif  // PRIVET_SERVER_OFFICER_UI_H_
