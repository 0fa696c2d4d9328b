// Fuzzes the network token / config parsers on arbitrary input (yaml-cpp throws: the parser
// boundary must turn that into errors), and checks that accepted configs survive a round trip.
#include <cstdlib>
#include <string_view>

#include "node/config/network_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgevpn::node;
  std::string_view input(reinterpret_cast<const char*>(data), size);

  (void)parse_token(input);
  auto config = parse_yaml(input);
  if (config.ok()) {
    (void)validate(*config);
    (void)discovery_notes(*config);
    auto again = parse_token(config->to_token());
    if (!again.ok() || !(*again == *config)) std::abort();
  }
  return 0;
}
