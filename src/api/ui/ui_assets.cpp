// Serves the embedded web UI: a single-page app whose routes all live under /app.
#include "api/ui/ui_assets.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "api/ui/embedded_assets.hpp"

namespace edgevpn::api::ui {
namespace {

std::string_view content_type_of(std::string_view path) {
  auto ends_with = [&](std::string_view suffix) { return path.ends_with(suffix); };
  if (ends_with(".html")) return "text/html; charset=UTF-8";
  if (ends_with(".js")) return "text/javascript; charset=UTF-8";
  if (ends_with(".css")) return "text/css; charset=UTF-8";
  if (ends_with(".svg")) return "image/svg+xml";
  if (ends_with(".json")) return "application/json; charset=UTF-8";
  if (ends_with(".png")) return "image/png";
  if (ends_with(".woff2")) return "font/woff2";
  return "application/octet-stream";
}

const EmbeddedAsset* find_asset(std::string_view path) {
  for (const auto& asset : embedded_assets()) {
    if (path == asset.path) return &asset;
  }
  return nullptr;
}

HttpResponse respond(const EmbeddedAsset& asset, std::string_view cache_control) {
  HttpResponse response;
  response.content_type = std::string(content_type_of(asset.path));
  response.body = std::string(asset.bytes());
  response.headers.emplace_back("Cache-Control", std::string(cache_control));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

}  // namespace

StaticAssetHandler ui_assets() {
  return [](std::string_view path) -> std::optional<HttpResponse> {
    if (path == "/app" || path.starts_with("/app/")) {
      // Every route of the app (/app/ledger, /app/dns, ...) is rendered by the same page; the
      // page is small and names the current asset hashes, so it is always revalidated.
      const EmbeddedAsset* index = find_asset("index.html");
      if (index == nullptr) return std::nullopt;
      auto response = respond(*index, "no-cache");
      // The page loads only its own scripts and styles and talks only to this node.
      response.headers.emplace_back(
          "Content-Security-Policy",
          "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
          "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
      return response;
    }
    if (path.starts_with("/assets/")) {
      const EmbeddedAsset* asset = find_asset(path.substr(1));
      if (asset == nullptr) return std::nullopt;
      return respond(*asset, "public, max-age=31536000, immutable");
    }
    if (path == "/favicon.svg") {
      const EmbeddedAsset* icon = find_asset("favicon.svg");
      if (icon == nullptr) return std::nullopt;
      return respond(*icon, "public, max-age=86400");
    }
    return std::nullopt;
  };
}

}  // namespace edgevpn::api::ui
