// The web UI's stand-in page, served at /app until the UI bundle is embedded.
#include <string_view>

#include "api/api_router.hpp"

namespace edgevpn::api {
namespace {

constexpr std::string_view kPage = R"(<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>EdgeVPN</title></head>
<body>
<h1>EdgeVPN</h1>
<p>The web interface is not built into this binary yet. The JSON API is available:</p>
<ul>
<li><a href="/api/summary">/api/summary</a></li>
<li><a href="/api/machines">/api/machines</a></li>
<li><a href="/api/nodes">/api/nodes</a></li>
<li><a href="/api/peerstore">/api/peerstore</a></li>
<li><a href="/api/users">/api/users</a></li>
<li><a href="/api/services">/api/services</a></li>
<li><a href="/api/files">/api/files</a></li>
<li><a href="/api/dns">/api/dns</a></li>
<li><a href="/api/ledger">/api/ledger</a></li>
<li><a href="/api/blockchain">/api/blockchain</a></li>
<li><a href="/api/metrics">/api/metrics</a></li>
</ul>
</body>
</html>
)";

}  // namespace

StaticAssetHandler placeholder_assets() {
  return [](std::string_view path) -> std::optional<HttpResponse> {
    if (path != "/app" && path.substr(0, 5) != "/app/") return std::nullopt;
    HttpResponse response;
    response.content_type = "text/html; charset=UTF-8";
    response.body = std::string(kPage);
    response.headers.emplace_back("Cache-Control", "no-cache");
    return response;
  };
}

}  // namespace edgevpn::api
