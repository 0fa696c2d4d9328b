// The web UI's handler for ApiServerOptions::assets: index.html for /app and every client-side
// route under it (no-cache), the hashed files under /assets/ (cached for a year, immutable) and
// /favicon.svg, each with its content type.
#pragma once

#include "api/api_router.hpp"

namespace edgevpn::api::ui {

StaticAssetHandler ui_assets();

}  // namespace edgevpn::api::ui
