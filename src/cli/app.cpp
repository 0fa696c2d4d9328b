// Command tree, parsing and dispatch of `edgevpn`.
#include "cli/app.hpp"

#include <edgevpn/version.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <set>

#include "cli/commands.hpp"
#include "cli/flags.hpp"
#include "cli/unavailable_flags.hpp"
#include "util/log/log.hpp"

namespace edgevpn::cli {
namespace {

using node::Command;

void collect_long_names(const CLI::App& app, std::set<std::string>& names) {
  for (const auto* option : app.get_options()) {
    for (const auto& name : option->get_lnames()) names.insert(name);
  }
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    collect_long_names(*sub, names);
  }
}

int run_help(const CLI::App& app, const std::vector<std::string>& topic) {
  if (topic.empty()) {
    // app.help() would describe the selected subcommand, which is `help` itself.
    std::cout << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
    return 0;
  }
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->check_name(topic.front())) {
      std::cout << sub->help();
      return 0;
    }
  }
  std::cerr << "edgevpn: no help topic for '" << topic.front() << "'\n";
  return 3;
}

}  // namespace

node::Options& CommandLine::storage(Command command) {
  auto& slot = storage_[command];
  if (!slot) slot = std::make_unique<node::Options>(node::defaults_for(command));
  return *slot;
}

CLI::App* CommandLine::add_command(CLI::App& parent, const std::string& name,
                                   const std::string& alias, const std::string& description,
                                   Command command) {
  auto* sub = parent.add_subcommand(name, description);
  if (!alias.empty()) sub->alias(alias);
  sub->preparse_callback([this, command](size_t) { selected_ = command; });
  return sub;
}

CommandLine::CommandLine() {
  app_ = std::make_unique<CLI::App>(
      "Fully decentralized, immutable, portable VPN and tunnels over libp2p.\n"
      "Without a command, joins the network of the token or config and runs the VPN.",
      "edgevpn");
  auto& app = *app_;
  app.set_version_flag("-v,--version", std::string("edgevpn version ") + kVersion);
  app.footer("Environment variables are shown as (Env:NAME). Booleans that default to true "
             "are turned off with --flag=false.");
  app.require_subcommand(0, 1);
  add_common_flags(app, storage(Command::kVpn));
  add_root_flags(app, storage(Command::kVpn));

  auto* start = add_command(app, "start", "",
                            "Join the network without a TUN device (relay / hop node)",
                            Command::kStart);
  add_common_flags(*start, storage(Command::kStart));

  auto* api = add_command(app, "api", "",
                          "Join the network and serve the HTTP API and web UI (no TUN)",
                          Command::kApi);
  add_common_flags(*api, storage(Command::kApi));
  add_api_flags(*api, storage(Command::kApi));

  auto* service_add = add_command(app, "service-add", "sa",
                                  "Expose a TCP service to the network: <name> <host:port>",
                                  Command::kServiceAdd);
  add_common_flags(*service_add, storage(Command::kServiceAdd));
  add_service_flags(*service_add, storage(Command::kServiceAdd), /*connect=*/false);

  auto* service_connect =
      add_command(app, "service-connect", "sc",
                  "Bind a local port and tunnel it to a network service: <name> <[ip]:port>",
                  Command::kServiceConnect);
  add_common_flags(*service_connect, storage(Command::kServiceConnect));
  add_service_flags(*service_connect, storage(Command::kServiceConnect), /*connect=*/true);

  auto* file_send =
      add_command(app, "file-send", "fs", "Serve a file to the network", Command::kFileSend);
  add_common_flags(*file_send, storage(Command::kFileSend));
  add_file_flags(*file_send, storage(Command::kFileSend), /*send=*/true);

  auto* file_receive = add_command(app, "file-receive", "fr",
                                   "Receive a file from the network: <name> <path>",
                                   Command::kFileReceive);
  add_common_flags(*file_receive, storage(Command::kFileReceive));
  add_file_flags(*file_receive, storage(Command::kFileReceive), /*send=*/false);

  auto* proxy = add_command(app, "proxy", "",
                            "Local HTTP proxy forwarding through the network's egress nodes",
                            Command::kProxy);
  add_common_flags(*proxy, storage(Command::kProxy));
  add_proxy_flags(*proxy, storage(Command::kProxy));

  auto* dns = add_command(app, "dns", "", "Local DNS server resolving names from the ledger",
                          Command::kDns);
  add_common_flags(*dns, storage(Command::kDns));
  add_dns_flags(*dns, storage(Command::kDns));

  auto* peergater = app.add_subcommand("peergater", "PeerGater trust zone tools");
  peergater->require_subcommand(1);
  auto* genkey = add_command(*peergater, "ecdsa-genkey", "",
                             "Print a new ECDSA (P-521) key pair for --peergate-auth",
                             Command::kPeergaterEcdsaGenkey);
  add_genkey_flags(*genkey, storage(Command::kPeergaterEcdsaGenkey));

  // Not an EdgeVPN command: a diagnostic, kept out of the help (empty group).
  auto* token_info = add_command(app, "token-info", "", "Print the values derived from the token",
                                 Command::kTokenInfo);
  token_info->group("");
  add_common_flags(*token_info, storage(Command::kTokenInfo));
  token_info->add_option("--at", storage(Command::kTokenInfo).at_unix_seconds,
                         "Unix time to derive for");

  auto* help = add_command(app, "help", "h", "Show the commands, or the help of one command",
                           Command::kHelp);
  help->add_option("command", storage(Command::kHelp).args, "Command to describe");
}

