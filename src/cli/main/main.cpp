// Entry point of the edgevpn binary.
#include <string>
#include <vector>

#include "cli/app.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return edgevpn::cli::run_cli(std::move(args));
}
