// The edgevpn command tree (spec section 1): parsing into node::Options and dispatch.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "node/config/options.hpp"

namespace edgevpn::cli {

// The CLI11 app with every command, alias and flag. Each command binds its flags to its own
// Options: like urfave/cli v1, flags given before a subcommand name do not reach it, and CLI11
// (which reads environment variables for every subcommand) cannot let an unselected command's
// environment value overwrite a flag given on the command line.
class CommandLine {
 public:
  CommandLine();
  // Throws CLI::ParseError (including help and version requests); see CLI::App::exit.
  node::Options parse(std::vector<std::string> args);
  CLI::App& app() { return *app_; }

 private:
  CLI::App* add_command(CLI::App& parent, const std::string& name, const std::string& alias,
                        const std::string& description, node::Command command);
  node::Options& storage(node::Command command);

  std::unique_ptr<CLI::App> app_;
  std::map<node::Command, std::unique_ptr<node::Options>> storage_;
  node::Command selected_ = node::Command::kVpn;
};

// Go's flag package also accepts long flags with one dash (`-token X`); CLI11 would read those
// as bundled short flags, so known long names get their second dash back.
std::vector<std::string> normalize_single_dash_flags(const CLI::App& app,
                                                     std::vector<std::string> args);

// Parses (args without the program name) and runs the selected command; returns the exit code.
int run_cli(std::vector<std::string> args);

}  // namespace edgevpn::cli
