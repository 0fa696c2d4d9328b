// The web UI's files as compiled into the binary (the table is generated at build time from
// src/api/ui/web/ by embed_assets.cmake).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace edgevpn::api::ui {

struct EmbeddedAsset {
  // Served path relative to the site root, without a leading slash: "index.html",
  // "favicon.svg", "assets/app-0123456789.js" (names under assets/ carry a content hash).
  const char* path;
  const unsigned char* data;
  size_t size;

  std::string_view bytes() const { return {reinterpret_cast<const char*>(data), size}; }
};

std::span<const EmbeddedAsset> embedded_assets();

}  // namespace edgevpn::api::ui
