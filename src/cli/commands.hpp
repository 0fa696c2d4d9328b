// The action of each edgevpn command. Each returns the process exit code.
#pragma once

#include "node/config/options.hpp"

namespace edgevpn::cli {

int run_vpn(const node::Options& options);       // root action: join and run the VPN
int run_generate(const node::Options& options);  // -g / -g -b
int run_start(const node::Options& options);
int run_api(const node::Options& options);
int run_service_add(const node::Options& options);
int run_service_connect(const node::Options& options);
int run_file_send(const node::Options& options);
int run_file_receive(const node::Options& options);
int run_proxy(const node::Options& options);
int run_dns(const node::Options& options);
int run_peergater_ecdsa_genkey(const node::Options& options);
int run_token_info(const node::Options& options);  // hidden diagnostic

}  // namespace edgevpn::cli