node::Options CommandLine::parse(std::vector<std::string> args) {
  selected_ = Command::kVpn;
  args = normalize_single_dash_flags(*app_, std::move(args));
  std::reverse(args.begin(), args.end());  // CLI11 takes them reversed
  app_->parse(args);
  node::Options options = storage(selected_);
  options.command = selected_;
  return options;
}

std::vector<std::string> normalize_single_dash_flags(const CLI::App& app,
                                                     std::vector<std::string> args) {
  std::set<std::string> long_names;
  collect_long_names(app, long_names);
  for (auto& arg : args) {
    if (arg == "--") break;
    if (arg.size() < 3 || arg[0] != '-' || arg[1] == '-') continue;
    std::string name = arg.substr(1, arg.find('=') == std::string::npos ? std::string::npos
                                                                         : arg.find('=') - 1);
    if (long_names.count(name) != 0) arg.insert(0, "-");
  }
  return args;
}

int run_cli(std::vector<std::string> args) {
  CommandLine command_line;
  node::Options options;
  try {
    options = command_line.parse(std::move(args));
  } catch (const CLI::ParseError& error) {
    return command_line.app().exit(error);
  }
  log::set_level(log::parse_level(options.log_level));

  switch (options.command) {
    case Command::kHelp:
      return run_help(command_line.app(), options.args);
    case Command::kPeergaterEcdsaGenkey:
      return run_peergater_ecdsa_genkey(options);
    case Command::kVpn:
      if (options.generate) return run_generate(options);
      break;
    default:
      break;
  }
  if (auto refused = refused_flags(options); !refused.empty()) {
    std::string names;
    for (auto name : refused) names += (names.empty() ? "" : ", ") + std::string(name);
    std::fprintf(stderr, "edgevpn: not supported by this build yet: %s (remove %s)\n",
                 names.c_str(), refused.size() == 1 ? "it" : "them");
    return 2;
  }
  log_unavailable_flags(options);
  switch (options.command) {
    case Command::kStart: return run_start(options);
    case Command::kApi: return run_api(options);
    case Command::kServiceAdd: return run_service_add(options);
    case Command::kServiceConnect: return run_service_connect(options);
    case Command::kFileSend: return run_file_send(options);
    case Command::kFileReceive: return run_file_receive(options);
    case Command::kProxy: return run_proxy(options);
    case Command::kDns: return run_dns(options);
    case Command::kTokenInfo: return run_token_info(options);
    default: return run_vpn(options);
  }
}

}  // namespace edgevpn::cli
