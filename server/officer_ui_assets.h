// The officer's page as compiled in (server/ui/officer.{html,css,js}, embedded at build time by
// server/ui/embed_assets.cmake). Use server/officer_ui.h, which assembles them.
#ifndef PRIVET_SERVER_OFFICER_UI_ASSETS_H_
#define PRIVET_SERVER_OFFICER_UI_ASSETS_H_

namespace privet::server::ui_assets {

extern const char kHtml[];  // with the lines @PRIVET_STYLE@ and @PRIVET_SCRIPT@
extern const char kCss[];
extern const char kJs[];

}  // namespace privet::server::ui_assets

#endif  // PRIVET_SERVER_OFFICER_UI_ASSETS_H_
