// Logger registry on top of spdlog.
#include "util/log/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <mutex>

namespace edgevpn::log {
namespace {
std::mutex g_mutex;
spdlog::level::level_enum g_level = spdlog::level::info;
}  // namespace

spdlog::level::level_enum parse_level(const std::string& name) {
  if (name == "trace") return spdlog::level::trace;
  if (name == "debug") return spdlog::level::debug;
  if (name == "info") return spdlog::level::info;
  if (name == "warn" || name == "warning") return spdlog::level::warn;
  if (name == "error") return spdlog::level::err;
  if (name == "fatal" || name == "panic" || name == "dpanic" || name == "critical") {
    return spdlog::level::critical;
  }
  if (name == "off") return spdlog::level::off;
  return spdlog::level::info;
}

void set_level(spdlog::level::level_enum level) {
  std::lock_guard lock(g_mutex);
  g_level = level;
  spdlog::apply_all([level](const std::shared_ptr<spdlog::logger>& l) { l->set_level(level); });
}

std::shared_ptr<spdlog::logger> get(const std::string& name) {
  std::lock_guard lock(g_mutex);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = spdlog::stderr_color_mt(name);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
  logger->set_level(g_level);
  return logger;
}

void log_failure(spdlog::logger& logger, std::string_view what, std::exception_ptr error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    logger.error("{} failed: {}", what, e.what());
  } catch (...) {
    logger.error("{} failed with a non-standard exception", what);
  }
}

}  // namespace edgevpn::log
